import { equal, match, ok } from "node:assert/strict";
import { runFlow } from "../../engine/run.ts";
import type { RunResult } from "../../engine/types.ts";
import { builtinProvider } from "../../nodes/mod.ts";
import { ModuleManager } from "../../pollux/modules/manager.ts";
import { Sandbox } from "../../pollux/modules/sandbox.ts";
import { parseSandboxPolicy } from "../../pollux/modules/sandbox_config.ts";
import { fixture, FIXTURES, MemorySource, oneNodeFlow, temporaryDir } from "./_helpers.ts";

async function withManager(
  sandbox: Record<string, string>,
  test: (manager: ModuleManager, source: MemorySource, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await temporaryDir();
  const source = new MemorySource();
  const manager = new ModuleManager({
    builtins: builtinProvider,
    source,
    cacheDir: dir.path,
    localDir: FIXTURES,
    policy: parseSandboxPolicy(sandbox, "test.ini"),
  });
  try {
    await test(manager, source, dir.path);
  } finally {
    await dir.remove();
  }
}

/** Checks that the same manager still runs a well-behaved module afterwards. */
async function assertStillServes(manager: ModuleManager): Promise<void> {
  const result = await runFlow(oneNodeFlow("acme.echo.Echo", { output: "value" }), {
    components: manager.provider,
  });
  equal(result.outcome, "completed", "the next run still works");
}

function failure(result: RunResult): string {
  return result.error?.message ?? result.problems.map((problem) => problem.message).join("\n");
}

Deno.test("sandbox denies reading /etc/passwd", async () => {
  await withManager({}, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.passwd.Read"), {
      components: manager.provider,
    });
    equal(result.outcome, "error");
    equal(result.error?.node, "n1");
    match(failure(result), /read access to "\/etc\/passwd".*'permissions' export/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox denies writing a file", async () => {
  await withManager({}, async (manager, _source, dir) => {
    const target = `${dir}/pwned.txt`;
    const flow = oneNodeFlow("hostile.writer.Write", { settings: { path: target } });
    const result = await runFlow(flow, { components: manager.provider });
    equal(result.outcome, "error");
    match(failure(result), /write access/);
    equal(await Deno.stat(target).then(() => true, () => false), false, "no file was written");
    await assertStillServes(manager);
  });
});

Deno.test("sandbox hides the process environment", async () => {
  await withManager({}, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.environment.Steal"), {
      components: manager.provider,
    });
    equal(result.outcome, "error");
    match(failure(result), /env access/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox denies starting a process", async () => {
  await withManager({}, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.spawn.Spawn"), {
      components: manager.provider,
    });
    equal(result.outcome, "error");
    match(failure(result), /run access/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox allows only the granted port on 127.0.0.1", async () => {
  using granted = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = [granted, other].map(async (listener) => {
    for await (const connection of listener) connection.close();
  });
  const port = granted.addr.port;
  await withManager({ allow_net: `127.0.0.1:${port}` }, async (manager, source) => {
    source.modules.set(
      "probe.socket",
      (await fixture("hostile/socket.ts")).replaceAll("__GRANTED_PORT__", String(port)),
    );
    const allowed = await runFlow(
      oneNodeFlow("probe.socket.Connect", { inputs: { port }, output: "value" }),
      { components: manager.provider },
    );
    equal(allowed.outcome, "completed", failure(allowed));
    equal(allowed.logs.at(-1)?.message, `connected to ${port}`);

    const denied = await runFlow(
      oneNodeFlow("probe.socket.Connect", { inputs: { port: other.addr.port } }),
      { components: manager.provider },
    );
    equal(denied.outcome, "error");
    match(failure(denied), new RegExp(`net access to "127\\.0\\.0\\.1:${other.addr.port}"`));
    await assertStillServes(manager);
  });
  granted.close();
  other.close();
  await Promise.allSettled(accepting);
});

Deno.test("sandbox stops an endless loop after call_timeout", async () => {
  await withManager({ call_timeout: "500ms" }, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.loop.Spin"), {
      components: manager.provider,
    });
    equal(result.outcome, "error");
    equal(result.error?.node, "n1");
    match(failure(result), /Node 'n1' \(hostile\.loop\.Spin\) did not finish within 0\.5 s/);
    match(failure(result), /\[sandbox\] call_timeout/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox stops a module that exhausts its memory", async () => {
  await withManager({ memory_limit_mb: "64", call_timeout: "60s" }, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.hog.Hog"), { components: manager.provider });
    equal(result.outcome, "error");
    match(failure(result), /ran out of memory \(limit 64 MiB\) while node 'n1'/);
    match(failure(result), /memory_limit_mb/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox reports a module that throws at load", async () => {
  await withManager({}, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.throws.Never"), {
      components: manager.provider,
    });
    equal(result.outcome, "refused");
    match(failure(result), /Module 'hostile\.throws' failed while loading: Error: boom at load/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox reports a syntax error with its position", async () => {
  await withManager({}, async (manager, source) => {
    source.modules.set("hostile.syntax", "export const Broken = {\n  inputs: [,\n");
    const result = await runFlow(oneNodeFlow("hostile.syntax.Broken"), {
      components: manager.provider,
    });
    equal(result.outcome, "refused");
    match(failure(result), /Module 'hostile\.syntax' has a syntax error: .*\(\d+:\d+\)/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox refuses a module asking for more than allowed", async () => {
  await withManager({ allow_net: "api.example.org:443" }, async (manager) => {
    const result = await runFlow(oneNodeFlow("hostile.greedy.Send"), {
      components: manager.provider,
    });
    equal(result.outcome, "refused");
    const message = failure(result);
    match(
      message,
      /Module 'hostile\.greedy' asks for net access to "exfiltrate\.example\.org:443"/,
    );
    match(message, /\[sandbox\] allow_net/);
    await assertStillServes(manager);
  });
});

Deno.test("sandbox passes exit, logs and environment back to the run", async () => {
  await withManager({}, async (manager) => {
    const result = await runFlow(
      {
        nodes: [
          { id: "e", component: "acme.echo.Echo", inputs: { value: 7 }, prefix: "got" },
          { id: "f", component: "acme.echo.Finish" },
          { id: "after", component: "system.Log" },
        ],
        links: [
          { source: "e:value", targets: ["f:value"] },
          { source: "f:value", targets: ["after:value"] },
        ],
      },
      { components: manager.provider, environment: { echoed: 41 } },
    );
    equal(result.outcome, "completed", failure(result));
    equal(result.environment.echoed, 42);
    equal(result.logs.find((entry) => entry.node === "e")?.message, "got 7");
    equal(result.exit?.node, "f");
    match(result.exit?.message ?? "", /finished with 7/);
    ok(!result.logs.some((entry) => entry.node === "after"));
  });
});

Deno.test("sandbox passes large, binary and concurrent calls", async () => {
  const sandbox = Sandbox.start({
    moduleId: "test.pass",
    permissions: {},
    callTimeoutMs: 30_000,
    memoryLimitMb: 256,
  });
  try {
    const { code } = await sandbox.compile(
      "module",
      "test.pass",
      "export const Pass = { run: async (inputs) => inputs.value };",
    );
    await sandbox.load({ id: "test.pass", code }, []);
    const call = (value: unknown) =>
      sandbox.call({
        node: "n1",
        component: "test.pass.Pass",
        name: "Pass",
        inputs: { value },
        settings: {},
        environment: {},
        onLog() {},
      });

    // Larger than one 64 KiB read, so frames span several reads both ways.
    const text = "castor ".repeat(300_000);
    equal((await call(text)).value, text);

    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const first = (await call(bytes)).value as Uint8Array;
    const second = (await call(new Uint8Array([7, 8, 9]))).value as Uint8Array;
    equal(first.length, bytes.length);
    ok(first.every((byte, i) => byte === bytes[i]), "a later reply does not overwrite the bytes");
    equal([...second].join(","), "7,8,9");

    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => call({ i })));
    equal(
      replies.map((reply) => (reply.value as { i: number }).i).join(","),
      Array.from({ length: 50 }, (_, i) => i).join(","),
    );
  } finally {
    await sandbox.close();
  }
});

Deno.test("sandbox times each call from its own start", async () => {
  const sandbox = Sandbox.start({
    moduleId: "test.slow",
    permissions: {},
    callTimeoutMs: 500,
    memoryLimitMb: 256,
  });
  try {
    const { code } = await sandbox.compile(
      "module",
      "test.slow",
      "export const Wait = { run: (inputs) => new Promise((done) => setTimeout(done, inputs.ms)) };",
    );
    await sandbox.load({ id: "test.slow", code }, []);
    const wait = (ms: number) =>
      sandbox.call({
        node: "n1",
        component: "test.slow.Wait",
        name: "Wait",
        inputs: { ms },
        settings: {},
        environment: {},
        onLog() {},
      });

    await wait(0);
    await new Promise((done) => setTimeout(done, 350));
    // Ends 650 ms after the first call started, but within 500 ms of its own start.
    equal((await wait(300)).ok, true);

    const started = performance.now();
    const failed = await wait(5_000).then(() => undefined, (error: Error) => error);
    const elapsed = performance.now() - started;
    match(failed?.message ?? "", /Node 'n1' \(test\.slow\.Wait\) did not finish within 0\.5 s/);
    ok(elapsed >= 490, `timed out after ${elapsed} ms, before call_timeout`);
    ok(elapsed < 3_000, `timed out after ${elapsed} ms, long after call_timeout`);
  } finally {
    await sandbox.close();
  }
});
