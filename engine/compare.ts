/**
 * The test types of `cases` and `case` settings (`equals`, `greater`, ...).
 *
 * @module
 */

import { toNumber } from "./convert.ts";
import { describeValue, Float, isRecord, numberOf, toText } from "./values.ts";

/** Names of the test types a case may use. */
export const TEST_TYPES = [
  "equals",
  "greater",
  "greater_strict",
  "lesser",
  "lesser_strict",
  "contains",
  "starts_with",
  "ends_with",
  "regex",
] as const;

/** One of {@linkcode TEST_TYPES}. */
export type TestType = typeof TEST_TYPES[number];

/** A test that cannot be evaluated: an unknown type or an invalid pattern. */
export class TestError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TestError";
  }
}

/**
 * Evaluates one test: whether `value` is in relation `type` to `test`.
 *
 * `equals` compares without conversion (the number 3 is not the text "3",
 * but 3 equals 3.0 and `True` equals 1, as in Python). The order tests compare
 * numbers when both sides are numbers or number text, and text otherwise.
 *
 * @throws {TestError} for an unknown type or an invalid regular expression.
 */
export function evaluateTest(type: unknown, value: unknown, test: unknown): boolean {
  switch (type) {
    case "equals":
      return valuesEqual(value, test);
    case "greater":
      return order(value, test) >= 0;
    case "greater_strict":
      return order(value, test) > 0;
    case "lesser":
      return order(value, test) <= 0;
    case "lesser_strict":
      return order(value, test) < 0;
    case "contains":
      return contains(value, test);
    case "starts_with":
      return toText(value).startsWith(toText(test));
    case "ends_with":
      return toText(value).endsWith(toText(test));
    case "regex":
      return compilePattern(test).test(toText(value));
    default:
      throw new TestError(
        `unknown test type ${describeValue(type)}; use one of: ${TEST_TYPES.join(", ")}`,
      );
  }
}

/** Compares two values as Python's `==` does for JSON-like values. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  const numberA = numericForEquality(a);
  const numberB = numericForEquality(b);
  if (numberA !== undefined || numberB !== undefined) return numberA === numberB;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key], b[key]));
  }
  return (a ?? null) === (b ?? null);
}

function numericForEquality(value: unknown): number | undefined {
  if (typeof value === "boolean") return value ? 1 : 0;
  return numberOf(value);
}

function order(a: unknown, b: unknown): number {
  const numberA = toNumber(a);
  const numberB = toNumber(b);
  if (numberA !== undefined && numberB !== undefined) {
    return compareOrdered(numberA, numberB);
  }
  const textA = toText(a);
  const textB = toText(b);
  return compareOrdered(textA, textB);
}

function compareOrdered<T extends number | string>(a: T, b: T): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function contains(value: unknown, test: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => valuesEqual(item, test));
  if (isRecord(value) && !(value instanceof Float)) return Object.hasOwn(value, toText(test));
  return toText(value).includes(toText(test));
}

const patternCache = new Map<string, RegExp>();

// Python's re syntax that JavaScript writes differently: named groups
// (?P<name>...), back-references (?P=name), \A and \Z anchors, and leading
// inline flags such as (?i).
function translatePattern(source: string): RegExp {
  let flags = "";
  let body = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    for (const flag of inline[1]!) {
      if (flag === "x") throw new Error("the verbose flag (?x) is not supported");
      if ("ims".includes(flag) && !flags.includes(flag)) flags += flag;
    }
    body = body.slice(inline[0].length);
  }
  body = body
    .replaceAll("(?P<", "(?<")
    .replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/(?<!\\)((?:\\\\)*)\\A/g, "$1^")
    .replace(/(?<!\\)((?:\\\\)*)\\Z/g, "$1$$");
  return new RegExp(body, flags);
}

function compilePattern(test: unknown): RegExp {
  const source = toText(test);
  const cached = patternCache.get(source);
  if (cached) return cached;
  let pattern: RegExp;
  try {
    pattern = translatePattern(source);
  } catch (error) {
    throw new TestError(
      `invalid regular expression ${describeValue(source)}: ${(error as Error).message}`,
    );
  }
  if (patternCache.size > 500) patternCache.clear();
  patternCache.set(source, pattern);
  return pattern;
}
