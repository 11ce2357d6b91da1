/**
 * Tests of the conversion of values arriving on typed ports, with presets
 * written as the editor writes them (numbers as text).
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  ConversionError,
  converterFor,
  emptyValueOf,
  parseNumberText,
  toNumber,
} from "../../engine/convert.ts";
import type { PortType } from "../../engine/types.ts";
import { Float, toText } from "../../engine/values.ts";

function convert(type: PortType, value: unknown): unknown {
  return converterFor("port", type)(value);
}

function conversionError(type: PortType, value: unknown): ConversionError {
  let caught: unknown;
  try {
    convert(type, value);
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof ConversionError, `${JSON.stringify(value)} into ${type} is rejected`);
  return caught;
}

function assertFloat(value: unknown, expected: number): void {
  ok(value instanceof Float, `${String(value)} is a Float`);
  deepStrictEqual(value.value, expected);
}

Deno.test("float port converts number text", () => {
  assertFloat(convert("float", "3"), 3);
  assertFloat(convert("float", " 2.5 "), 2.5);
  assertFloat(convert("float", "1e3"), 1000);
  assertFloat(convert("float", "-0.5"), -0.5);
  assertFloat(convert("float", "1_000"), 1000);
});

Deno.test("float port converts numbers and booleans", () => {
  assertFloat(convert("float", 3), 3);
  assertFloat(convert("float", 2.9), 2.9);
  assertFloat(convert("float", true), 1);
  strictEqual(toText(convert("float", true)), "1.0");
  assertFloat(convert("float", false), 0);
});

Deno.test("float port keeps a Float", () => {
  const seven = new Float(7);

  strictEqual(convert("float", seven), seven);
});

Deno.test("float port rejects text that is not a number", () => {
  const error = conversionError("float", "abc");

  deepStrictEqual(error.message, `input 'port' expects a number (float), got "abc"`);
});

Deno.test("float port rejects empty text", () => {
  const error = conversionError("float", "");

  deepStrictEqual(error.message, `input 'port' expects a number (float), got ""`);
});

Deno.test("float port rejects a decimal comma", () => {
  conversionError("float", "0,5");
});

Deno.test("float port rejects lists and null", () => {
  conversionError("float", [1]);
  conversionError("float", null);
});

Deno.test("int port keeps the integer part", () => {
  strictEqual(convert("int", "3"), 3);
  strictEqual(convert("int", " 2.5 "), 2);
  strictEqual(convert("int", "1e3"), 1000);
  strictEqual(convert("int", 2.9), 2);
  strictEqual(convert("int", -2.9), -2);
  strictEqual(convert("int", new Float(7)), 7);
  strictEqual(convert("int", true), 1);
  strictEqual(convert("int", false), 0);
});

// Math.trunc(-0.5) is -0, which prints as "-0.0", but Python's int(-0.5) is 0, which prints as "0".
Deno.test({
  name: "int port gives 0 for small negatives",
  fn() {
    const value = convert("int", "-0.5");

    ok(Object.is(value, 0), `${String(value)} is +0`);
    strictEqual(toText(value), "0");
  },
});

Deno.test("int port rejects text that is not a number", () => {
  const error = conversionError("int", "abc");

  deepStrictEqual(error.message, `input 'port' expects an integer, got "abc"`);
});

Deno.test("int port rejects infinity and nan", () => {
  conversionError("int", "inf");
  conversionError("int", "nan");
  conversionError("int", "");
});

Deno.test("string port prints values as the old engine", () => {
  strictEqual(convert("string", "abc"), "abc");
  strictEqual(convert("string", " 2.5 "), " 2.5 ");
  strictEqual(convert("string", 7), "7");
  strictEqual(convert("string", new Float(7)), "7.0");
  strictEqual(convert("string", true), "True");
  strictEqual(convert("string", null), "");
  strictEqual(convert("string", [1, "a"]), '[1,"a"]');
  strictEqual(convert("string", { k: new Float(1) }), '{"k":1.0}');
});

Deno.test("boolean port converts text", () => {
  for (const text of ["true", "True", "1", "yes", "on", " TRUE "]) {
    strictEqual(convert("boolean", text), true, text);
  }
  for (const text of ["false", "False", "0", "no", "off", ""]) {
    strictEqual(convert("boolean", text), false, text);
  }
});

Deno.test("boolean port converts numbers and null", () => {
  strictEqual(convert("boolean", 0), false);
  strictEqual(convert("boolean", 2), true);
  strictEqual(convert("boolean", new Float(0)), false);
  strictEqual(convert("boolean", null), false);
  strictEqual(convert("boolean", true), true);
});

Deno.test("boolean port rejects other text", () => {
  const error = conversionError("boolean", "abc");

  deepStrictEqual(error.message, `input 'port' expects a boolean, got "abc"`);
});

Deno.test("list port parses JSON text", () => {
  const parsed = convert("list", "[1, 7.0]") as unknown[];

  deepStrictEqual(parsed.length, 2);
  strictEqual(parsed[0], 1);
  assertFloat(parsed[1], 7);
});

Deno.test("list port keeps a list", () => {
  const list = [1, 2];

  strictEqual(convert("list", list), list);
});

Deno.test("list port takes null as empty", () => {
  deepStrictEqual(convert("list", null), []);
});

Deno.test("list port rejects other values", () => {
  const error = conversionError("list", '{"a": 1}');

  deepStrictEqual(error.message, `input 'port' expects a list, got "{\\"a\\": 1}"`);
  conversionError("list", "abc");
  conversionError("list", 3);
});

Deno.test("dict port parses JSON text", () => {
  deepStrictEqual(convert("dict", '{"a": 1}'), { a: 1 });
});

Deno.test("dict port keeps an object", () => {
  const object = { a: 1 };

  strictEqual(convert("dict", object), object);
});

Deno.test("dict port takes null as empty", () => {
  deepStrictEqual(convert("dict", null), {});
});

Deno.test("dict port rejects other values", () => {
  const error = conversionError("dict", "[1]");

  deepStrictEqual(error.message, `input 'port' expects an object (dict), got "[1]"`);
  conversionError("dict", "abc");
  conversionError("dict", new Float(1));
});

Deno.test("json port parses text", () => {
  strictEqual(convert("json", "3"), 3);
  assertFloat(convert("json", "7.0"), 7);
  deepStrictEqual(convert("json", '{"a": [1]}'), { a: [1] });
  strictEqual(convert("json", '"quoted"'), "quoted");
});

Deno.test("json port keeps values that are not text", () => {
  const object = { a: 1 };

  strictEqual(convert("json", object), object);
  strictEqual(convert("json", 3), 3);
  strictEqual(convert("json", null), null);
});

Deno.test("json port rejects invalid text", () => {
  const error = conversionError("json", "abc");

  ok(error.message.startsWith(`input 'port' expects JSON, got "abc" (`), error.message);
});

Deno.test("any port keeps values unchanged", () => {
  const list = [1];

  strictEqual(convert("*", "3"), "3");
  strictEqual(convert("*", list), list);
  strictEqual(convert("*", null), null);
});

Deno.test("ConversionError names the port", () => {
  let caught: unknown;
  try {
    converterFor("a", "float")("abc");
  } catch (error) {
    caught = error;
  }

  ok(caught instanceof ConversionError, "a ConversionError");
  deepStrictEqual(caught.name, "ConversionError");
  deepStrictEqual(caught.message, `input 'a' expects a number (float), got "abc"`);
});

Deno.test("emptyValueOf gives each type's empty value", () => {
  strictEqual(emptyValueOf("int"), 0);
  assertFloat(emptyValueOf("float"), 0);
  strictEqual(emptyValueOf("string"), "");
  strictEqual(emptyValueOf("boolean"), false);
  deepStrictEqual(emptyValueOf("list"), []);
  deepStrictEqual(emptyValueOf("dict"), {});
  deepStrictEqual(emptyValueOf("json"), {});
  strictEqual(emptyValueOf("*"), undefined);
});

Deno.test("emptyValueOf gives a new list each time", () => {
  const first = emptyValueOf("list") as unknown[];
  first.push(1);

  deepStrictEqual(emptyValueOf("list"), []);
});

Deno.test("parseNumberText reads decimal text", () => {
  strictEqual(parseNumberText("3"), 3);
  strictEqual(parseNumberText("  5 "), 5);
  strictEqual(parseNumberText("+3"), 3);
  strictEqual(parseNumberText("-2.5"), -2.5);
  strictEqual(parseNumberText(".5"), 0.5);
  strictEqual(parseNumberText("5."), 5);
  strictEqual(parseNumberText("1e3"), 1000);
  strictEqual(parseNumberText("1E-2"), 0.01);
});

Deno.test("parseNumberText accepts underscores between digits", () => {
  strictEqual(parseNumberText("1_000"), 1000);
  strictEqual(parseNumberText("1_000.5"), 1000.5);
});

Deno.test("parseNumberText rejects misplaced underscores", () => {
  strictEqual(parseNumberText("_1"), undefined);
  strictEqual(parseNumberText("1_"), undefined);
  strictEqual(parseNumberText("1__0"), undefined);
});

// Python's float("1e1_0") is 1e10, but the exponent pattern allows digits only.
Deno.test({
  name: "parseNumberText accepts underscores in exponent",
  fn() {
    strictEqual(parseNumberText("1e1_0"), 1e10);
  },
});

Deno.test("parseNumberText rejects text that is not decimal", () => {
  strictEqual(parseNumberText("0x10"), undefined);
  strictEqual(parseNumberText("abc"), undefined);
  strictEqual(parseNumberText(""), undefined);
  strictEqual(parseNumberText("   "), undefined);
  strictEqual(parseNumberText("1e"), undefined);
  strictEqual(parseNumberText("0,5"), undefined);
  strictEqual(parseNumberText("1 000"), undefined);
});

Deno.test("parseNumberText reads infinity and nan", () => {
  strictEqual(parseNumberText("inf"), Infinity);
  strictEqual(parseNumberText("-inf"), -Infinity);
  strictEqual(parseNumberText("Infinity"), Infinity);
  strictEqual(parseNumberText("+INF"), Infinity);
  ok(Number.isNaN(parseNumberText("nan")), "nan");
  ok(Number.isNaN(parseNumberText("NaN")), "NaN");
});

Deno.test("toNumber reads numbers, booleans and text", () => {
  strictEqual(toNumber(3), 3);
  strictEqual(toNumber(new Float(2.5)), 2.5);
  strictEqual(toNumber(true), 1);
  strictEqual(toNumber(false), 0);
  strictEqual(toNumber(" 7 "), 7);
  strictEqual(toNumber("abc"), undefined);
  strictEqual(toNumber(null), undefined);
  strictEqual(toNumber([1]), undefined);
});
