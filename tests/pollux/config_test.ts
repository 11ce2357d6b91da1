import { CONFIG_KEYS, defaultConfigPaths, parseConfig } from "../../pollux/config.ts";
import { ConfigError } from "../../pollux/errors.ts";
import { parseSandboxPolicy } from "../../pollux/modules/sandbox_config.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./_assert.ts";

const MINIMAL = "[pollux]\nhost=https://pollux.example.org/\nkey=k\n[daemon]\n";

Deno.test("parseConfig() fills in every default", () => {
  const config = parseConfig(MINIMAL, "c.ini", "host-1");
  assertEquals(config, {
    file: "c.ini",
    host: "https://pollux.example.org",
    key: "k",
    requestTimeout: 10_000,
    retryInitialDelay: 500,
    retryMaxDelay: 30_000,
    machineName: "host-1",
    concurrencyLimit: 1,
    autoReload: true,
    pollInterval: 1000,
    updateInterval: 5000,
    shutdownGracePeriod: 30_000,
    shutdownReportTimeout: 10_000,
    maxBufferedLogLines: 10_000,
    sandbox: {},
    modules: {},
    warnings: [],
  });
});

Deno.test("parseConfig() reads every key and both limit spellings", () => {
  const text = [
    "[pollux]",
    "host=http://127.0.0.1:8089/pollux",
    'key="secret value"',
    "request_timeout=2.5s",
    "retry_initial_delay=100ms",
    "retry_max_delay=1m",
    "[daemon]",
    'machine_name="Build server 2"',
    "concurent_execution_limit=10",
    "auto_reload=no",
    "poll_interval=250ms",
    "update_interval=3",
    "shutdown_grace_period=0",
    "shutdown_report_timeout=0s",
    "max_buffered_log_lines=50",
    "[sandbox]",
    "memory=256",
    "[modules]",
    "cache_dir=/var/cache/castor",
  ].join("\n");
  const config = parseConfig(text, "c.ini", "h");
  assertEquals(config.host, "http://127.0.0.1:8089/pollux");
  assertEquals(config.key, "secret value");
  assertEquals(config.requestTimeout, 2500);
  assertEquals(config.retryInitialDelay, 100);
  assertEquals(config.retryMaxDelay, 60_000);
  assertEquals(config.machineName, "Build server 2");
  assertEquals(config.concurrencyLimit, 10);
  assertEquals(config.autoReload, false);
  assertEquals(config.pollInterval, 250);
  assertEquals(config.updateInterval, 3000);
  assertEquals(config.shutdownGracePeriod, 0);
  assertEquals(config.shutdownReportTimeout, 0);
  assertEquals(config.maxBufferedLogLines, 50);
  assertEquals(config.sandbox, { memory: "256" });
  assertEquals(config.modules, { cache_dir: "/var/cache/castor" });

  const modern = parseConfig(MINIMAL + "concurrent_execution_limit=4\n", "c.ini", "h");
  assertEquals(modern.concurrencyLimit, 4);
});

Deno.test("parseConfig() warns about unknown keys and sections", () => {
  const config = parseConfig(MINIMAL + "pool_interval=1s\n[extra]\na=1\n", "c.ini", "h");
  assertEquals(config.warnings.length, 2);
  assertStringIncludes(
    config.warnings.join("\n"),
    "c.ini:5: [daemon] pool_interval is not a known key",
  );
  assertStringIncludes(config.warnings.join("\n"), "c.ini:6: the section [extra] is not used");
});

Deno.test("parseConfig() rejects bad values naming section and key", async (t) => {
  const cases: [string, string, string, string][] = [
    ["[daemon]\n", "pollux", "", "section [pollux] is missing"],
    ["[pollux]\nkey=k\n[daemon]\n", "pollux", "host", "required key 'host' is missing"],
    ["[pollux]\nhost=https://x\nkey=\n[daemon]\n", "pollux", "key", "value is empty"],
    ["[pollux]\nhost=https://u:p@x\nkey=k\n[daemon]\n", "pollux", "host", "user name or password"],
    ["[pollux]\nhost=https://x/?a=1\nkey=k\n[daemon]\n", "pollux", "host", "query or a fragment"],
    [
      MINIMAL + "concurent_execution_limit=0",
      "daemon",
      "concurent_execution_limit",
      "positive integer",
    ],
    [
      MINIMAL + "max_buffered_log_lines=1e3",
      "daemon",
      "max_buffered_log_lines",
      "positive integer",
    ],
    [MINIMAL + "poll_interval=0", "daemon", "poll_interval", "greater than zero"],
    [MINIMAL + "update_interval=-1s", "daemon", "update_interval", "Expected a duration"],
    [MINIMAL + "auto_reload=2", "daemon", "auto_reload", "Expected true or false"],
    [MINIMAL + "machine_name=", "daemon", "machine_name", "value is empty"],
    [
      "[pollux]\nhost=https://x\nkey=k\nretry_initial_delay=2s\nretry_max_delay=1s\n[daemon]\n",
      "pollux",
      "retry_max_delay",
      "shorter than retry_initial_delay",
    ],
  ];
  for (const [text, section, key, message] of cases) {
    await t.step(message, () => {
      const error = assertThrows(() => parseConfig(text, "c.ini", "h"), ConfigError);
      assertEquals(error.file, "c.ini");
      assertEquals(error.section, section);
      assertEquals(error.key, key === "" ? undefined : key);
      assertStringIncludes(error.message, message);
    });
  }
});

Deno.test("defaultConfigPaths() follows CASTOR_CONFIG, XDG and HOME", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  assertEquals(defaultConfigPaths(env({ HOME: "/home/a" })), [
    "/home/a/.config/castor/config.ini",
    "/etc/castor/config.ini",
  ]);
  assertEquals(defaultConfigPaths(env({ HOME: "/home/a", XDG_CONFIG_HOME: "/x" })), [
    "/x/castor/config.ini",
    "/etc/castor/config.ini",
  ]);
  assertEquals(defaultConfigPaths(env({ CASTOR_CONFIG: "/c.ini" })), [
    "/c.ini",
    "/etc/castor/config.ini",
  ]);
});

Deno.test("config.ini.sample lists every key with its default", async () => {
  const sample = await Deno.readTextFile(new URL("../../config.ini.sample", import.meta.url));
  for (const spec of CONFIG_KEYS) {
    const key = spec.key === "concurrent_execution_limit" ? "concurent_execution_limit" : spec.key;
    assertStringIncludes(sample, `${key}=`, `[${spec.section}] ${spec.key}`);
    assertStringIncludes(sample, spec.description, `description of ${spec.key}`);
  }

  const parsed = parseConfig(sample, "config.ini.sample", "h");
  const defaults = parseConfig(MINIMAL, "config.ini.sample", "h");
  assertEquals(parsed, {
    ...defaults,
    host: parsed.host,
    key: parsed.key,
    machineName: parsed.machineName,
    // The modules layer reads these two sections; its own tests check their keys.
    sandbox: parsed.sandbox,
    modules: parsed.modules,
  });
  assertEquals(
    parseSandboxPolicy(parsed.sandbox, "config.ini.sample"),
    parseSandboxPolicy(undefined, "config.ini.sample"),
  );
});

Deno.test("docs/daemon.md lists every key with its default", async () => {
  const docs = await Deno.readTextFile(new URL("../../docs/daemon.md", import.meta.url));
  for (const spec of CONFIG_KEYS) {
    const fallback = spec.default === undefined
      ? "required"
      : spec.key === "machine_name"
      ? "the host name"
      : `\`${spec.default}\``;
    assertStringIncludes(docs, `| \`[${spec.section}]\` | \`${spec.key}\``, `row of ${spec.key}`);
    const row = docs.split("\n").find((line) =>
      line.includes(`\`${spec.key}\``) && line.startsWith("| `[")
    );
    assertStringIncludes(row ?? "", fallback, `default of ${spec.key}`);
  }
});

Deno.test("parseConfig takes every [daemon] default when the section is absent", () => {
  const config = parseConfig("[pollux]\nhost=https://pollux.test\nkey=k\n", "c.ini", "box");
  assertEquals(config.machineName, "box");
  assertEquals(config.autoReload, true);
});
