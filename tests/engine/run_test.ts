import { deepStrictEqual, equal as assertEquals, ok as assert } from "node:assert/strict";
import { Float, runFlow, withComponents } from "../../mod.ts";
import type { LogEntry, RunResult } from "../../mod.ts";

function userLogs(result: RunResult): string[] {
  return result.logs.filter((entry) => entry.type === "log").map((entry) => entry.message);
}

function notices(result: RunResult): LogEntry[] {
  return result.logs.filter((entry) => entry.type === "notice");
}

function assertSame(actual: unknown, expected: unknown): void {
  deepStrictEqual(actual, expected);
}

Deno.test("runFlow fans out copies so no node sees another's change", async () => {
  const seen: unknown[] = [];
  const components = withComponents({
    "test.Mutate": {
      inputs: [{ name: "value", type: "list" }],
      outputs: [],
      run(inputs) {
        (inputs.value as unknown[]).push("changed");
      },
    },
    "test.Record": {
      inputs: [{ name: "value", type: "list" }],
      outputs: [],
      run(inputs) {
        seen.push(inputs.value);
      },
    },
  });
  const result = await runFlow({
    nodes: [
      { id: "src", component: "system.Get", variable_name: "list" },
      { id: "mutate", component: "test.Mutate" },
      { id: "record", component: "test.Record" },
    ],
    links: [{ source: "src:value", targets: ["mutate:value", "record:value"] }],
  }, { environment: { list: [1, 2] }, components });
  assertEquals(result.outcome, "completed");
  assertSame(seen, [[1, 2]]);
  assertSame(result.environment.list, [1, 2]);
});

Deno.test("runFlow joins two branches into one node", async () => {
  const result = await runFlow({
    nodes: [
      { id: "a", component: "system.Format1", inputs: { str1: "3" } },
      { id: "b", component: "system.Format1", inputs: { str1: "4" } },
      { id: "sum", component: "math.Addition" },
      { id: "log", component: "system.Log", template: "sum={value}" },
    ],
    links: [
      { source: "a:result", targets: ["sum:a"] },
      { source: "b:result", targets: ["sum:b"] },
      { source: "sum:a+b", targets: ["log:value"] },
    ],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), ["sum=7.0"]);
});

Deno.test("runFlow keeps FIFO order on a port across many values", async () => {
  const result = await runFlow({
    nodes: [
      {
        id: "count",
        component: "system.Increment",
        variable_name: "n",
        inputs: { value: "x" },
        execution: 200,
      },
      { id: "read", component: "system.Get", variable_name: "n", execution: 1 },
      { id: "numbers", component: "math.Addition", inputs: { a: "0", b: "1" }, execution: 200 },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "numbers:a+b", targets: ["log:value"] }],
    settings: { exec_mode: "multiple" },
  }, { bufferSize: 2 });
  assertEquals(result.outcome, "completed");
  assertEquals(userLogs(result).length, 200);
  assert(userLogs(result).every((line) => line === "1.0"));
  assertEquals(result.environment.n, 200);
});

Deno.test("runFlow delivers every value through a slow consumer with a small buffer", async () => {
  const received: number[] = [];
  let sent = 0;
  const components = withComponents({
    "test.Source": {
      inputs: [],
      outputs: [{ name: "n", type: "int" }],
      run: () => sent++,
    },
    "test.SlowSink": {
      inputs: [{ name: "n", type: "int" }],
      outputs: [],
      // Settles on a later macrotask, so the source outruns it and has to wait.
      run: (inputs) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            received.push(inputs.n as number);
            resolve();
          }, 0)
        ),
    },
  });
  const result = await runFlow({
    nodes: [
      { id: "source", component: "test.Source", execution: 50 },
      { id: "sink", component: "test.SlowSink" },
    ],
    links: [{ source: "source:n", targets: ["sink:n"] }],
    settings: { exec_mode: "multiple" },
  }, { components, bufferSize: 3 });
  assertEquals(result.outcome, "completed");
  assertSame(received, Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("runFlow lets other nodes run while system.Sleep waits", async () => {
  const controller = new AbortController();
  const result = await runFlow({
    nodes: [
      { id: "slow", component: "system.Sleep", inputs: { value: "late" }, duration: "30" },
      { id: "lateLog", component: "system.Log" },
      { id: "fast", component: "system.Sleep", inputs: { value: "early" }, duration: 0 },
      { id: "fastLog", component: "system.Log" },
    ],
    links: [
      { source: "slow:value", targets: ["lateLog:value"] },
      { source: "fast:value", targets: ["fastLog:value"] },
    ],
  }, {
    signal: controller.signal,
    onLog: (entry) => {
      if (entry.message === "early") controller.abort();
    },
  });
  assertEquals(result.outcome, "cancelled");
  assertSame(userLogs(result), ["early"]);
});

Deno.test("runFlow completes with an untaken branch", async () => {
  const result = await runFlow({
    nodes: [
      {
        id: "split",
        component: "logic.Splitter",
        inputs: { value: "7" },
        case: { type: "lesser_strict", test: "3" },
      },
      { id: "yes", component: "system.Log", template: "small {value}" },
      { id: "no", component: "system.Log", template: "big {value}" },
      { id: "join", component: "math.Addition" },
    ],
    links: [
      { source: "split:true", targets: ["yes:value", "join:a"] },
      { source: "split:false", targets: ["no:value", "join:b"] },
    ],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), ["big 7"]);
  assertSame(
    notices(result).map((n) => [n.node, n.message]),
    [["join", "values left unused (1 on 'b'): no value came on 'a'"]],
  );
});

Deno.test("runFlow fires nodes in readiness order for a loop", async () => {
  const result = await runFlow({
    nodes: [
      { id: "start", component: "system.Format1", inputs: { str1: "0" }, execution: 1 },
      { id: "add", component: "math.Addition", inputs: { b: "1" } },
      { id: "split", component: "logic.Splitter", case: { type: "lesser_strict", test: "3" } },
      { id: "log", component: "system.Log", template: "at {value}" },
      { id: "exit", component: "system.Exit" },
    ],
    links: [
      { source: "start:result", targets: ["add:a"] },
      { source: "add:a+b", targets: ["split:value"] },
      { source: "split:true", targets: ["add:a", "log:value"] },
      { source: "split:false", targets: ["exit:value"] },
    ],
    settings: { exec_mode: "loop" },
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), ["at 1.0", "at 2.0"]);
  assertSame(result.exit, { node: "exit", message: "3.0" });
});

Deno.test("runFlow ends an endless generator through system.Exit", async () => {
  const result = await runFlow({
    nodes: [
      { id: "tick", component: "system.Increment", variable_name: "ticks", inputs: { value: "t" } },
      { id: "read", component: "system.Get", variable_name: "ticks" },
      {
        id: "enough",
        component: "logic.Assert",
        case: { type: "lesser", test: "99" },
        exit: "exit",
        message: "stop at {value}",
      },
    ],
    links: [{ source: "read:value", targets: ["enough:value"] }],
    settings: { exec_mode: "multiple" },
  });
  assertEquals(result.outcome, "completed");
  const message = result.exit?.message ?? "";
  assert(/^stop at \d+$/.test(message), message);
  assert(Number(result.environment.ticks) >= 100);
});

Deno.test("runFlow stops every node when system.Exit fires during start", async () => {
  const result = await runFlow({
    nodes: [
      { id: "exit", component: "system.Exit", inputs: { value: "early exit" } },
      { id: "after", component: "system.Log", inputs: { value: "must not appear" } },
      { id: "set", component: "system.Set", variable_name: "x", inputs: { value: "1" } },
    ],
    links: [],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), []);
  assertSame(result.environment, {});
  assertSame(result.exit, { node: "exit", message: "early exit" });
});

Deno.test("runFlow drops pending values on exit in mid-run", async () => {
  const result = await runFlow({
    nodes: [
      { id: "src", component: "system.Format1", inputs: { str1: "v" } },
      { id: "exit", component: "system.Exit" },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "src:result", targets: ["exit:value", "log:value"] }],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), []);
});

Deno.test("runFlow restarts keeping the environment", async () => {
  const result = await runFlow({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "n" },
      { id: "inc", component: "system.Increment", variable_name: "n" },
      { id: "split", component: "logic.Splitter", case: { type: "lesser_strict", test: "2" } },
      { id: "again", component: "system.Restart", environment: "keep", message: "n was {value}" },
      { id: "done", component: "system.Set", variable_name: "done" },
    ],
    links: [
      { source: "get:value", targets: ["inc:value"] },
      { source: "inc:value", targets: ["split:value"] },
      { source: "split:true", targets: ["again:value"] },
      { source: "split:false", targets: ["done:value"] },
    ],
  }, { environment: { n: 0 } });
  assertEquals(result.outcome, "completed");
  assertEquals(result.restarts, 2);
  assertSame(notices(result).map((n) => n.message), [
    "restart (environment kept): n was 0",
    "restart (environment kept): n was 1",
  ]);
  assertSame(result.environment, { n: 3, done: 2 });
});

Deno.test("runFlow restarts resetting the environment until cancelled", async () => {
  const controller = new AbortController();
  let restarts = 0;
  const result = await runFlow({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "n" },
      { id: "inc", component: "system.Increment", variable_name: "n" },
      { id: "log", component: "system.Log", template: "n={value}" },
      { id: "again", component: "system.Restart" },
    ],
    links: [
      { source: "get:value", targets: ["inc:value"] },
      { source: "inc:value", targets: ["log:value", "again:value"] },
    ],
  }, {
    environment: { n: 0 },
    signal: controller.signal,
    onLog: (entry) => {
      if (entry.type === "notice" && entry.message.startsWith("restart") && ++restarts === 3) {
        controller.abort();
      }
    },
  });
  assertEquals(result.outcome, "cancelled");
  assert(userLogs(result).length >= 3);
  assert(userLogs(result).every((line) => line === "n=0"));
});

Deno.test("runFlow cancels promptly through its signal", async () => {
  const controller = new AbortController();
  const result = await runFlow({
    nodes: [
      { id: "src", component: "system.Format1", inputs: { str1: "tick" } },
      { id: "log", component: "system.Log" },
      { id: "wait", component: "system.Sleep", inputs: { value: "x" }, duration: 3600 },
    ],
    links: [{ source: "src:result", targets: ["log:value"] }],
    settings: { exec_mode: "multiple" },
  }, {
    signal: controller.signal,
    keepLogs: true,
    onLog: (entry) => {
      if (entry.type === "log") controller.abort();
    },
  });
  assertEquals(result.outcome, "cancelled");
  assertEquals(userLogs(result)[0], "tick");
});

Deno.test("runFlow reports cancelled when the signal is already aborted", async () => {
  const result = await runFlow(
    { nodes: [{ id: "log", component: "system.Log", inputs: { value: "x" } }], links: [] },
    { signal: AbortSignal.abort() },
  );
  assertEquals(result.outcome, "cancelled");
  assertSame(userLogs(result), []);
});

Deno.test("runFlow keeps the log written before a node error", async () => {
  const result = await runFlow({
    nodes: [
      { id: "before", component: "system.Log", inputs: { value: "first" } },
      { id: "div", component: "math.Division", inputs: { a: "1", b: "0" } },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "div:a/b", targets: ["log:value"] }],
  });
  assertEquals(result.outcome, "error");
  assertSame(userLogs(result), ["first"]);
  assertEquals(result.error?.node, "div");
  assertEquals(result.error?.component, "math.Division");
  assert(result.error?.message.includes("division by zero"));
});

Deno.test("runFlow fires a preset-only node exactly its execution count", async () => {
  const result = await runFlow({
    nodes: [{ id: "log", component: "system.Log", inputs: { value: "b" }, execution: "3" }],
    links: [],
    settings: { exec_mode: "multiple" },
  });
  assertSame(userLogs(result), ["b", "b", "b"]);
});

Deno.test("runFlow fires every node once in single mode whatever execution says", async () => {
  const result = await runFlow({
    nodes: [{ id: "log", component: "system.Log", inputs: { value: "b" }, execution: 3 }],
    links: [],
  });
  assertSame(userLogs(result), ["b"]);
});

Deno.test("runFlow disables a node with no linked or preset input", async () => {
  const result = await runFlow({
    nodes: [
      { id: "lonely", component: "system.Log" },
      { id: "nulled", component: "system.Log", inputs: { value: null } },
    ],
    links: [],
  });
  assertEquals(result.outcome, "completed");
  assertSame(
    notices(result).map((n) => [n.node, n.message]),
    [
      ["lonely", "disabled: none of its inputs is linked or preset"],
      ["nulled", "disabled: none of its inputs is linked or preset"],
    ],
  );
});

Deno.test("runFlow never fires a node whose any-type input is unset", async () => {
  const result = await runFlow({
    nodes: [
      { id: "a", component: "system.Format1", inputs: { str1: "1" } },
      { id: "cmp", component: "logic.Comparator", cases: [{ type: "equals", value: "same" }] },
      { id: "log", component: "system.Log" },
    ],
    links: [
      { source: "a:result", targets: ["cmp:value1"] },
      { source: "cmp:value", targets: ["log:value"] },
    ],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), []);
  assert(notices(result).some((n) => n.node === "cmp" && n.message.includes("'value2'")));
});

Deno.test("runFlow gives unlinked typed inputs their empty value", async () => {
  const result = await runFlow({
    nodes: [
      {
        id: "fmt",
        component: "system.Format2",
        inputs: { str1: "only" },
        template: "[{str1}|{str2}]",
      },
      { id: "add", component: "math.Addition", inputs: { a: "2" } },
      { id: "log", component: "system.Log" },
      { id: "set", component: "system.Set", variable_name: "sum" },
    ],
    links: [
      { source: "fmt:result", targets: ["log:value"] },
      { source: "add:a+b", targets: ["set:value"] },
    ],
  });
  assertSame(userLogs(result), ["[only|]"]);
  assertEquals(String(result.environment.sum), "2.0");
});

Deno.test("runFlow ignores a preset on a linked input", async () => {
  const result = await runFlow({
    nodes: [
      { id: "src", component: "system.Format1", inputs: { str1: "from link" } },
      { id: "log", component: "system.Log", inputs: { value: "from preset" } },
    ],
    links: [{ source: "src:result", targets: ["log:value"] }],
  });
  assertSame(userLogs(result), ["from link"]);
});

Deno.test("runFlow sends to the targets of both links from one output", async () => {
  const result = await runFlow({
    nodes: [
      { id: "src", component: "system.Format1", inputs: { str1: "x" } },
      { id: "a", component: "system.Log", template: "A {value}" },
      { id: "b", component: "system.Log", template: "B {value}" },
    ],
    links: [
      { source: "src:result", targets: ["a:value"] },
      { source: "src:result", targets: ["b:value"] },
    ],
  });
  assertSame(userLogs(result), ["A x", "B x"]);
});

Deno.test("runFlow turns numbers from a foreign float output into floats", async () => {
  const components = withComponents({
    "test.Half": {
      inputs: [{ name: "x", type: "float" }],
      outputs: [{ name: "y", type: "float" }],
      run: (inputs) => {
        if (typeof inputs.x !== "number") throw new Error("expected a plain number");
        return inputs.x / 2;
      },
    },
  });
  const result = await runFlow({
    nodes: [
      { id: "half", component: "test.Half", inputs: { x: "8" } },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "half:y", targets: ["log:value"] }],
  }, { components });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), ["4.0"]);
});

Deno.test("runFlow lets a component stop itself or skip a firing", async () => {
  let next = 1;
  const components = withComponents({
    "test.Count": { inputs: [], outputs: [{ name: "n", type: "int" }], run: () => next++ },
    "test.Gate": {
      inputs: [{ name: "n", type: "int" }],
      outputs: [{ name: "n", type: "int" }],
      run(inputs, context) {
        const n = inputs.n as number;
        if (n === 2) context.skip();
        if (n === 4) context.stop("four is enough");
        return n;
      },
    },
  });
  const result = await runFlow({
    nodes: [
      { id: "count", component: "test.Count", execution: 6 },
      { id: "gate", component: "test.Gate" },
      { id: "log", component: "system.Log" },
    ],
    links: [
      { source: "count:n", targets: ["gate:n"] },
      { source: "gate:n", targets: ["log:value"] },
    ],
    settings: { exec_mode: "multiple" },
  }, { components });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), ["1", "3"]);
  assert(notices(result).some((n) => n.node === "gate" && n.message === "stopped: four is enough"));
});

Deno.test("runFlow reports a component's thrown error with node and component", async () => {
  const components = withComponents({
    "test.Broken": {
      inputs: [],
      outputs: [],
      run: () => Promise.reject(new Error("device offline")),
    },
  });
  const result = await runFlow({ nodes: [{ id: "dev", component: "test.Broken" }], links: [] }, {
    components,
  });
  assertEquals(result.outcome, "error");
  assertSame(result.error, {
    node: "dev",
    component: "test.Broken",
    message: "node 'dev' (test.Broken) failed: device offline",
  });
});

Deno.test("runFlow keeps floats written as 7.0 in the environment", async () => {
  const result = await runFlow({ nodes: [], links: [] }, { environment: { x: new Float(7) } });
  assertEquals(JSON.stringify(result.environment), '{"x":7.0}');
});

Deno.test("runFlow explains a loop stuck on full buffers", async () => {
  const result = await runFlow({
    nodes: [
      { id: "seed", component: "system.Format1", inputs: { str1: "x" }, execution: 1 },
      { id: "double", component: "system.Format1" },
    ],
    links: [
      { source: "seed:result", targets: ["double:str1"] },
      { source: "double:result", targets: ["double:str1", "double:str1"] },
    ],
    settings: { exec_mode: "loop" },
  }, { bufferSize: 4 });
  assertEquals(result.outcome, "completed");
  assertSame(notices(result).map((n) => n.message), [
    "values left unused (4 on 'str1'): its outputs stayed full, because a loop in the flow " +
    "produces more values than it consumes",
  ]);
});

Deno.test("system.Get notes a variable that is not set", async () => {
  const result = await runFlow({
    nodes: [
      { id: "who", component: "system.Get", variable_name: "who" },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "who:value", targets: ["log:value"] }],
  });
  assertEquals(result.outcome, "completed");
  assertSame(userLogs(result), []);
  assertSame(notices(result).map((n) => [n.node, n.message]), [
    ["who", "variable 'who' is not set, so nothing was sent"],
  ]);
});
