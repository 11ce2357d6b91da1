import { deepEqual, equal, rejects } from "node:assert/strict";
import { defaultCacheDir, ModuleCache, sha1Hex } from "../../pollux/modules/cache.ts";
import { ModuleError } from "../../pollux/modules/errors.ts";
import { temporaryDir } from "./_helpers.ts";

Deno.test("ModuleCache writes, reads, lists and clears", async () => {
  const dir = await temporaryDir();
  try {
    const cache = new ModuleCache(dir.path);
    equal(await cache.read("module", "acme.net"), null);
    const written = await cache.write("module", "acme.net", "export const A = 1;");
    equal(written.hash, await sha1Hex("export const A = 1;"));
    await cache.write("lib", "acme.http", "export const B = 2;");
    equal((await cache.read("module", "acme.net"))?.source, "export const A = 1;");
    deepEqual(
      (await cache.list()).map((entry) => `${entry.kind} ${entry.id} ${entry.size}`),
      ["module acme.net 19", "lib acme.http 19"],
    );
    const names = await Array.fromAsync(Deno.readDir(`${dir.path}/module`), (entry) => entry.name);
    deepEqual(names, ["acme.net.ts"], "no temporary file is left behind");
    equal(await cache.clear(), 2);
    deepEqual(await cache.list(), []);
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleCache checks ids before touching the disk", async () => {
  const cache = new ModuleCache("/nonexistent-castor-cache");
  for (const id of ["../x", "a/b", "..", "/etc/passwd"]) {
    await rejects(() => cache.read("module", id), ModuleError);
    await rejects(() => cache.write("lib", id, "x"), ModuleError);
  }
});

Deno.test("sha1Hex() matches the hash Pollux reports", async () => {
  equal(await sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
});

Deno.test("defaultCacheDir() follows XDG_CACHE_HOME, then HOME", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  equal(defaultCacheDir(env({ XDG_CACHE_HOME: "/c", HOME: "/h" })), "/c/castor/modules");
  equal(defaultCacheDir(env({ HOME: "/h" })), "/h/.cache/castor/modules");
});
