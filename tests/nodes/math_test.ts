/**
 * Tests of the `math.*` components, run through `runFlow` with presets
 * written as the editor writes them (numbers as text).
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { RunResult } from "../../engine/types.ts";
import { Float } from "../../engine/values.ts";
import { logged, run, userLogs } from "./_flow.ts";

const OUTPUTS: Record<string, string> = {
  "math.Addition": "a+b",
  "math.Substraction": "a-b",
  "math.Multiplication": "a*b",
  "math.Division": "a/b",
};

function compute(component: string, inputs: Record<string, unknown>): Promise<RunResult> {
  return run(logged({ component, inputs }, OUTPUTS[component]));
}

async function printed(component: string, a: unknown, b: unknown): Promise<string[]> {
  const result = await compute(component, { a, b });
  strictEqual(result.outcome, "completed", result.error?.message);
  return userLogs(result);
}

Deno.test("math components compute from text presets", async (t) => {
  // [component, a, b, printed result]
  const cases: [string, string, string, string][] = [
    ["math.Addition", "4", "5", "9.0"],
    ["math.Addition", "0.1", "0.2", "0.30000000000000004"],
    ["math.Substraction", "4", " 2.5 ", "1.5"],
    ["math.Substraction", "10", "3", "7.0"],
    ["math.Multiplication", "1e3", "3", "3000.0"],
    ["math.Multiplication", "100000000", "100000000", "1e+16"],
    ["math.Multiplication", "0", "-1", "-0.0"],
    ["math.Division", "7", "2", "3.5"],
    ["math.Division", "1", "100000", "1e-05"],
    ["math.Division", "1", "3", "0.3333333333333333"],
  ];
  for (const [component, a, b, expected] of cases) {
    await t.step(`${component} ${a} ${b}`, async () => {
      deepStrictEqual(await printed(component, a, b), [expected]);
    });
  }
});

Deno.test("math components take numbers and booleans", async () => {
  deepStrictEqual(await printed("math.Addition", 4, 5), ["9.0"]);
  deepStrictEqual(await printed("math.Addition", true, "0.5"), ["1.5"]);
  deepStrictEqual(await printed("math.Multiplication", false, "3"), ["0.0"]);
});

Deno.test("math components send a Float", async () => {
  const result = await run({
    nodes: [
      { id: "mul", component: "math.Multiplication", inputs: { a: "7", b: "2" } },
      { id: "set", component: "system.Set", variable_name: "product" },
    ],
    links: [{ source: "mul:a*b", targets: ["set:value"] }],
  });
  const product = result.environment.product;

  ok(product instanceof Float, "the product is a Float");
  strictEqual(product.value, 14);
});

Deno.test("math components chain through float ports", async () => {
  const result = await run({
    nodes: [
      { id: "add", component: "math.Addition", inputs: { a: "7", b: "2" } },
      { id: "mul", component: "math.Multiplication", inputs: { b: "-1.5" } },
      { id: "log", component: "system.Log", template: "{value}" },
    ],
    links: [
      { source: "add:a+b", targets: ["mul:a"] },
      { source: "mul:a*b", targets: ["log:value"] },
    ],
  });

  deepStrictEqual(userLogs(result), ["-13.5"]);
});

Deno.test("math components take 0.0 for an unset input", async () => {
  const result = await compute("math.Addition", { a: "4" });

  deepStrictEqual(userLogs(result), ["4.0"]);
});

Deno.test("math output names keep the editor's symbols", async () => {
  const result = await run({
    nodes: [
      { id: "add", component: "math.Addition", inputs: { a: "1", b: "2" } },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "add:value", targets: ["log:value"] }],
  });

  strictEqual(result.outcome, "refused");
  deepStrictEqual(result.problems, [{
    path: "links[0].source",
    message: "node 'add' (math.Addition) has no output 'value'; its outputs are: a+b",
  }]);
});

Deno.test("math.Division fails on division by zero", async () => {
  const result = await compute("math.Division", { a: "1", b: "0" });

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "math.Division");
  strictEqual(
    result.error?.message,
    "node 'node' (math.Division) failed: division by zero: input 'b' is 0.0 (a is 1.0)",
  );
  deepStrictEqual(userLogs(result), []);
});

Deno.test("math.Division fails on an unset divisor", async () => {
  const result = await compute("math.Division", { a: "1" });

  strictEqual(result.outcome, "error");
  ok(result.error?.message.includes("input 'b' is 0.0"), result.error?.message);
});

Deno.test("math.Addition fails on non-numeric text", async () => {
  const result = await compute("math.Addition", { a: "abc", b: "1" });

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "node");
  strictEqual(result.error?.component, "math.Addition");
  strictEqual(
    result.error?.message,
    `node 'node' (math.Addition) failed: input 'a' expects a number (float), got "abc"`,
  );
});

Deno.test("math.Multiplication fails on a linked non-numeric value", async () => {
  const result = await run({
    nodes: [
      { id: "get", component: "system.Get", variable_name: "x" },
      { id: "mul", component: "math.Multiplication", inputs: { a: "2" } },
      { id: "log", component: "system.Log" },
    ],
    links: [
      { source: "get:value", targets: ["mul:b"] },
      { source: "mul:a*b", targets: ["log:value"] },
    ],
  }, { environment: { x: "ten" } });

  strictEqual(result.outcome, "error");
  strictEqual(result.error?.node, "mul");
  strictEqual(
    result.error?.message,
    `node 'mul' (math.Multiplication) failed: input 'b' expects a number (float), got "ten"`,
  );
});

Deno.test("math.Substraction fails on empty text", async () => {
  const result = await compute("math.Substraction", { a: "", b: "1" });

  strictEqual(result.outcome, "error");
  ok(result.error?.message.includes(`input 'a' expects a number (float), got ""`));
});
