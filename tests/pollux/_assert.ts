/**
 * The few assertions the Pollux tests use, since the standard library's
 * `@std/assert` cannot be fetched from JSR here. Each failure shows the
 * values involved.
 *
 * @module
 */

import { inspect, isDeepStrictEqual } from "node:util";

/** An assertion that did not hold. */
export class AssertionError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Throws unless `condition` is truthy. */
export function assert(condition: unknown, message = "Expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Throws unless `actual` and `expected` are deeply and strictly equal. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  throw new AssertionError(
    `${message ? message + ": " : ""}values differ\n  actual:   ${show(actual)}\n  expected: ${
      show(expected)
    }`,
  );
}

/** Throws unless `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (pattern.test(actual)) return;
  throw new AssertionError(
    `${message ? message + ": " : ""}${show(actual)} does not match ${pattern}`,
  );
}

/** Throws unless `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (actual.includes(expected)) return;
  throw new AssertionError(
    `${message ? message + ": " : ""}${show(actual)} does not contain ${show(expected)}`,
  );
}

/** Throws unless `actual` does not contain `unexpected`. */
export function assertNotIncludes(actual: string, unexpected: string, message?: string): void {
  if (!actual.includes(unexpected)) return;
  throw new AssertionError(
    `${message ? message + ": " : ""}${show(actual)} contains ${show(unexpected)}`,
  );
}

/** Throws unless `promise` rejects with an instance of `type`; returns the error. */
export async function assertRejects<E extends Error>(
  run: () => Promise<unknown>,
  type: new (...args: never[]) => E,
  message?: string,
): Promise<E> {
  try {
    await run();
  } catch (error) {
    if (error instanceof type) return error;
    throw new AssertionError(
      `${message ? message + ": " : ""}expected ${type.name}, got ${show(error)}`,
    );
  }
  throw new AssertionError(
    `${message ? message + ": " : ""}expected a rejection with ${type.name}`,
  );
}

/** Throws unless `run` throws an instance of `type`; returns the error. */
export function assertThrows<E extends Error>(
  run: () => unknown,
  type: new (...args: never[]) => E,
  message?: string,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw new AssertionError(
      `${message ? message + ": " : ""}expected ${type.name}, got ${show(error)}`,
    );
  }
  throw new AssertionError(`${message ? message + ": " : ""}expected ${type.name} to be thrown`);
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Infinity });
}
