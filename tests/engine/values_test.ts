/**
 * Tests of the text values print as (the old Python engine's float text),
 * JSON parsing that keeps floats, and copies for fan-out.
 *
 * @module
 */

import { deepStrictEqual, notStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  copyValue,
  Float,
  formatFloat,
  parseJson,
  toJsonText,
  toText,
} from "../../engine/values.ts";

Deno.test("formatFloat prints as Python repr", async (t) => {
  const cases: [number, string][] = [
    [7, "7.0"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e16, "1e+16"],
    [9999999999999998, "9999999999999998.0"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [-0, "-0.0"],
    [0, "0.0"],
    [1.5e-7, "1.5e-07"],
    [123456789, "123456789.0"],
    [1e100, "1e+100"],
    [-2.5, "-2.5"],
    [1 / 3, "0.3333333333333333"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [NaN, "nan"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ];
  for (const [value, expected] of cases) {
    await t.step(expected, () => {
      deepStrictEqual(formatFloat(value), expected);
    });
  }
});

Deno.test("toText prints floats with a decimal part", () => {
  deepStrictEqual(toText(new Float(7)), "7.0");
  deepStrictEqual(toText(new Float(1e16)), "1e+16");
  deepStrictEqual(toText(new Float(-0)), "-0.0");
  deepStrictEqual(toText(0.5), "0.5");
});

Deno.test("toText prints integers without a decimal part", () => {
  deepStrictEqual(toText(7), "7");
  deepStrictEqual(toText(-3), "-3");
  deepStrictEqual(toText(0), "0");
  deepStrictEqual(toText(1e21), "1000000000000000000000");
});

Deno.test("toText prints booleans as Python", () => {
  deepStrictEqual(toText(true), "True");
  deepStrictEqual(toText(false), "False");
});

Deno.test("toText prints nothing as empty text", () => {
  deepStrictEqual(toText(null), "");
  deepStrictEqual(toText(undefined), "");
});

Deno.test("toText keeps text unchanged", () => {
  deepStrictEqual(toText("7.0"), "7.0");
  deepStrictEqual(toText(""), "");
});

Deno.test("toText prints lists and objects as compact JSON", () => {
  deepStrictEqual(toText([1, "a", new Float(7)]), '[1,"a",7.0]');
  deepStrictEqual(toText({ a: new Float(7), b: [null, true] }), '{"a":7.0,"b":[null,true]}');
  deepStrictEqual(toText([]), "[]");
  deepStrictEqual(toText({}), "{}");
});

Deno.test("toJsonText keeps floats as 7.0", () => {
  deepStrictEqual(toJsonText({ x: new Float(7), y: 7 }), '{"x":7.0,"y":7}');
});

Deno.test("parseJson keeps written floats as Float", () => {
  const parsed = parseJson('{"a": 7.0, "b": 1e3, "c": 7, "d": [1.5]}') as Record<string, unknown>;

  ok(parsed.a instanceof Float, "7.0 is a Float");
  deepStrictEqual(Number(parsed.a), 7);
  ok(parsed.b instanceof Float, "1e3 is a Float");
  deepStrictEqual(Number(parsed.b), 1000);
  strictEqual(parsed.c, 7);
  const list = parsed.d as unknown[];
  ok(list[0] instanceof Float, "1.5 in a list is a Float");
});

Deno.test("parseJson round-trips float text", () => {
  const text = '{"a":7.0,"b":1000.0,"c":7,"d":[1.5]}';

  deepStrictEqual(toJsonText(parseJson(text)), text);
});

Deno.test("parseJson rejects text that is not JSON", () => {
  let caught: unknown;
  try {
    parseJson("{nope");
  } catch (error) {
    caught = error;
  }

  ok(caught instanceof SyntaxError, "a SyntaxError");
});

Deno.test("copyValue copies nested lists and objects", () => {
  const original = { list: [1, { inner: [2] }], object: { key: "v" } };
  const copy = copyValue(original) as typeof original;

  deepStrictEqual(copy, original);
  notStrictEqual(copy, original);
  notStrictEqual(copy.list, original.list);
  notStrictEqual(copy.list[1], original.list[1]);
  notStrictEqual(copy.object, original.object);

  (copy.list[1] as { inner: number[] }).inner.push(3);
  copy.object.key = "changed";
  deepStrictEqual(original, { list: [1, { inner: [2] }], object: { key: "v" } });
});

Deno.test("copyValue shares immutable values", () => {
  const seven = new Float(7);

  strictEqual(copyValue(seven), seven);
  strictEqual(copyValue("text"), "text");
  strictEqual(copyValue(null), null);
  strictEqual((copyValue([seven]) as unknown[])[0], seven);
});

Deno.test("Float works in arithmetic through valueOf", () => {
  const seven = new Float(7) as unknown as number;
  const two = new Float(2) as unknown as number;

  deepStrictEqual(seven + 1, 8);
  deepStrictEqual(seven * two, 14);
  deepStrictEqual(seven - two, 5);
  ok(two < seven, "2.0 < 7.0");
  deepStrictEqual(Number(new Float(2.5)), 2.5);
});

Deno.test("Float prints as Python", () => {
  deepStrictEqual(`${new Float(7)}`, "7.0");
  deepStrictEqual(String(new Float(1e-5)), "1e-05");
});

Deno.test("Float serialises to JSON as 7.0", () => {
  deepStrictEqual(JSON.stringify({ seven: new Float(7) }), '{"seven":7.0}');
  deepStrictEqual(JSON.stringify([new Float(1e16), new Float(0.5)]), "[1e+16,0.5]");
});

Deno.test("Float serialises non-finite values as null", () => {
  deepStrictEqual(JSON.stringify([new Float(NaN), new Float(Infinity)]), "[null,null]");
});
