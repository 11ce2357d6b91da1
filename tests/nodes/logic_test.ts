/**
 * Tests of the `logic.*` components, run through `runFlow` with flows
 * written as the editor writes them (presets as text).
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { RunResult } from "../../engine/types.ts";
import { appendingComponents, logged, notices, run, userLogs } from "./_flow.ts";

/** Runs one node whose output feeds a `system.Set` of `out`, and returns what it stored. */
async function sent(node: Record<string, unknown>): Promise<unknown> {
  const result = await run({
    nodes: [{ id: "node", ...node }, { id: "set", component: "system.Set", variable_name: "out" }],
    links: [{ source: "node:value", targets: ["set:value"] }],
  });
  strictEqual(result.outcome, "completed", result.error?.message);
  return result.environment.out;
}

// logic.Switch

const SWITCH = {
  component: "logic.Switch",
  cases: [
    { type: "equals", test: "a", value: "is a" },
    { type: "contains", test: "a", value: "has a: {value}" },
    { type: "contains", test: "n", value: 5 },
  ],
  default: "other {value}",
};

Deno.test("logic.Switch sends the first matching case", async () => {
  strictEqual(await sent({ ...SWITCH, inputs: { value: "a" } }), "is a");
});

Deno.test("logic.Switch fills {value} in the case value", async () => {
  strictEqual(await sent({ ...SWITCH, inputs: { value: "bat" } }), "has a: bat");
});

Deno.test("logic.Switch sends non-text case values unchanged", async () => {
  strictEqual(await sent({ ...SWITCH, inputs: { value: "no" } }), 5);
});

Deno.test("logic.Switch sends the default", async () => {
  strictEqual(await sent({ ...SWITCH, inputs: { value: "xyz" } }), "other xyz");
});

Deno.test("logic.Switch without default sends empty text", async () => {
  const node = {
    component: "logic.Switch",
    cases: [{ type: "equals", test: "a", value: "A" }],
    inputs: { value: "q" },
  };

  strictEqual(await sent(node), "");
});

Deno.test("logic.Switch without cases sends the default", async () => {
  strictEqual(await sent({ component: "logic.Switch", inputs: { value: "q" } }), "");
  strictEqual(
    await sent({ component: "logic.Switch", default: "d {value}", inputs: { value: "q" } }),
    "d q",
  );
});

Deno.test("logic.Switch compares numeric text", async (t) => {
  // [type, value, test, whether the case matches]
  const cases: [string, string, string, boolean][] = [
    ["greater", "5", "5", true],
    ["greater_strict", "5", "5", false],
    ["greater_strict", "5.5", "5", true],
    ["greater_strict", "10", "9", true],
    ["lesser", "5", "5", true],
    ["lesser_strict", "5", "5", false],
    ["lesser_strict", "-1", "0", true],
  ];
  for (const [type, value, test, matches] of cases) {
    await t.step(`${value} ${type} ${test}`, async () => {
      const node = {
        component: "logic.Switch",
        cases: [{ type, test, value: "yes {value}" }],
        default: "no {value}",
        inputs: { value },
      };

      strictEqual(await sent(node), `${matches ? "yes" : "no"} ${value}`);
    });
  }
});

Deno.test("logic.Switch equals tells number from text", async () => {
  const node = {
    component: "logic.Switch",
    cases: [{ type: "equals", test: "3", value: "same" }],
    default: "different",
    inputs: { value: 3 },
  };

  strictEqual(await sent(node), "different");
});

Deno.test("logic.Switch fails on unknown test type", async () => {
  const result = await run(logged({
    component: "logic.Switch",
    cases: [{ type: "bigger", test: "a", value: "A" }],
    inputs: { value: "q" },
  }));

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "logic.Switch");
  ok(
    result.error?.message.startsWith(
      `node 'node' (logic.Switch) failed: unknown test type "bigger"; use one of: equals,`,
    ),
    result.error?.message,
  );
});

Deno.test("logic.Switch rejects a case without value", async () => {
  const result = await run(logged({
    component: "logic.Switch",
    cases: [{ type: "equals", test: "a" }],
    inputs: { value: "q" },
  }));

  strictEqual(result.outcome, "refused");
  deepStrictEqual(result.problems[0], {
    path: "nodes[0].cases[0].value",
    message: "missing: the value or template sent when the case matches",
  });
});

Deno.test("logic.Switch rejects a case without type", async () => {
  const result = await run(logged({
    component: "logic.Switch",
    cases: [{ test: "a", value: "A" }],
    inputs: { value: "q" },
  }));

  strictEqual(result.outcome, "refused");
  strictEqual(result.problems[0]?.path, "nodes[0].cases[0].type");
});

// A component that changes what it receives must not change the case value in the settings.
Deno.test({
  name: "logic.Switch sends a copy of a list case value",
  async fn() {
    const components = appendingComponents();
    const result = await run({
      nodes: [
        {
          id: "switch",
          component: "logic.Switch",
          cases: [{ type: "equals", test: "a", value: ["x"] }],
          execution: 2,
          inputs: { value: "a" },
        },
        { id: "append", component: "test.Append" },
        { id: "log", component: "system.Log" },
      ],
      links: [
        { source: "switch:value", targets: ["append:value"] },
        { source: "append:value", targets: ["log:value"] },
      ],
      settings: { exec_mode: "multi" },
    }, { components });

    deepStrictEqual(userLogs(result), ['["x","added"]', '["x","added"]']);
  },
});

// logic.Splitter

function splitterFlow(value: unknown, test?: Record<string, unknown>): unknown {
  return {
    nodes: [
      {
        id: "split",
        component: "logic.Splitter",
        ...(test ? { case: test } : {}),
        inputs: { value },
      },
      { id: "yes", component: "system.Log", template: "true {value}" },
      { id: "no", component: "system.Log", template: "false {value}" },
    ],
    links: [
      { source: "split:true", targets: ["yes:value"] },
      { source: "split:false", targets: ["no:value"] },
    ],
  };
}

Deno.test("logic.Splitter sends a passing value to true", async () => {
  const result = await run(splitterFlow("7", { type: "greater", test: "5" }));

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["true 7"]);
});

Deno.test("logic.Splitter sends a failing value to false", async () => {
  const result = await run(splitterFlow("3", { type: "greater", test: "5" }));

  strictEqual(result.outcome, "completed");
  deepStrictEqual(userLogs(result), ["false 3"]);
});

Deno.test("logic.Splitter without case tests equals empty text", async () => {
  const empty = await run(splitterFlow(""));
  const text = await run(splitterFlow("x"));

  deepStrictEqual(userLogs(empty), ["true "]);
  deepStrictEqual(userLogs(text), ["false x"]);
});

Deno.test("logic.Splitter applies a regex case", async () => {
  const result = await run(splitterFlow("order-42", { type: "regex", test: "-(?P<id>\\d+)$" }));

  deepStrictEqual(userLogs(result), ["true order-42"]);
});

Deno.test("logic.Splitter fails on unknown test type", async () => {
  const result = await run(splitterFlow("x", { type: "nope", test: "x" }));

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "split");
  ok(result.error?.message.includes(`unknown test type "nope"`), result.error?.message);
});

// logic.Comparator

function comparator(
  value1: unknown,
  value2: unknown,
  cases: unknown[],
  fallback?: unknown,
): Record<string, unknown> {
  return {
    component: "logic.Comparator",
    cases,
    ...(fallback === undefined ? {} : { default: fallback }),
    inputs: { value1, value2 },
  };
}

Deno.test("logic.Comparator applies each test type", async (t) => {
  // [type, value1, value2, whether the case matches]
  const cases: [string, unknown, unknown, boolean][] = [
    ["equals", "a", "a", true],
    ["equals", 1, "1", false],
    ["greater", "10", "9", true],
    ["greater", "9", "9", true],
    ["greater", "8", "9", false],
    ["greater_strict", "2", "2.0", false],
    ["greater_strict", "3", "2.0", true],
    ["lesser", "2", "2.0", true],
    ["lesser", "3", "2", false],
    ["lesser_strict", "-3", "1", true],
    ["lesser_strict", "1", "1", false],
    ["contains", "haystack", "st", true],
    ["contains", "haystack", "needle", false],
    ["starts_with", "haystack", "hay", true],
    ["starts_with", "haystack", "stack", false],
    ["ends_with", "haystack", "stack", true],
    ["ends_with", "haystack", "hay", false],
    ["regex", "order-42", "\\d+$", true],
    ["regex", "order-42", "^\\d+", false],
  ];
  for (const [type, value1, value2, matches] of cases) {
    await t.step(`${JSON.stringify(value1)} ${type} ${JSON.stringify(value2)}`, async () => {
      const node = comparator(value1, value2, [{ type, value: "yes" }], "no");

      strictEqual(await sent(node), matches ? "yes" : "no");
    });
  }
});

Deno.test("logic.Comparator fills {value1} and {value2}", async () => {
  const node = comparator("10", "9", [{ type: "greater", value: "{value1}>={value2}" }], "no");

  strictEqual(await sent(node), "10>=9");
});

Deno.test("logic.Comparator fills the default template", async () => {
  const node = comparator(
    "haystack",
    "hay",
    [{ type: "ends_with", value: "ends" }],
    "{value1}/{value2}",
  );

  strictEqual(await sent(node), "haystack/hay");
});

Deno.test("logic.Comparator sends the first matching case", async () => {
  const node = comparator("5", "5", [
    { type: "lesser_strict", value: "lt" },
    { type: "greater", value: "ge" },
    { type: "equals", value: "eq" },
  ], "no");

  strictEqual(await sent(node), "ge");
});

Deno.test("logic.Comparator without default sends empty text", async () => {
  strictEqual(await sent(comparator("a", "b", [{ type: "equals", value: "same" }])), "");
});

Deno.test("logic.Comparator uses value2 as regex pattern", async () => {
  const node = comparator("2026-01-05", "^(?P<year>\\d{4})-", [
    { type: "regex", value: "year of {value1}" },
  ], "no");

  strictEqual(await sent(node), "year of 2026-01-05");
});

Deno.test("logic.Comparator fails on invalid regex", async () => {
  const result = await run(logged(comparator("text", "(", [{ type: "regex", value: "m" }])));

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "logic.Comparator");
  ok(
    result.error?.message.startsWith(
      `node 'node' (logic.Comparator) failed: invalid regular expression "(": `,
    ),
    result.error?.message,
  );
});

Deno.test("logic.Comparator fails on unknown test type", async () => {
  const result = await run(logged(comparator("a", "a", [{ type: "same", value: "m" }])));

  strictEqual(result.outcome, "error");
  ok(result.error?.message.includes(`unknown test type "same"`), result.error?.message);
});

// logic.Assert

async function asserted(settings: Record<string, unknown>, value: unknown): Promise<RunResult> {
  return await run({
    nodes: [
      { id: "check", component: "logic.Assert", ...settings, inputs: { value } },
      { id: "log", component: "system.Log", template: "got {value}" },
    ],
    links: [{ source: "check:value", targets: ["log:value"] }],
  });
}

const OK_CASE = { case: { type: "equals", test: "ok" } };

Deno.test("logic.Assert passes a value that holds", async () => {
  const result = await asserted({ ...OK_CASE, exit: "exit" }, "ok");

  strictEqual(result.outcome, "completed");
  strictEqual(result.exit, null);
  deepStrictEqual(userLogs(result), ["got ok"]);
});

Deno.test("logic.Assert exits with custom message", async () => {
  const result = await asserted({ ...OK_CASE, exit: "exit", message: "bad {value}" }, "ko");

  strictEqual(result.outcome, "completed");
  deepStrictEqual(result.exit, { node: "check", message: "bad ko" });
  deepStrictEqual(notices(result), ["exit: bad ko"]);
  deepStrictEqual(userLogs(result), []);
});

Deno.test("logic.Assert exit message names test and value", async () => {
  const result = await asserted({ ...OK_CASE, exit: "exit" }, "ko");

  deepStrictEqual(result.exit, { node: "check", message: `assertion failed (equals "ok"): ko` });
});

Deno.test("logic.Assert exits when exit is true", async () => {
  const result = await asserted({ ...OK_CASE, exit: true }, "ko");

  deepStrictEqual(result.exit, { node: "check", message: `assertion failed (equals "ok"): ko` });
});

Deno.test("logic.Assert continue drops the value", async () => {
  const result = await asserted({ ...OK_CASE, exit: "continue" }, "ko");

  strictEqual(result.outcome, "completed");
  strictEqual(result.exit, null);
  deepStrictEqual(userLogs(result), []);
});

Deno.test("logic.Assert drops the value by default", async () => {
  const result = await asserted(OK_CASE, "ko");

  strictEqual(result.outcome, "completed");
  strictEqual(result.exit, null);
  deepStrictEqual(userLogs(result), []);
});

Deno.test("logic.Assert without case tests equals empty text", async () => {
  const empty = await asserted({ exit: "exit" }, "");
  const text = await asserted({ exit: "exit" }, "x");

  deepStrictEqual(userLogs(empty), ["got "]);
  deepStrictEqual(text.exit, { node: "check", message: `assertion failed (equals ""): x` });
});

Deno.test("logic.Assert exit stops later nodes", async () => {
  const result = await run({
    nodes: [
      { id: "check", component: "logic.Assert", ...OK_CASE, exit: "exit", inputs: { value: "ko" } },
      { id: "later", component: "system.Log", inputs: { value: "later" } },
    ],
    links: [],
  });

  deepStrictEqual(result.exit, { node: "check", message: `assertion failed (equals "ok"): ko` });
  deepStrictEqual(userLogs(result), []);
});

Deno.test("logic.Assert fails on unknown test type", async () => {
  const result = await asserted({ case: { type: "nope", test: "x" } }, "x");

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "check");
  ok(result.error?.message.includes(`unknown test type "nope"`), result.error?.message);
});
