/**
 * Conversion of the values that arrive on typed ports.
 *
 * @module
 */

import type { PortType } from "./types.ts";
import { describeValue, Float, isRecord, numberOf, parseJson, toText } from "./values.ts";

/** A value that a typed port cannot take. */
export class ConversionError extends Error {
  /** Creates the error; the message names the port, its type and the value. */
  constructor(port: string, type: PortType, value: unknown, reason?: string) {
    const why = reason ? ` (${reason})` : "";
    super(`input '${port}' expects ${article(type)}, got ${describeValue(value)}${why}`);
    this.name = "ConversionError";
  }
}

function article(type: PortType): string {
  switch (type) {
    case "int":
      return "an integer";
    case "float":
      return "a number (float)";
    case "boolean":
      return "a boolean";
    case "list":
      return "a list";
    case "dict":
      return "an object (dict)";
    case "json":
      return "JSON";
    default:
      return `a ${type}`;
  }
}

const NUMBER_TEXT = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?$/;
const SPECIAL_NUMBER_TEXT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Parses number text as Python's `float()` does: surrounding spaces, `_`
 * between digits, exponents, `inf` and `nan`. Returns `undefined` for text
 * that is not a number (including empty text and `0x10`).
 */
export function parseNumberText(text: string): number | undefined {
  const trimmed = text.trim();
  if (NUMBER_TEXT.test(trimmed)) {
    if (/_(?!\d)|(?<!\d)_/.test(trimmed)) return undefined;
    return Number(trimmed.replaceAll("_", ""));
  }
  const special = SPECIAL_NUMBER_TEXT.exec(trimmed);
  if (special) {
    const sign = special[1] === "-" ? -1 : 1;
    return special[2]?.toLowerCase() === "nan" ? NaN : sign * Infinity;
  }
  return undefined;
}

/**
 * Returns the number a value stands for: numbers, floats, booleans (1 and 0)
 * and number text. Returns `undefined` for anything else.
 */
export function toNumber(value: unknown): number | undefined {
  const direct = numberOf(value);
  if (direct !== undefined) return direct;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") return parseNumberText(value);
  return undefined;
}

const TRUE_TEXT = new Set(["true", "1", "yes", "on"]);
const FALSE_TEXT = new Set(["false", "0", "no", "off", ""]);

/** A function that converts one value for one port, throwing {@linkcode ConversionError}. */
export type Converter = (value: unknown) => unknown;

/** Returns the converter of a port type; `*` keeps values as they are. */
export function converterFor(port: string, type: PortType): Converter {
  switch (type) {
    case "float":
      return (value) => {
        if (value instanceof Float) return value;
        const number = toNumber(value);
        if (number === undefined) throw new ConversionError(port, type, value);
        return new Float(number);
      };
    case "int":
      return (value) => {
        const number = toNumber(value);
        if (number === undefined || !Number.isFinite(number)) {
          throw new ConversionError(port, type, value);
        }
        // `|| 0` turns -0 into 0, as Python's int(-0.5) is 0.
        return Math.trunc(number) || 0;
      };
    case "string":
      return (value) => typeof value === "string" ? value : toText(value);
    case "boolean":
      return (value) => {
        if (typeof value === "boolean") return value;
        const number = numberOf(value);
        if (number !== undefined) return number !== 0;
        if (typeof value === "string") {
          const text = value.trim().toLowerCase();
          if (TRUE_TEXT.has(text)) return true;
          if (FALSE_TEXT.has(text)) return false;
        }
        if (value === null) return false;
        throw new ConversionError(port, type, value);
      };
    case "list":
      return (value) => {
        if (Array.isArray(value)) return value;
        if (value === null) return [];
        const parsed = parseTextAs(value, Array.isArray);
        if (parsed === undefined) throw new ConversionError(port, type, value);
        return parsed;
      };
    case "dict":
      return (value) => {
        if (isRecord(value)) return value;
        if (value === null) return {};
        const parsed = parseTextAs(value, isRecord);
        if (parsed === undefined) throw new ConversionError(port, type, value);
        return parsed;
      };
    case "json":
      return (value) => {
        if (typeof value !== "string") return value;
        try {
          return parseJson(value);
        } catch (error) {
          throw new ConversionError(port, type, value, (error as Error).message);
        }
      };
    default:
      return (value) => value;
  }
}

function parseTextAs(value: unknown, accept: (parsed: unknown) => boolean): unknown {
  if (typeof value !== "string") return undefined;
  try {
    const parsed = parseJson(value);
    return accept(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the value an unlinked, unpreset port of this type receives, or
 * `undefined` for `*`, whose node then never fires.
 */
export function emptyValueOf(type: PortType): unknown {
  switch (type) {
    case "int":
      return 0;
    case "float":
      return new Float(0);
    case "string":
      return "";
    case "boolean":
      return false;
    case "list":
      return [];
    case "dict":
    case "json":
      return {};
    default:
      return undefined;
  }
}
