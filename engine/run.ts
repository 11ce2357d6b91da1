/**
 * Running a flow: open its components, check it, schedule it.
 *
 * @module
 */

import type { ComponentProvider, Environment, LogEntry, Problem, RunResult } from "./types.ts";
import { checkFlow, componentIdsOf } from "./validate.ts";
import { Scheduler } from "./scheduler.ts";
import { builtinProvider } from "../nodes/mod.ts";
import { copyValue, isRecord } from "./values.ts";

/** Options of {@linkcode runFlow} and {@linkcode startRun}. */
export interface RunOptions {
  /** Initial environment (default: empty). The run works on a copy. */
  environment?: Environment;
  /** Aborting it cancels the run, which then resolves with outcome `cancelled`. */
  signal?: AbortSignal;
  /** Called for each log line as it is written, before the run ends. */
  onLog?: (entry: LogEntry) => void;
  /** Whether the result lists every log line (default `true`). Long runs streaming through `onLog` can turn it off. */
  keepLogs?: boolean;
  /** Source of the components (default: the built-in components). */
  components?: ComponentProvider;
  /** Capacity of each input port's buffer, at least 1 (default 64). */
  bufferSize?: number;
}

/** A run in progress. */
export interface RunHandle {
  /** Resolves once the run has ended; never rejects for a bad flow or a node error. */
  readonly result: Promise<RunResult>;
  /** Returns a copy of the environment as it is now. */
  snapshot(): Environment;
}

const DEFAULT_BUFFER_SIZE = 64;

/**
 * Starts a run and returns at once, so the caller can look at the
 * environment while it runs (the daemon reports it every few seconds).
 *
 * @example
 * ```ts
 * import { startRun } from "@castor/engine";
 *
 * const run = startRun({
 *   nodes: [{ id: "set", component: "system.Set", variable_name: "x", inputs: { value: "1" } }],
 *   links: [],
 * });
 * console.log(run.snapshot());
 * const result = await run.result;
 * console.log(result.environment.x); // "1"
 * ```
 */
export function startRun(flow: unknown, options: RunOptions = {}): RunHandle {
  let scheduler: Scheduler | undefined;
  const initial = copyValue(options.environment ?? {}) as Environment;
  const result = (async (): Promise<RunResult> => {
    const refused = (problems: Problem[]): RunResult => ({
      outcome: "refused",
      environment: initial,
      logs: [],
      error: null,
      exit: null,
      problems,
      restarts: 0,
    });
    if (!isRecord(initial)) {
      return refused([{ path: "environment", message: "the environment must be a JSON object" }]);
    }
    const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      return refused([{
        path: "bufferSize",
        message: `must be a whole number of at least 1, got ${bufferSize}`,
      }]);
    }
    const provider = options.components ?? builtinProvider;
    let set;
    try {
      set = await provider.open(componentIdsOf(flow), options.signal);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return refused([{ path: "", message: `cannot load the flow's components: ${reason}` }]);
    }
    try {
      const { problems, plan } = checkFlow(flow, set.components, set.missing);
      if (!plan) return refused(problems);
      scheduler = new Scheduler(plan, {
        environment: initial,
        signal: options.signal,
        onLog: options.onLog,
        keepLogs: options.keepLogs ?? true,
        bufferSize,
      });
      scheduler.start();
      return await scheduler.result;
    } finally {
      await set.close();
    }
  })();
  return {
    result,
    snapshot: () => scheduler ? scheduler.snapshot() : copyValue(initial) as Environment,
  };
}

/**
 * Runs a flow document to its end.
 *
 * The promise resolves with the outcome (`completed`, `error`, `cancelled`,
 * or `refused` with every problem of a flow that cannot run), the final
 * environment and the log.
 *
 * @example Running a flow with an initial environment
 * ```ts
 * import { runFlow } from "@castor/engine";
 *
 * const result = await runFlow(
 *   {
 *     nodes: [
 *       { id: "who", component: "system.Get", variable_name: "who" },
 *       { id: "log", component: "system.Log", template: "Hello {value}!" },
 *     ],
 *     links: [{ source: "who:value", targets: ["log:value"] }],
 *   },
 *   { environment: { who: "world" } },
 * );
 * console.log(result.outcome); // "completed"
 * console.log(result.logs[0]?.message); // "Hello world!"
 * ```
 */
export function runFlow(flow: unknown, options?: RunOptions): Promise<RunResult> {
  return startRun(flow, options).result;
}

/**
 * Checks a flow without running it: every problem, each with its location.
 * An empty list means the flow can run.
 *
 * @example
 * ```ts
 * import { validateFlow } from "@castor/engine";
 *
 * const problems = await validateFlow({ nodes: [{ id: "a", component: "acme.Widget" }], links: [] });
 * console.log(problems[0]?.path); // "nodes[0].component"
 * ```
 */
export async function validateFlow(
  flow: unknown,
  options: { components?: ComponentProvider; signal?: AbortSignal } = {},
): Promise<Problem[]> {
  const provider = options.components ?? builtinProvider;
  const set = await provider.open(componentIdsOf(flow), options.signal);
  try {
    return checkFlow(flow, set.components, set.missing).problems;
  } finally {
    await set.close();
  }
}
