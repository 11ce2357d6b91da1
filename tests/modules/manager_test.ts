import { equal, match, ok } from "node:assert/strict";
import { runFlow } from "../../engine/run.ts";
import { builtinProvider } from "../../nodes/mod.ts";
import { ModuleManager } from "../../pollux/modules/manager.ts";
import { parseSandboxPolicy } from "../../pollux/modules/sandbox_config.ts";
import { fixture, MemorySource, oneNodeFlow, temporaryDir } from "./_helpers.ts";

const ECHO_FLOW = oneNodeFlow("acme.echo.Echo", { output: "value" });

async function setUp(options: { autoReload?: boolean; maxSourceKb?: number } = {}) {
  const dir = await temporaryDir();
  const source = new MemorySource();
  source.modules.set("acme.echo", await fixture("acme/echo.ts"));
  const manager = new ModuleManager({
    builtins: builtinProvider,
    source,
    cacheDir: dir.path,
    autoReload: options.autoReload ?? true,
    policy: parseSandboxPolicy(
      options.maxSourceKb ? { max_source_kb: String(options.maxSourceKb) } : {},
      "test.ini",
    ),
  });
  return { dir, source, manager };
}

Deno.test("ModuleManager downloads a module, caches it and runs it", async () => {
  const { dir, source, manager } = await setUp();
  try {
    const result = await runFlow(ECHO_FLOW, { components: manager.provider });
    equal(result.outcome, "completed", JSON.stringify(result.problems ?? result.error));
    equal(result.logs.map((entry) => entry.message).join("|"), 'echo "hello"|hello');
    equal(result.environment.echoed, 1);
    equal(source.count("download", "module:acme.echo"), 1);
    const cached = await Deno.readTextFile(`${dir.path}/module/acme.echo.ts`);
    equal(cached, source.modules.get("acme.echo"));
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager does not download again when the hash is unchanged", async () => {
  const { dir, source, manager } = await setUp();
  try {
    await runFlow(ECHO_FLOW, { components: manager.provider });
    const second = await runFlow(ECHO_FLOW, { components: manager.provider });
    equal(second.outcome, "completed");
    equal(source.count("download", "module:acme.echo"), 1);
    ok(
      source.count("hash", "module:acme.echo") >= 2,
      "auto_reload checks the hash before each run",
    );

    const restarted = new ModuleManager({ builtins: builtinProvider, source, cacheDir: dir.path });
    equal((await runFlow(ECHO_FLOW, { components: restarted.provider })).outcome, "completed");
    equal(source.count("download", "module:acme.echo"), 1, "the cache survives the process");
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager uses a changed module from the next run on", async () => {
  const { dir, source, manager } = await setUp();
  try {
    const started = Promise.withResolvers<void>();
    source.modules.set(
      "acme.slow",
      `export const Wait = { inputs: [{ name: "value", type: "*" }], outputs: [{ name: "value", type: "*" }],
        async run(inputs, context) {
          context.log("version 1");
          await new Promise((resolve) => setTimeout(resolve, 10));
          return inputs.value;
        } };`,
    );
    const slowFlow = {
      nodes: [
        { id: "a", component: "acme.slow.Wait", inputs: { value: 1 } },
        { id: "b", component: "acme.slow.Wait" },
      ],
      links: [{ source: "a:value", targets: ["b:value"] }],
    };
    // The module changes in Pollux after the first run's first log line,
    // before its second node fires.
    const running = runFlow(slowFlow, {
      components: manager.provider,
      onLog: () => started.resolve(),
    });
    await started.promise;
    source.modules.set(
      "acme.slow",
      source.modules.get("acme.slow")!.replace("version 1", "version 2"),
    );
    const first = await running;
    equal(first.logs.map((entry) => entry.message).join("|"), "version 1|version 1");

    const second = await runFlow(slowFlow, { components: manager.provider });
    equal(second.logs.map((entry) => entry.message).join("|"), "version 2|version 2");
    equal(source.count("download", "module:acme.slow"), 2);
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager loads the libraries a module requires", async () => {
  const { dir, source, manager } = await setUp();
  try {
    source.modules.set("acme.shout", await fixture("acme/shout.ts"));
    source.libs.set("acme.strings", await fixture("lib/acme/strings.ts"));
    const result = await runFlow(oneNodeFlow("acme.shout.Shout", { output: "value" }), {
      components: manager.provider,
    });
    equal(result.outcome, "completed", JSON.stringify(result.problems ?? result.error));
    equal(result.logs.at(-1)?.message, "HELLO!");
    equal(source.count("download", "lib:acme.strings"), 1);

    source.libs.set("acme.strings", (await fixture("lib/acme/strings.ts")).replace('"!"', '"?"'));
    const updated = await runFlow(oneNodeFlow("acme.shout.Shout", { output: "value" }), {
      components: manager.provider,
    });
    equal(updated.logs.at(-1)?.message, "HELLO?", "a changed library is downloaded again");
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager.reload() makes the next run check Pollux again", async () => {
  const { dir, source, manager } = await setUp({ autoReload: false });
  try {
    await runFlow(ECHO_FLOW, { components: manager.provider });
    const hashes = source.count("hash", "module:acme.echo");
    await runFlow(ECHO_FLOW, { components: manager.provider });
    equal(source.count("hash", "module:acme.echo"), hashes, "without auto_reload, no check");

    source.modules.set("acme.echo", source.modules.get("acme.echo")!.replace('"echo"', '"v2"'));
    manager.reload();
    const result = await runFlow(ECHO_FLOW, { components: manager.provider });
    equal(result.logs[0]?.message, 'v2 "hello"');
    equal(source.count("download", "module:acme.echo"), 2);
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager refuses a download that does not match its hash", async () => {
  const { dir, source, manager } = await setUp();
  try {
    source.fakeHashes.set("module:acme.echo", "0".repeat(40));
    const result = await runFlow(ECHO_FLOW, { components: manager.provider });
    equal(result.outcome, "refused");
    match(result.problems[0]?.message ?? "", /does not match its hash/);
    const files = await Array.fromAsync(Deno.readDir(dir.path));
    equal(files.length, 0, "nothing was cached");
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager refuses an oversized download", async () => {
  const { dir, source, manager } = await setUp({ maxSourceKb: 1 });
  try {
    source.modules.set("acme.big", `export const Big = ${JSON.stringify("x".repeat(4096))};`);
    const result = await runFlow(oneNodeFlow("acme.big.Big"), { components: manager.provider });
    equal(result.outcome, "refused");
    match(result.problems[0]?.message ?? "", /more than the 1024 allowed.*max_source_kb/);
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager names the component and the places it looked", async () => {
  const { dir, manager } = await setUp();
  try {
    const result = await runFlow(oneNodeFlow("acme.nowhere.Thing"), {
      components: manager.provider,
    });
    equal(result.outcome, "refused");
    const message = result.problems[0]?.message ?? "";
    match(message, /acme\.nowhere\.Thing/);
    match(message, /the cache \(.*acme\.nowhere\.ts\), Pollux/);
  } finally {
    await dir.remove();
  }
});

Deno.test("ModuleManager rejects ids that could name a path", async (t) => {
  const { dir, source, manager } = await setUp();
  try {
    for (const id of ["../x.Y", "a/b.C", "...C", "/etc/passwd.C", "acme..echo.Echo"]) {
      await t.step(id, async () => {
        const result = await runFlow(oneNodeFlow(id), { components: manager.provider });
        equal(result.outcome, "refused");
        equal(source.requests.length, 0, "nothing was asked of Pollux");
      });
    }
    for (const id of ["..", "../x", "a/b", "/etc/passwd"]) {
      await t.step(`library ${id}`, async () => {
        source.modules.set("acme.needs", `export const requires = [${JSON.stringify(id)}];`);
        const result = await runFlow(oneNodeFlow("acme.needs.X"), { components: manager.provider });
        equal(result.outcome, "refused");
        match(result.problems[0]?.message ?? "", /Invalid library id/);
        equal(source.requests.filter((r) => r.includes("lib:")).length, 0);
      });
    }
  } finally {
    await dir.remove();
  }
});
