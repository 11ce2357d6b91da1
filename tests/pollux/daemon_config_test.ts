/**
 * End-to-end tests of how `castor daemon` starts. Bad configurations and
 * arguments stop it with exit code 2 and a message naming the file, the
 * section and the key. `--help` documents every option and key.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { CONFIG_KEYS } from "../../pollux/config.ts";
import { assertEquals, assertNotIncludes, assertStringIncludes } from "./_assert.ts";
import {
  type ConfigValues,
  DaemonProcess,
  iniText,
  TEST_KEY,
  testConfig,
} from "./_daemon_process.ts";
import { PolluxDouble } from "./double.ts";

/** Starts the daemon with a configuration and returns its exit code and stderr, with the config path. */
async function startWith(
  configure: (double: PolluxDouble) => string,
  args: (configPath: string) => string[] = (path) => ["--name", "test", "--config", path],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string; stdout: string; configPath: string }> {
  await using double = await PolluxDouble.start();
  let configPath = "";
  await using daemon = await DaemonProcess.start(double, {
    configText: configure(double),
    args: (path) => {
      configPath = path;
      return args(path);
    },
    env,
  });
  const code = await daemon.exitCode();
  assertEquals(double.requests.length, 0, "nothing sent to Pollux");
  return { code, stderr: daemon.stderr, stdout: daemon.stdout, configPath };
}

function without(values: ConfigValues, section: string, key: string): ConfigValues {
  const copy = structuredClone(values);
  delete copy[section]?.[key];
  return copy;
}

function withValue(
  values: ConfigValues,
  section: string,
  key: string,
  value: string,
): ConfigValues {
  const copy = structuredClone(values);
  copy[section] = { ...copy[section], [key]: value };
  return copy;
}

Deno.test("config error for a missing file", async () => {
  const result = await startWith(
    () => "",
    () => ["--name", "test", "--config", "/nonexistent/castor.ini"],
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "/nonexistent/castor.ini");
  assertStringIncludes(result.stderr, "does not exist");
});

Deno.test({
  name: "config error when no default file exists",
  // A real /etc/castor/config.ini would be found, and the daemon would start against its host.
  ignore: existsSync("/etc/castor/config.ini"),
}, async () => {
  const home = await Deno.makeTempDir({ prefix: "castor-home-" });
  try {
    const result = await startWith(() => "", () => ["--name", "test"], {
      HOME: home,
      XDG_CONFIG_HOME: "",
      CASTOR_CONFIG: "",
    });
    assertEquals(result.code, 2);
    assertStringIncludes(result.stderr, "No configuration file found");
    assertStringIncludes(result.stderr, `${home}/.config/castor/config.ini`);
    assertStringIncludes(result.stderr, "/etc/castor/config.ini");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("config error for a missing section", async () => {
  const result = await startWith((double) => {
    const values = testConfig(double);
    delete values.pollux;
    return iniText(values);
  });
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    `${result.configPath} [pollux]: The section [pollux] is missing`,
  );
});

Deno.test("config error for a missing host", async () => {
  const result = await startWith((double) =>
    iniText(without(testConfig(double), "pollux", "host"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    `${result.configPath} [pollux] host: The required key 'host' is missing`,
  );
});

Deno.test("config error for a missing key", async () => {
  const result = await startWith((double) => iniText(without(testConfig(double), "pollux", "key")));
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    `${result.configPath} [pollux] key: The required key 'key' is missing`,
  );
});

Deno.test("config error for a host that is not http", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "pollux", "host", "ftp://pollux"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    `${result.configPath}:2 [pollux] host: Expected an http:// or https:// URL`,
  );
  assertStringIncludes(result.stderr, "'ftp:'");
});

Deno.test("config error for a host that is not a URL", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "pollux", "host", "pollux.local"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "[pollux] host: Expected an http:// or https:// URL");
  assertStringIncludes(result.stderr, "'pollux.local'");
});

Deno.test("config error for a limit that is not a positive integer", async () => {
  for (const value of ["0", "ten", "-3", "2.5"]) {
    const result = await startWith((double) =>
      iniText(withValue(testConfig(double), "daemon", "concurent_execution_limit", value))
    );
    assertEquals(result.code, 2, `exit code for ${value}`);
    assertStringIncludes(
      result.stderr,
      `[daemon] concurent_execution_limit: Expected a positive integer such as 4, found '${value}'`,
    );
  }
});

Deno.test("config error for both limit spellings", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "daemon", "concurrent_execution_limit", "3"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    "[daemon] concurrent_execution_limit: Both 'concurent_execution_limit'",
  );
});

Deno.test("config error for a bad duration", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "daemon", "poll_interval", "fast"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    "[daemon] poll_interval: Expected a duration such as 500ms, 2s or 1m, found 'fast'",
  );
});

Deno.test("config error for a bad boolean", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "daemon", "auto_reload", "maybe"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.stderr,
    "[daemon] auto_reload: Expected true or false, found 'maybe'",
  );
});

Deno.test("config error for a malformed line hides it", async () => {
  const result = await startWith((double) =>
    iniText(testConfig(double)).replace(`key=${TEST_KEY}`, `key ${TEST_KEY}`)
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, `${result.configPath}:3: The line is not 'key = value'`);
  assertNotIncludes(result.stderr, TEST_KEY);
});

Deno.test("daemon refuses a missing --name", async () => {
  const result = await startWith(
    (double) => iniText(testConfig(double)),
    (path) => ["--config", path],
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "Missing --name");
});

Deno.test("daemon refuses an unknown option", async () => {
  const result = await startWith(
    (double) => iniText(testConfig(double)),
    (path) => ["--name", "x", "--config", path, "--frobnicate"],
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "--frobnicate");
  assertStringIncludes(result.stderr, "castor daemon --help");
});

Deno.test("daemon --help lists options and keys", async () => {
  const result = await startWith(() => "", () => ["--help"]);
  assertEquals(result.code, 0);
  for (const option of ["--name", "--domain", "--config", "--log-level", "--json"]) {
    assertStringIncludes(result.stdout, option);
  }
  for (const spec of CONFIG_KEYS) {
    assertStringIncludes(result.stdout, `[${spec.section}] ${spec.key}`);
  }
  assertStringIncludes(result.stdout, "concurent_execution_limit");
  assertStringIncludes(result.stdout, "/etc/castor/config.ini");
});

Deno.test("config error for a sandbox permission that cannot be granted", async () => {
  const result = await startWith((double) =>
    iniText(withValue(testConfig(double), "sandbox", "allow_run", "ls"))
  );
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "[sandbox] allow_run");
  assertNotIncludes(result.stderr, "Uncaught");
});
