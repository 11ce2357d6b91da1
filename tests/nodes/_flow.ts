/**
 * Helpers for running small flows through the built-in components.
 *
 * @module
 */

import { runFlow, type RunOptions } from "../../engine/run.ts";
import type { ComponentProvider, RunResult } from "../../engine/types.ts";
import { markFloatAware } from "../../engine/scheduler.ts";
import { withComponents } from "../../nodes/mod.ts";

// A test flow that never ends is a broken test, so cancelling it turns the hang into a failed
// outcome.
const SAFETY_TIMEOUT_MS = 10_000;

/** Runs a flow with the built-in components, cancelled if it is still running after 10 s. */
export function run(flow: unknown, options: RunOptions = {}): Promise<RunResult> {
  return runFlow(flow, { signal: AbortSignal.timeout(SAFETY_TIMEOUT_MS), ...options });
}

/** Returns the lines written by `system.Log` nodes, in order. */
export function userLogs(result: RunResult): string[] {
  return result.logs.filter((entry) => entry.type === "log").map((entry) => entry.message);
}

/** Returns the engine's own log lines (exit, restart, disabled node), in order. */
export function notices(result: RunResult): string[] {
  return result.logs.filter((entry) => entry.type === "notice").map((entry) => entry.message);
}

/**
 * Builds a flow of one node whose output `port` feeds a `system.Log` node
 * with id `log`, so the log shows what the node sent.
 */
export function logged(node: Record<string, unknown>, port = "value"): unknown {
  return {
    nodes: [{ id: "node", ...node }, { id: "log", component: "system.Log" }],
    links: [{ source: `node:${port}`, targets: ["log:value"] }],
  };
}

/**
 * Returns the built-ins plus `test.Append`, a component that changes the list
 * it receives in place, as a downloaded one might.
 */
export function appendingComponents(): ComponentProvider {
  return withComponents({
    "test.Append": markFloatAware({
      inputs: [{ name: "value", type: "*" }],
      outputs: [{ name: "value", type: "*" }],
      run: (inputs) => {
        (inputs.value as unknown[]).push("added");
        return inputs.value;
      },
    }),
  });
}
