import { equal, match } from "node:assert/strict";
import { ModuleCache } from "../../pollux/modules/cache.ts";
import { runModulesCommand } from "../../pollux/modules/command.ts";
import { fixture, FIXTURES, temporaryDir } from "./_helpers.ts";

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModulesCommand(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: () => undefined,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("castor modules list, show and clear", async () => {
  const dir = await temporaryDir();
  try {
    const cache = new ModuleCache(dir.path);
    const echo = await cache.write("module", "acme.echo", await fixture("acme/echo.ts"));
    await cache.write("module", "hostile.greedy", await fixture("hostile/greedy.ts"));
    await cache.write("lib", "acme.strings", await fixture("lib/acme/strings.ts"));

    const list = await run(["list", "--cache-dir", dir.path]);
    equal(list.code, 0, list.err);
    match(list.out, new RegExp(`module +acme\\.echo +${echo.hash} +\\d+ B +none`));
    match(list.out, /module +hostile\.greedy .* net: exfiltrate\.example\.org:443/);
    match(list.out, /library +acme\.strings/);

    const json = await run(["list", "--cache-dir", dir.path, "--json"]);
    equal(json.out.split("\n").length, 3);
    equal(JSON.parse(json.out.split("\n")[0]!).id, "acme.echo");

    const show = await run(["show", "acme.echo", "--cache-dir", dir.path]);
    equal(show.code, 0, show.err);
    match(show.out, /acme\.echo\.Echo - Returns its input\./);
    match(show.out, /value: \* {2}Any value\./);
    match(show.out, /prefix: string {2}Text put before the log line\./);

    const described = await run([
      "show",
      "acme.shout",
      "--cache-dir",
      dir.path,
      "--modules",
      FIXTURES,
      "--json",
    ]);
    equal(described.code, 0, described.err);
    const description = JSON.parse(described.out);
    equal(description.requires[0], "acme.strings");
    equal(description.components[0].id, "acme.shout.Shout");

    const clear = await run(["clear", "--cache-dir", dir.path]);
    equal(clear.code, 0);
    match(clear.out, /Removed 3 cached file/);
  } finally {
    await dir.remove();
  }
});

Deno.test("castor modules rejects bad arguments with exit code 2", async () => {
  equal((await run(["show"])).code, 2);
  equal((await run(["show", "../etc"])).code, 2);
  equal((await run(["frobnicate"])).code, 2);
  equal((await run(["list", "--bogus"])).code, 2);
  equal((await run(["list", "--config", "/nonexistent/castor.ini"])).code, 2);
});

Deno.test("castor modules show fails with code 1 for an unknown module", async () => {
  const dir = await temporaryDir();
  try {
    const result = await run(["show", "acme.none", "--cache-dir", dir.path]);
    equal(result.code, 1);
    match(result.err, /acme\.none/);
  } finally {
    await dir.remove();
  }
});
