/**
 * Values as flows see them: numbers that remember they are floats, the text
 * a value prints as, and copies for fan-out.
 *
 * Saved flows compare and log the text the old Python engine produced, where
 * a float printed as `7.0` and an integer as `7`. JavaScript has one number
 * type, so a number that came through a `float` port is kept as a
 * {@linkcode Float} and prints the Python way.
 *
 * @module
 */

/**
 * A number that came through a `float` port (or was written `7.0` in JSON).
 *
 * It behaves as a number in arithmetic (`valueOf`), prints as Python prints
 * a float (`toString`: `7.0`, `1e+16`), and serialises to JSON as such
 * (`JSON.stringify` gives `7.0`). Use `Number(x)` to get the plain number.
 *
 * @example
 * ```ts
 * import { Float } from "@castor/engine";
 *
 * const seven = new Float(7);
 * console.log(`${seven}`); // "7.0"
 * console.log(Number(seven) + 1); // 8
 * console.log(JSON.stringify({ seven })); // {"seven":7.0}
 * ```
 */
export class Float {
  /** The number itself. */
  readonly value: number;

  /** Wraps a number. */
  constructor(value: number) {
    this.value = value;
  }

  /** Returns the plain number, so arithmetic and `<` work. */
  valueOf(): number {
    return this.value;
  }

  /** Returns the Python text of the float, such as `7.0` or `1e-05`. */
  toString(): string {
    return formatFloat(this.value);
  }

  /** Returns the JSON form: the Python text where it is valid JSON. */
  toJSON(): unknown {
    if (!Number.isFinite(this.value)) return null;
    return rawJson(formatFloat(this.value));
  }
}

// JSON.rawJSON (V8 12+) is missing from TypeScript's lib types.
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Returns the number of a plain number or a {@linkcode Float}, else `undefined`. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Float) return value.value;
  return undefined;
}

/**
 * Formats a number as Python's `repr(float)`: shortest round-trip digits,
 * always a decimal part or an exponent, exponent form below 1e-4 and from
 * 1e16 on.
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";

  // toExponential() without digits gives the shortest round-trip mantissa.
  const [mantissa = "", exponentText = "0"] = x.toExponential().split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const exponent = Number(exponentText);
  const sign = negative ? "-" : "";

  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
    const fraction = digits.slice(exponent + 1) || "0";
    return `${sign}${whole}.${fraction}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentSign = exponent < 0 ? "-" : "+";
  return `${sign}${head}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/**
 * Returns the text a value prints as in templates, `string` ports and logs,
 * as the old engine wrote it: floats as `7.0`, booleans as `True`/`False`,
 * nothing as an empty string, lists and objects as compact JSON.
 */
export function toText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return Number.isInteger(value) && !Object.is(value, -0)
        ? (Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString())
        : formatFloat(value);
    case "boolean":
      return value ? "True" : "False";
    case "undefined":
      return "";
    case "bigint":
      return value.toString();
    case "object":
      if (value === null) return "";
      if (value instanceof Float) return formatFloat(value.value);
      return toJsonText(value);
    default:
      return String(value);
  }
}

/** Serialises a value as compact JSON, keeping floats as `7.0`. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/**
 * Parses JSON text, keeping numbers written with a decimal point or an
 * exponent (`7.0`, `1e3`) as {@linkcode Float}, as Python's `json` would.
 *
 * @throws {SyntaxError} when the text is not JSON.
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text, reviveFloat);
}

function reviveFloat(
  this: unknown,
  _key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (typeof value === "number" && context?.source !== undefined && /[.eE]/.test(context.source)) {
    return new Float(value);
  }
  return value;
}

/**
 * Returns a deep copy of a value, so that each target of a fan-out gets its
 * own. Strings, numbers, booleans and {@linkcode Float}s are immutable and
 * are shared.
 */
export function copyValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null || value instanceof Float) return value;
  if (Array.isArray(value)) return value.map(copyValue);
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = copyValue(item);
    return copy;
  }
  return structuredClone(value);
}

/**
 * Returns the value with every {@linkcode Float} replaced by its plain
 * number: what components written outside Castor receive.
 */
export function toPlain(value: unknown): unknown {
  if (value instanceof Float) return value.value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) plain[key] = toPlain(item);
    return plain;
  }
  return value;
}

/** Returns whether a value is a plain JSON-like object (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Float);
}

/** Returns the kind of a JSON value that is not an object: `a list`, `null`, `number`, ... */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value;
}

/** Returns a short quoted rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : toJsonText(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
