/**
 * Tests of the test types used by `cases` and `case` settings.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { evaluateTest, TEST_TYPES, TestError, valuesEqual } from "../../engine/compare.ts";
import { Float } from "../../engine/values.ts";

function testError(type: unknown, value: unknown, test: unknown): TestError {
  let caught: unknown;
  try {
    evaluateTest(type, value, test);
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof TestError, `${JSON.stringify(type)} is rejected`);
  return caught;
}

Deno.test("TEST_TYPES lists the editor's types", () => {
  deepStrictEqual([...TEST_TYPES], [
    "equals",
    "greater",
    "greater_strict",
    "lesser",
    "lesser_strict",
    "contains",
    "starts_with",
    "ends_with",
    "regex",
  ]);
});

Deno.test("equals does not convert text to numbers", () => {
  strictEqual(evaluateTest("equals", 3, "3"), false);
  strictEqual(evaluateTest("equals", "3", 3), false);
  strictEqual(evaluateTest("equals", "3", "3.0"), false);
});

Deno.test("equals compares integers and floats by value", () => {
  strictEqual(evaluateTest("equals", 3, new Float(3)), true);
  strictEqual(evaluateTest("equals", new Float(2.5), 2.5), true);
  strictEqual(evaluateTest("equals", 3, 4), false);
});

Deno.test("equals treats booleans as 1 and 0", () => {
  strictEqual(evaluateTest("equals", true, 1), true);
  strictEqual(evaluateTest("equals", false, 0), true);
  strictEqual(evaluateTest("equals", true, "True"), false);
});

Deno.test("equals compares text exactly", () => {
  strictEqual(evaluateTest("equals", "abc", "abc"), true);
  strictEqual(evaluateTest("equals", "abc", "ABC"), false);
  strictEqual(evaluateTest("equals", "", ""), true);
});

Deno.test("equals compares lists deeply", () => {
  strictEqual(evaluateTest("equals", [1, [2, "x"]], [1, [2, "x"]]), true);
  strictEqual(evaluateTest("equals", [1, [2]], [1, [3]]), false);
  strictEqual(evaluateTest("equals", [1, 2], [1, 2, 3]), false);
  strictEqual(evaluateTest("equals", [new Float(1)], [1]), true);
});

Deno.test("equals compares objects deeply", () => {
  strictEqual(evaluateTest("equals", { a: 1, b: [2] }, { b: [2], a: new Float(1) }), true);
  strictEqual(evaluateTest("equals", { a: 1 }, { a: 1, b: 2 }), false);
  strictEqual(evaluateTest("equals", { a: 1 }, { b: 1 }), false);
  strictEqual(evaluateTest("equals", { a: 1 }, [1]), false);
});

Deno.test("equals tells null from empty text", () => {
  strictEqual(evaluateTest("equals", null, null), true);
  strictEqual(evaluateTest("equals", null, ""), false);
});

Deno.test("valuesEqual compares as Python ==", () => {
  strictEqual(valuesEqual(3, new Float(3)), true);
  strictEqual(valuesEqual(3, "3"), false);
  strictEqual(valuesEqual([{ a: 1 }], [{ a: 1 }]), true);
});

Deno.test("greater holds for equal values", () => {
  strictEqual(evaluateTest("greater", 5, 5), true);
  strictEqual(evaluateTest("greater", 6, 5), true);
  strictEqual(evaluateTest("greater", 4, 5), false);
});

Deno.test("greater_strict fails for equal values", () => {
  strictEqual(evaluateTest("greater_strict", 5, 5), false);
  strictEqual(evaluateTest("greater_strict", 6, 5), true);
  strictEqual(evaluateTest("greater_strict", 4, 5), false);
});

Deno.test("lesser holds for equal values", () => {
  strictEqual(evaluateTest("lesser", 5, 5), true);
  strictEqual(evaluateTest("lesser", 4, 5), true);
  strictEqual(evaluateTest("lesser", 6, 5), false);
});

Deno.test("lesser_strict fails for equal values", () => {
  strictEqual(evaluateTest("lesser_strict", 5, 5), false);
  strictEqual(evaluateTest("lesser_strict", 4, 5), true);
  strictEqual(evaluateTest("lesser_strict", 6, 5), false);
});

Deno.test("order tests compare number text numerically", () => {
  strictEqual(evaluateTest("greater", "10", "9"), true);
  strictEqual(evaluateTest("greater_strict", "10", "9"), true);
  strictEqual(evaluateTest("lesser", "9", "10"), true);
  strictEqual(evaluateTest("lesser_strict", "9", "10"), true);
  strictEqual(evaluateTest("greater_strict", "2", "2.0"), false);
  strictEqual(evaluateTest("lesser", "2", "2.0"), true);
  strictEqual(evaluateTest("lesser_strict", "-3", "1"), true);
});

Deno.test("order tests mix numbers and number text", () => {
  strictEqual(evaluateTest("greater_strict", "10", 9), true);
  strictEqual(evaluateTest("greater_strict", new Float(5.5), "5"), true);
  strictEqual(evaluateTest("greater", new Float(2.5), "2.5"), true);
  strictEqual(evaluateTest("lesser_strict", " 3 ", 4), true);
});

Deno.test("order tests fall back to text", () => {
  strictEqual(evaluateTest("greater_strict", "b", "a"), true);
  strictEqual(evaluateTest("lesser_strict", "a", "b"), true);
  strictEqual(evaluateTest("lesser", "b", "a"), false);
  strictEqual(evaluateTest("greater", "abc", "abc"), true);
  strictEqual(evaluateTest("greater_strict", "10", "9a"), false);
  strictEqual(evaluateTest("lesser_strict", "10", "9a"), true);
});

Deno.test("contains finds text in text", () => {
  strictEqual(evaluateTest("contains", "haystack", "st"), true);
  strictEqual(evaluateTest("contains", "haystack", "needle"), false);
  strictEqual(evaluateTest("contains", "haystack", ""), true);
  strictEqual(evaluateTest("contains", 12345, 34), true);
});

Deno.test("contains finds an item in a list", () => {
  strictEqual(evaluateTest("contains", [1, "a"], "a"), true);
  strictEqual(evaluateTest("contains", [1, "a"], 1), true);
  strictEqual(evaluateTest("contains", [1, "a"], "1"), false);
  strictEqual(evaluateTest("contains", [[1, 2]], [1, 2]), true);
  strictEqual(evaluateTest("contains", ["ab"], "a"), false);
});

Deno.test("contains finds a key in an object", () => {
  strictEqual(evaluateTest("contains", { key: 1 }, "key"), true);
  strictEqual(evaluateTest("contains", { key: 1 }, "other"), false);
  strictEqual(evaluateTest("contains", { key: 1 }, 1), false);
});

Deno.test("starts_with compares the text of values", () => {
  strictEqual(evaluateTest("starts_with", "haystack", "hay"), true);
  strictEqual(evaluateTest("starts_with", "haystack", "stack"), false);
  strictEqual(evaluateTest("starts_with", 123, 1), true);
  strictEqual(evaluateTest("starts_with", true, "Tr"), true);
});

Deno.test("ends_with compares the text of values", () => {
  strictEqual(evaluateTest("ends_with", "haystack", "stack"), true);
  strictEqual(evaluateTest("ends_with", "haystack", "hay"), false);
  strictEqual(evaluateTest("ends_with", new Float(7), ".0"), true);
  strictEqual(evaluateTest("ends_with", 7, ".0"), false);
});

Deno.test("regex searches anywhere in the text", () => {
  strictEqual(evaluateTest("regex", "order-42", "\\d+"), true);
  strictEqual(evaluateTest("regex", "order-42", "^\\d+"), false);
  strictEqual(evaluateTest("regex", "order-42", "^order-\\d+$"), true);
  strictEqual(evaluateTest("regex", "abc", "x"), false);
});

Deno.test("regex matches the text of numbers", () => {
  strictEqual(evaluateTest("regex", new Float(7), "^7\\.0$"), true);
  strictEqual(evaluateTest("regex", 42, "^42$"), true);
});

Deno.test("regex accepts Python named groups", () => {
  strictEqual(evaluateTest("regex", "2026-01-05", "(?P<year>\\d{4})-(?P<month>\\d\\d)"), true);
  strictEqual(evaluateTest("regex", "abab", "(?P<pair>ab)(?P=pair)"), true);
  strictEqual(evaluateTest("regex", "abcd", "(?P<pair>ab)(?P=pair)"), false);
});

// Python's re accepts a global inline flag such as (?i), but JavaScript rejects it as an invalid group.
Deno.test({
  name: "regex accepts Python inline flags",
  fn() {
    strictEqual(evaluateTest("regex", "ABC", "(?i)abc"), true);
  },
});

// Python's \A and \Z anchor the whole text, but without the u flag JavaScript reads them as the
// letters A and Z.
Deno.test({
  name: "regex accepts Python text anchors",
  fn() {
    strictEqual(evaluateTest("regex", "abc", "\\Aabc\\Z"), true);
    strictEqual(evaluateTest("regex", "xabc", "\\Aabc"), false);
  },
});

Deno.test("regex rejects an invalid pattern", () => {
  const error = testError("regex", "text", "(");

  ok(error.message.startsWith(`invalid regular expression "(": `), error.message);
  strictEqual(error.name, "TestError");
});

Deno.test("regex rejects an invalid pattern each time", () => {
  testError("regex", "text", "[a-");
  testError("regex", "text", "[a-");
});

Deno.test("unknown test type is a TestError naming it", () => {
  const error = testError("bigger", 1, 1);

  strictEqual(
    error.message,
    `unknown test type "bigger"; use one of: equals, greater, greater_strict, lesser, ` +
      `lesser_strict, contains, starts_with, ends_with, regex`,
  );
});

Deno.test("missing test type is a TestError", () => {
  const error = testError(undefined, 1, 1);

  ok(error.message.startsWith("unknown test type"), error.message);
});
