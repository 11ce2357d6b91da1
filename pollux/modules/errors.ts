/**
 * The error type of downloaded and local node modules.
 *
 * @module
 */

import type { ModuleKind } from "../module_source.ts";

/**
 * A module or library that cannot be used. The cause is an invalid id, a
 * download that does not match its hash, a source that does not compile or
 * throws at load, a permission the operator does not allow, or a failed sandbox.
 *
 * @example Telling a module problem from other errors
 * ```ts
 * import { ModuleError } from "./errors.ts";
 *
 * const error = new ModuleError("Module 'acme.net' asks for 'run', which cannot be granted.", {
 *   kind: "module",
 *   id: "acme.net",
 * });
 * console.log(error instanceof ModuleError, error.id); // true "acme.net"
 * ```
 */
export class ModuleError extends Error {
  /** Whether the problem is with a module or a library. */
  readonly kind: ModuleKind;
  /** Id of the module or library, as it was given (it may be invalid). */
  readonly id: string;

  /** Creates the error; the message is shown to users as it is. */
  constructor(message: string, options: { kind: ModuleKind; id: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "ModuleError";
    this.kind = options.kind;
    this.id = options.id;
  }
}

/** Returns "module" or "library", the word used in messages for a kind. */
export function kindName(kind: ModuleKind): string {
  return kind === "module" ? "module" : "library";
}
