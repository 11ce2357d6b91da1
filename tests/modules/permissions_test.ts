import { deepEqual, equal, throws } from "node:assert/strict";
import { ModuleError } from "../../pollux/modules/errors.ts";
import { grantPermissions, parseDeclaredPermissions } from "../../pollux/modules/permissions.ts";
import { parseSandboxPolicy } from "../../pollux/modules/sandbox_config.ts";

const policy = parseSandboxPolicy(
  {
    allow_net: "api.example.org, 127.0.0.1:8080",
    allow_read: "/srv/data",
    allow_env: "ACME_TOKEN",
  },
  "c.ini",
);

Deno.test("grantPermissions() grants declared permissions within the policy", () => {
  const declared = parseDeclaredPermissions("acme.x", {
    net: ["api.example.org:443", "127.0.0.1:8080"],
    read: ["/srv/data/acme/../acme/in"],
    env: ["ACME_TOKEN"],
  });
  deepEqual(grantPermissions("acme.x", declared, policy), {
    net: ["api.example.org:443", "127.0.0.1:8080"],
    read: ["/srv/data/acme/in"],
    write: false,
    env: ["ACME_TOKEN"],
    run: false,
    ffi: false,
    sys: false,
    import: false,
  });
});

Deno.test("grantPermissions() grants nothing when nothing is declared", () => {
  const granted = grantPermissions("acme.x", parseDeclaredPermissions("acme.x", undefined), policy);
  equal(Object.values(granted).every((value) => value === false), true);
});

Deno.test("grantPermissions() rejects what the policy does not allow", async (t) => {
  const cases: [Record<string, string[]>, RegExp][] = [
    [{ net: ["127.0.0.1:8081"] }, /net access to "127\.0\.0\.1:8081".*allow_net/],
    [{ net: ["127.0.0.1"] }, /net access to "127\.0\.0\.1"/],
    [{ read: ["/srv/database"] }, /read access to "\/srv\/database".*allow_read/],
    [{ read: ["/srv/data/../../etc"] }, /read access/],
    [{ read: ["relative"] }, /read access to "relative"/],
    [{ write: ["/srv/data"] }, /write access.*allow_write/],
    [{ env: ["HOME"] }, /env access to "HOME".*allow_env/],
  ];
  for (const [declared, message] of cases) {
    await t.step(JSON.stringify(declared), () => {
      throws(
        () => grantPermissions("acme.x", parseDeclaredPermissions("acme.x", declared), policy),
        (error: unknown) => error instanceof ModuleError && message.test(error.message),
      );
    });
  }
});

Deno.test("parseDeclaredPermissions() rejects run, ffi and bad lists", async (t) => {
  for (
    const value of [
      { run: ["/bin/sh"] },
      { ffi: true },
      { sys: ["hostname"] },
      { net: true },
      "all",
      { read: ["/srv/data/a,b"] },
    ]
  ) {
    await t.step(JSON.stringify(value), () => {
      throws(() => parseDeclaredPermissions("acme.x", value), ModuleError);
    });
  }
});
