import { deepEqual, equal, throws } from "node:assert/strict";
import { ConfigError } from "../../pollux/errors.ts";
import { DEFAULT_SANDBOX_POLICY, parseSandboxPolicy } from "../../pollux/modules/sandbox_config.ts";

Deno.test("parseSandboxPolicy() grants nothing by default", () => {
  deepEqual(parseSandboxPolicy(undefined, "c.ini"), DEFAULT_SANDBOX_POLICY);
  deepEqual(parseSandboxPolicy({}, "c.ini").net, []);
});

Deno.test("parseSandboxPolicy() reads every key", () => {
  const policy = parseSandboxPolicy(
    {
      allow_net: "API.example.org:443, 127.0.0.1, [::1]:8080",
      allow_read: "/var/spool/acme/, /srv/data",
      allow_write: "/tmp/acme",
      allow_env: "ACME_TOKEN",
      call_timeout: "1.5s",
      memory_limit_mb: "128",
      max_source_kb: "64",
    },
    "c.ini",
  );
  deepEqual(policy.net, ["api.example.org:443", "127.0.0.1", "[::1]:8080"]);
  deepEqual(policy.read, ["/var/spool/acme", "/srv/data"]);
  deepEqual(policy.write, ["/tmp/acme"]);
  deepEqual(policy.env, ["ACME_TOKEN"]);
  equal(policy.callTimeoutMs, 1500);
  equal(policy.memoryLimitMb, 128);
  equal(policy.maxSourceBytes, 64 * 1024);
});

Deno.test("parseSandboxPolicy() rejects bad values naming the key", async (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ allow_run: "true" }, "allow_run", /cannot be granted/],
    [{ allow_ffi: "/lib/x.so" }, "allow_ffi", /cannot be granted/],
    [{ allow_net: "http://x.org" }, "allow_net", /invalid host/],
    [{ allow_net: "x.org:70000" }, "allow_net", /invalid port/],
    [{ allow_read: "relative/path" }, "allow_read", /must be absolute/],
    [{ allow_env: "NOT-A-NAME" }, "allow_env", /invalid environment variable name/],
    [{ call_timeout: "soon" }, "call_timeout", /invalid duration/],
    [{ memory_limit_mb: "8" }, "memory_limit_mb", /at least 16/],
    [{ alow_net: "x" }, "alow_net", /unknown key/],
  ];
  for (const [section, key, message] of cases) {
    await t.step(key, () => {
      throws(() => parseSandboxPolicy(section, "c.ini"), (error: unknown) => {
        equal(error instanceof ConfigError, true);
        equal((error as ConfigError).file, "c.ini");
        equal((error as ConfigError).section, "sandbox");
        equal((error as ConfigError).key, key);
        equal(message.test((error as Error).message), true, (error as Error).message);
        return true;
      });
    });
  }
});
