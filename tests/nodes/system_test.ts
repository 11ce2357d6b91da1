/**
 * Tests of the `system.*` components, run through `runFlow` with flows
 * written as the editor writes them (presets as text).
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { Float, toJsonText } from "../../engine/values.ts";
import { appendingComponents, logged, notices, run, userLogs } from "./_flow.ts";

// system.Log

Deno.test("system.Log writes the value by default", async () => {
  const result = await run({
    nodes: [{ id: "log", component: "system.Log", inputs: { value: "hello" } }],
    links: [],
  });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["hello"]);
});

Deno.test("system.Log fills a custom template", async () => {
  const result = await run({
    nodes: [{ id: "log", component: "system.Log", template: "v={value}!", inputs: { value: "3" } }],
    links: [],
  });

  deepStrictEqual(userLogs(result), ["v=3!"]);
});

Deno.test("system.Log names its node in the log", async () => {
  const result = await run({
    nodes: [{ id: "log", component: "system.Log", inputs: { value: "hello" } }],
    links: [],
  });
  const entry = result.logs[0];

  strictEqual(entry?.type, "log");
  strictEqual(entry?.node, "log");
  strictEqual(entry?.component, "system.Log");
});

Deno.test("system.Log prints a float as 7.0", async () => {
  const result = await run(logged({ component: "system.Get", variable_name: "x" }), {
    environment: { x: new Float(7) },
  });

  deepStrictEqual(userLogs(result), ["7.0"]);
});

Deno.test("system.Log prints lists as compact JSON", async () => {
  const result = await run(logged({ component: "system.Get", variable_name: "x" }), {
    environment: { x: [1, "a", new Float(2)] },
  });

  deepStrictEqual(userLogs(result), ['[1,"a",2.0]']);
});

Deno.test("system.Log fails on unknown placeholder", async () => {
  const result = await run({
    nodes: [{ id: "log", component: "system.Log", template: "{nope}", inputs: { value: "hi" } }],
    links: [],
  });

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "log");
  strictEqual(result.error?.component, "system.Log");
  strictEqual(
    result.error?.message,
    `node 'log' (system.Log) failed: template "{nope}" uses {nope}, which nothing fills ` +
      `(available: {value}; write {{ and }} for literal braces)`,
  );
});

// system.Sleep

function sleepFlow(duration: unknown): unknown {
  return {
    nodes: [
      { id: "sleep", component: "system.Sleep", duration, inputs: { value: "woke" } },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "sleep:value", targets: ["log:value"] }],
  };
}

Deno.test("system.Sleep takes a number duration", async () => {
  const result = await run(sleepFlow(0.01));

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["woke"]);
});

Deno.test("system.Sleep takes a text duration", async () => {
  const result = await run(sleepFlow("0.01"));

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["woke"]);
});

Deno.test("system.Sleep takes a decimal comma", async () => {
  const result = await run(sleepFlow("0,01"));

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["woke"]);
});

Deno.test("system.Sleep takes zero and no duration", async () => {
  const zero = await run(sleepFlow("0"));
  const absent = await run(sleepFlow(undefined));

  deepStrictEqual(userLogs(zero), ["woke"]);
  deepStrictEqual(userLogs(absent), ["woke"]);
});

Deno.test("system.Sleep passes the value on unchanged", async () => {
  const result = await run({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "list" },
      { id: "sleep", component: "system.Sleep", duration: "0,01" },
      { id: "set", component: "system.Set", variable_name: "slept" },
    ],
    links: [
      { source: "get:value", targets: ["sleep:value"] },
      { source: "sleep:value", targets: ["set:value"] },
    ],
  }, { environment: { list: [1, { a: new Float(2) }] } });

  strictEqual(result.outcome, "completed");
  strictEqual(toJsonText(result.environment.slept), '[1,{"a":2.0}]');
});

Deno.test("system.Sleep does not block other nodes", async () => {
  const result = await run({
    nodes: [
      { id: "sleep", component: "system.Sleep", duration: "0,01", inputs: { value: "slow" } },
      { id: "logSlow", component: "system.Log" },
      { id: "logFast", component: "system.Log", inputs: { value: "fast" } },
    ],
    links: [{ source: "sleep:value", targets: ["logSlow:value"] }],
  });

  deepStrictEqual(userLogs(result), ["fast", "slow"]);
});

Deno.test("system.Sleep rejects non-numeric duration", async () => {
  const result = await run({
    nodes: [
      { id: "log", component: "system.Log", inputs: { value: "never" } },
      { id: "sleep", component: "system.Sleep", duration: "abc", inputs: { value: "x" } },
    ],
    links: [],
  });

  strictEqual(result.outcome, "refused");
  deepStrictEqual(result.problems, [{
    path: "nodes[1].duration",
    message: `must be a number of seconds of 0 or more (such as 2 or "0,5"), got "abc"`,
  }]);
  deepStrictEqual(result.logs, []);
});

Deno.test("system.Sleep rejects negative duration", async () => {
  const result = await run(sleepFlow(-1));

  strictEqual(result.outcome, "refused");
  strictEqual(result.problems[0]?.path, "nodes[0].duration");
});

Deno.test("system.Sleep rejects boolean duration", async () => {
  const result = await run(sleepFlow(true));

  strictEqual(result.outcome, "refused");
  strictEqual(result.problems[0]?.path, "nodes[0].duration");
});

Deno.test("system.Sleep stops at cancellation", async () => {
  const controller = new AbortController();
  const result = await run({
    nodes: [
      { id: "sleep", component: "system.Sleep", duration: 3600, inputs: { value: "late" } },
      { id: "logLate", component: "system.Log" },
      { id: "logNow", component: "system.Log", inputs: { value: "now" } },
    ],
    links: [{ source: "sleep:value", targets: ["logLate:value"] }],
  }, { signal: controller.signal, onLog: () => controller.abort() });

  strictEqual(result.outcome, "cancelled");
  deepStrictEqual(userLogs(result), ["now"]);
});

Deno.test("system.Sleep is cut short by an exit", async () => {
  const result = await run({
    nodes: [
      { id: "sleep", component: "system.Sleep", duration: 3600, inputs: { value: "late" } },
      { id: "logLate", component: "system.Log" },
      { id: "exit", component: "system.Exit", inputs: { value: "stop" } },
    ],
    links: [{ source: "sleep:value", targets: ["logLate:value"] }],
  });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(result.exit, { node: "exit", message: "stop" });
  deepStrictEqual(userLogs(result), []);
});

// setTimeout takes at most 2^31 - 1 ms (about 24.8 days) and fires after 1 ms for longer delays,
// so a 30-day pause ends at once.
Deno.test({
  name: "system.Sleep waits longer than 24.8 days",
  async fn() {
    const controller = new AbortController();
    const result = await run({
      nodes: [
        {
          id: "sleep",
          component: "system.Sleep",
          duration: 30 * 86_400,
          inputs: { value: "late" },
        },
        { id: "logLate", component: "system.Log" },
        { id: "logNow", component: "system.Log", inputs: { value: "now" } },
      ],
      links: [{ source: "sleep:value", targets: ["logLate:value"] }],
    }, {
      signal: controller.signal,
      // A pause cut to 1 ms would end before this 10 ms timer, which was started after it.
      onLog: () => setTimeout(() => controller.abort(), 10),
    });

    strictEqual(result.outcome, "cancelled");
    deepStrictEqual(userLogs(result), ["now"]);
  },
});

// system.Exit

Deno.test("system.Exit ends the run with its value", async () => {
  const result = await run({
    nodes: [
      { id: "exit", component: "system.Exit", inputs: { value: "bye" } },
      { id: "log", component: "system.Log", inputs: { value: "after" } },
    ],
    links: [],
  });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(result.exit, { node: "exit", message: "bye" });
  deepStrictEqual(notices(result), ["exit: bye"]);
  deepStrictEqual(userLogs(result), []);
});

Deno.test("system.Exit prints a float message as 7.0", async () => {
  const result = await run({
    nodes: [
      { id: "add", component: "math.Addition", inputs: { a: "3", b: "4" } },
      { id: "exit", component: "system.Exit" },
    ],
    links: [{ source: "add:a+b", targets: ["exit:value"] }],
  });

  deepStrictEqual(result.exit, { node: "exit", message: "7.0" });
});

Deno.test("system.Exit with empty value", async () => {
  const result = await run({
    nodes: [{ id: "exit", component: "system.Exit", inputs: { value: "" } }],
    links: [],
  });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(result.exit, { node: "exit", message: "" });
  deepStrictEqual(notices(result), ["exit"]);
});

// system.Restart

// The flow counts attempts in `n`. Increment fires first (its input is preset), then Get reads
// the new count.
function restartFlow(restart: Record<string, unknown>): unknown {
  return {
    nodes: [
      { id: "inc", component: "system.Increment", variable_name: "n", inputs: { value: "go" } },
      { id: "get", component: "system.Get", variable_name: "n" },
      { id: "split", component: "logic.Splitter", case: { type: "lesser_strict", test: "3" } },
      { id: "again", component: "system.Restart", ...restart },
      { id: "done", component: "system.Log", template: "done at {value}" },
    ],
    links: [
      { source: "get:value", targets: ["split:value"] },
      { source: "split:true", targets: ["again:value"] },
      { source: "split:false", targets: ["done:value"] },
    ],
  };
}

Deno.test("system.Restart keeps the environment", async () => {
  const result = await run(restartFlow({ environment: "keep", message: "n is {value}" }));

  strictEqual(result.outcome, "completed");
  strictEqual(result.restarts, 2);
  deepStrictEqual(result.environment, { n: 3 });
  deepStrictEqual(userLogs(result), ["done at 3"]);
  deepStrictEqual(notices(result), [
    "restart (environment kept): n is 1",
    "restart (environment kept): n is 2",
  ]);
});

Deno.test("system.Restart takes the mode in any case", async () => {
  const result = await run(restartFlow({ environment: "KEEP" }));

  strictEqual(result.outcome, "completed");
  strictEqual(result.restarts, 2);
  deepStrictEqual(notices(result), [
    "restart (environment kept)",
    "restart (environment kept)",
  ]);
});

async function cancelAfterRestarts(
  restart: Record<string, unknown>,
  count: number,
): Promise<Awaited<ReturnType<typeof run>>> {
  const controller = new AbortController();
  let seen = 0;
  return await run(restartFlow(restart), {
    environment: { n: 0 },
    signal: controller.signal,
    onLog: (entry) => {
      // Aborting after the notice lets the restart that wrote it finish first.
      if (entry.message.startsWith("restart") && ++seen === count) {
        queueMicrotask(() => controller.abort());
      }
    },
  });
}

Deno.test("system.Restart resets the environment", async () => {
  const result = await cancelAfterRestarts({ environment: "reset", message: "n is {value}" }, 3);

  strictEqual(result.outcome, "cancelled");
  strictEqual(result.restarts, 3);
  deepStrictEqual(notices(result), [
    "restart (environment reset): n is 1",
    "restart (environment reset): n is 1",
    "restart (environment reset): n is 1",
  ]);
  deepStrictEqual(userLogs(result), []);
});

Deno.test("system.Restart resets by default", async () => {
  const result = await cancelAfterRestarts({}, 2);

  strictEqual(result.outcome, "cancelled");
  deepStrictEqual(notices(result), [
    "restart (environment reset)",
    "restart (environment reset)",
  ]);
});

Deno.test("system.Restart rejects unknown environment mode", async () => {
  const result = await run(restartFlow({ environment: "sometimes" }));

  strictEqual(result.outcome, "refused");
  deepStrictEqual(result.problems[0], {
    path: "nodes[3].environment",
    message: `must be "keep" or "reset", got "sometimes"`,
  });
});

Deno.test("system.Restart fails on unknown placeholder", async () => {
  const result = await run(restartFlow({ message: "{nope}" }));

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "again");
  ok(result.error?.message.includes("{nope}"), result.error?.message);
});

// system.Format1/2/3

async function formatted(node: Record<string, unknown>): Promise<string[]> {
  const result = await run(logged(node, "result"));
  strictEqual(result.outcome, "completed", result.error?.message);
  return userLogs(result);
}

Deno.test("system.Format1 fills {str1} by default", async () => {
  deepStrictEqual(await formatted({ component: "system.Format1", inputs: { str1: "a" } }), ["a"]);
});

Deno.test("system.Format2 joins two texts by default", async () => {
  const node = { component: "system.Format2", inputs: { str1: "a", str2: "b" } };

  deepStrictEqual(await formatted(node), ["ab"]);
});

Deno.test("system.Format3 joins three texts by default", async () => {
  const node = { component: "system.Format3", inputs: { str1: "a", str2: "b", str3: "c" } };

  deepStrictEqual(await formatted(node), ["abc"]);
});

Deno.test("system.Format3 fills a custom template", async () => {
  const node = {
    component: "system.Format3",
    template: "{str3}/{str2}/{str1} {{x}}",
    inputs: { str1: "a", str2: "b", str3: "c" },
  };

  deepStrictEqual(await formatted(node), ["c/b/a {x}"]);
});

Deno.test("system.Format2 fills an unset input with empty text", async () => {
  const node = { component: "system.Format2", template: "[{str2}]-{str1}", inputs: { str1: "a" } };

  deepStrictEqual(await formatted(node), ["[]-a"]);
});

Deno.test("system.Format1 prints presets as the old engine", async () => {
  deepStrictEqual(await formatted({ component: "system.Format1", inputs: { str1: 7 } }), ["7"]);
  deepStrictEqual(await formatted({ component: "system.Format1", inputs: { str1: 7.5 } }), ["7.5"]);
  deepStrictEqual(
    await formatted({ component: "system.Format1", inputs: { str1: new Float(7) } }),
    ["7.0"],
  );
  deepStrictEqual(await formatted({ component: "system.Format1", inputs: { str1: true } }), [
    "True",
  ]);
});

Deno.test("system.Format2 prints linked integers and floats", async () => {
  const result = await run({
    nodes: [
      { id: "add", component: "math.Addition", inputs: { a: "3", b: "4" } },
      { id: "get", component: "system.Get", variable_name: "n" },
      { id: "format", component: "system.Format2", template: "{str1}|{str2}" },
      { id: "log", component: "system.Log" },
    ],
    links: [
      { source: "add:a+b", targets: ["format:str1"] },
      { source: "get:value", targets: ["format:str2"] },
      { source: "format:result", targets: ["log:value"] },
    ],
  }, { environment: { n: 7 } });

  deepStrictEqual(userLogs(result), ["7.0|7"]);
});

Deno.test("system.Format1 fails on unknown placeholder", async () => {
  const result = await run(
    logged({ component: "system.Format1", template: "{str2}", inputs: { str1: "a" } }, "result"),
  );

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "system.Format1");
  ok(result.error?.message.includes("{str2}"), result.error?.message);
  ok(result.error?.message.includes("available: {str1}"), result.error?.message);
});

// system.Get

Deno.test("system.Get sends the variable's value", async () => {
  const result = await run(logged({ component: "system.Get", variable_name: "who" }), {
    environment: { who: "world" },
  });

  deepStrictEqual(userLogs(result), ["world"]);
});

Deno.test("system.Get of missing variable sends nothing", async () => {
  const result = await run(logged({ component: "system.Get", variable_name: "nope" }), {
    environment: { other: 1 },
  });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), []);
  deepStrictEqual(result.environment, { other: 1 });
});

Deno.test("system.Get sends a copy of the value", async () => {
  const components = appendingComponents();
  const result = await run({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "list" },
      { id: "append", component: "test.Append" },
      { id: "set", component: "system.Set", variable_name: "changed" },
    ],
    links: [
      { source: "get:value", targets: ["append:value"] },
      { source: "append:value", targets: ["set:value"] },
    ],
  }, { environment: { list: [1] }, components });

  strictEqual(result.outcome, "completed", result.error?.message);
  deepStrictEqual(result.environment.list, [1]);
  deepStrictEqual(result.environment.changed, [1, "added"]);
});

Deno.test("system.Get requires variable_name", async () => {
  const result = await run(logged({ component: "system.Get" }));

  strictEqual(result.outcome, "refused");
  strictEqual(result.problems[0]?.path, "nodes[0].variable_name");
});

// system.Set

Deno.test("system.Set writes the variable", async () => {
  const result = await run({
    nodes: [{ id: "set", component: "system.Set", variable_name: "x", inputs: { value: "5" } }],
    links: [],
  }, { environment: { x: 1, kept: "k" } });

  strictEqual(result.outcome, "completed");
  deepStrictEqual(result.environment, { x: "5", kept: "k" });
});

Deno.test("system.Set stores a float as 7.0", async () => {
  const result = await run({
    nodes: [
      { id: "add", component: "math.Addition", inputs: { a: "3", b: "4" } },
      { id: "set", component: "system.Set", variable_name: "sum" },
    ],
    links: [{ source: "add:a+b", targets: ["set:value"] }],
  });

  ok(result.environment.sum instanceof Float, "the sum is a Float");
  strictEqual(toJsonText(result.environment), '{"sum":7.0}');
});

Deno.test("system.Set leaves the initial environment unchanged", async () => {
  const initial = { x: 1, list: [1] };
  await run({
    nodes: [{ id: "set", component: "system.Set", variable_name: "x", inputs: { value: "5" } }],
    links: [],
  }, { environment: initial });

  deepStrictEqual(initial, { x: 1, list: [1] });
});

// system.Date

Deno.test("system.Date writes the default format", async () => {
  const result = await run(logged({ component: "system.Date" }, "date"));

  strictEqual(result.outcome, "completed");
  strictEqual(userLogs(result).length, 1);
  match(userLogs(result)[0] ?? "", /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
});

Deno.test("system.Date writes a custom format", async () => {
  const result = await run(logged({ component: "system.Date", format: "%Y-%m-%dT%H" }, "date"));

  strictEqual(userLogs(result).length, 1);
  match(userLogs(result)[0] ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}$/);
});

// system.Increment and system.Decrement

async function counted(component: string, start: unknown): Promise<unknown> {
  const environment = start === undefined ? {} : { n: start };
  const result = await run({
    nodes: [{ id: "count", component, variable_name: "n", inputs: { value: "x" } }],
    links: [],
  }, { environment });
  strictEqual(result.outcome, "completed", result.error?.message);
  return result.environment.n;
}

Deno.test("system.Increment adds 1 to the integer part", async (t) => {
  const cases: [string, unknown, number][] = [
    ['"7"', "7", 8],
    ['" 8 "', " 8 ", 9],
    ["7", 7, 8],
    ["2.9", 2.9, 3],
    ["Float 2.9", new Float(2.9), 3],
    ["-2.9", -2.9, -1],
    ["missing", undefined, 1],
    ["null", null, 1],
  ];
  for (const [name, start, expected] of cases) {
    await t.step(name, async () => {
      strictEqual(await counted("system.Increment", start), expected);
    });
  }
});

Deno.test("system.Decrement removes 1 from the integer part", async (t) => {
  const cases: [string, unknown, number][] = [
    ['"7"', "7", 6],
    ["7", 7, 6],
    ["2.9", 2.9, 1],
    ["Float 2.9", new Float(2.9), 1],
    ["-2.9", -2.9, -3],
    ["missing", undefined, -1],
  ];
  for (const [name, start, expected] of cases) {
    await t.step(name, async () => {
      strictEqual(await counted("system.Decrement", start), expected);
    });
  }
});

Deno.test("system.Increment passes the value on", async () => {
  const result = await run({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "item" },
      { id: "inc", component: "system.Increment", variable_name: "n" },
      { id: "log", component: "system.Log" },
    ],
    links: [
      { source: "get:value", targets: ["inc:value"] },
      { source: "inc:value", targets: ["log:value"] },
    ],
  }, { environment: { item: [1, "a"], n: 4 } });

  deepStrictEqual(userLogs(result), ['[1,"a"]']);
  strictEqual(result.environment.n, 5);
});

Deno.test("system.Decrement passes the value on", async () => {
  const result = await run(
    logged({ component: "system.Decrement", variable_name: "n", inputs: { value: "item" } }),
  );

  deepStrictEqual(userLogs(result), ["item"]);
  strictEqual(result.environment.n, -1);
});

Deno.test("system.Increment counts each firing", async () => {
  const result = await run({
    nodes: [{
      id: "inc",
      component: "system.Increment",
      variable_name: "n",
      execution: 3,
      inputs: { value: "x" },
    }],
    links: [],
    settings: { exec_mode: "multi" },
  });

  strictEqual(result.outcome, "completed");
  strictEqual(result.environment.n, 3);
});

Deno.test("system.Increment fails on non-numeric variable", async () => {
  const result = await run(
    logged({ component: "system.Increment", variable_name: "n", inputs: { value: "x" } }),
    { environment: { n: "abc" } },
  );

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "system.Increment");
  strictEqual(
    result.error?.message,
    `node 'node' (system.Increment) failed: variable 'n' contains "abc", which is not a number; ` +
      `set it to a number before this node runs`,
  );
  deepStrictEqual(userLogs(result), []);
  deepStrictEqual(result.environment, { n: "abc" });
});

Deno.test("system.Decrement fails on non-numeric variable", async () => {
  const result = await run(
    logged({ component: "system.Decrement", variable_name: "n", inputs: { value: "x" } }),
    { environment: { n: [1] } },
  );

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "system.Decrement");
  ok(result.error?.message.includes("variable 'n' contains [1]"), result.error?.message);
});
