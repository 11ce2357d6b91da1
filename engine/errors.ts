/**
 * Errors of the flow domain.
 *
 * @module
 */

import type { Problem } from "./types.ts";

/**
 * A flow that cannot run: unreadable, not a flow document, or with
 * problems found before any node fired. Every problem names its location.
 *
 * @example Listing the problems of a rejected flow
 * ```ts
 * import { FlowError, loadFlow } from "@castor/engine";
 *
 * try {
 *   await loadFlow("missing.json");
 * } catch (error) {
 *   if (error instanceof FlowError) {
 *     for (const problem of error.problems) console.error(problem.path, problem.message);
 *   }
 * }
 * ```
 */
export class FlowError extends Error {
  /** Every problem found, each with its location in the document. */
  readonly problems: Problem[];
  /** File the flow was read from, when there is one. */
  readonly file: string | undefined;

  /** Creates the error from its problems; the message lists them all. */
  constructor(problems: Problem[], options?: { file?: string; cause?: unknown }) {
    const where = options?.file ? `Flow '${options.file}'` : "The flow";
    const lines = problems.map((p) => `  ${p.path ? p.path + ": " : ""}${p.message}`);
    super(`${where} cannot run:\n${lines.join("\n")}`, { cause: options?.cause });
    this.name = "FlowError";
    this.problems = problems;
    this.file = options?.file;
  }
}
