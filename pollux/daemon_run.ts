/**
 * One run on the daemon: starting it with its components, waiting for its
 * result, logging how it ended, and turning the result into the final report
 * sent to Pollux.
 *
 * @module
 */

import type { RunResult } from "../engine/types.ts";
import type { QueuedRun } from "./client.ts";
import type { DaemonModules, DaemonRunHandle, StartRun } from "./daemon_types.ts";
import { describeError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { FinalReport, RunReporter } from "./run_reporter.ts";

/** Reason the daemon cancelled a run, which decides the run's final report. */
export type CancelReason = "ended-in-pollux" | "daemon-stopped" | "daemon-dead";

/** A run the daemon counts as in progress until Pollux accepts its final report. */
export interface ActiveRun {
  /** Run id given by Pollux. */
  id: string;
  /** Aborted to cancel the run. */
  controller: AbortController;
  /** Sends the run's updates and final report. */
  reporter: RunReporter;
  /** Reason the daemon cancelled the run, or `undefined` while it has not cancelled it. */
  cancelReason: CancelReason | undefined;
  /** Reason Pollux ended the run, for the log. */
  endedInPolluxReason: string | undefined;
  /** Settles once the final report is delivered or given up. */
  finished: Promise<void>;
}

/** Hooks and state of the daemon that {@linkcode executeRun} uses. */
export interface RunContext {
  /** Component source of the run. */
  modules: DaemonModules;
  /** Starts the run. */
  startRun: StartRun;
  /** Logger of the daemon. */
  logger: Logger;
  /** Name of the daemon, shown in the error message of a cancelled run. */
  daemonName: string;
  /** Returns the reason the daemon is stopping, or `undefined` while it is not. */
  stopReason: () => string | undefined;
  /** Aborted when the daemon stops retrying reports. */
  abandon: AbortSignal;
}

/**
 * Runs one flow handed out by Pollux and delivers its final report. A run
 * that cannot start or that fails inside Castor is reported as an error.
 * Resolves once the report is delivered or given up.
 */
export async function executeRun(
  active: ActiveRun,
  queued: QueuedRun,
  context: RunContext,
): Promise<void> {
  const { id, controller, reporter } = active;
  const started = performance.now();
  const flowName = nameOf(queued.flow);
  context.logger.info(`Run ${id} started${flowName ? ` (flow '${flowName}')` : ""}.`, { run: id });

  let handle: DaemonRunHandle;
  try {
    const components = await context.modules.providerFor(queued.flow, controller.signal);
    handle = context.startRun(queued.flow, {
      environment: structuredClone(queued.environment),
      signal: controller.signal,
      onLog: (entry) => reporter.log(entry),
      keepLogs: false,
      components,
    });
  } catch (error) {
    const message = `The run could not start: ${describeError(error)}`;
    context.logger.warn(`Run ${id} could not start: ${describeError(error)}`, { run: id });
    await reporter.finish({ kind: "error", message }, queued.environment, context.abandon);
    return;
  }

  reporter.startUpdates(() => handle.snapshot());
  let result: RunResult;
  try {
    result = await handle.result;
  } catch (error) {
    const message = `The run failed inside Castor: ${describeError(error)}`;
    context.logger.error(`Run ${id} failed inside Castor: ${describeError(error)}`, { run: id });
    await reporter.finish({ kind: "error", message }, handle.snapshot(), context.abandon);
    return;
  }

  const elapsed = Math.round(performance.now() - started);
  const report = finalReport(active, result, context);
  if (report.kind === "complete") {
    context.logger.info(`Run ${id} completed in ${elapsed} ms.`, { run: id, durationMs: elapsed });
  } else if (report.kind === "error") {
    context.logger.warn(`Run ${id} ended as an error after ${elapsed} ms: ${report.message}`, {
      run: id,
      durationMs: elapsed,
    });
  } else {
    context.logger.info(
      `Run ${id} was cancelled after ${elapsed} ms because ${active.endedInPolluxReason}.`,
      {
        run: id,
        durationMs: elapsed,
      },
    );
  }
  await reporter.finish(report, result.environment, context.abandon);
}

function finalReport(active: ActiveRun, result: RunResult, context: RunContext): FinalReport {
  const name = context.daemonName;
  switch (result.outcome) {
    case "completed":
      return { kind: "complete" };
    case "error": {
      const error = result.error;
      const message = error
        ? `Node '${error.node}' (${error.component}) failed: ${error.message}`
        : "The run failed.";
      return { kind: "error", message };
    }
    case "refused": {
      const problems = result.problems.map((problem) =>
        problem.path ? `${problem.path}: ${problem.message}` : problem.message
      );
      return {
        kind: "error",
        message: `The flow was rejected before it started. ${problems.join(" ")}`,
      };
    }
    case "cancelled":
      switch (active.cancelReason) {
        case "ended-in-pollux":
          return { kind: "update" };
        case "daemon-dead":
          return {
            kind: "error",
            message: `Pollux marked the daemon '${name}' as dead, so the run was cancelled.`,
          };
        case "daemon-stopped":
          return {
            kind: "error",
            message:
              `The daemon '${name}' stopped (${context.stopReason()}) before the run finished, ` +
              "so the run was cancelled.",
          };
        default:
          return { kind: "error", message: "The run was cancelled." };
      }
  }
}

/** Returns the flow's name from its `settings.name`, when it has one. */
function nameOf(flow: unknown): string | undefined {
  if (typeof flow !== "object" || flow === null) return undefined;
  const settings = (flow as { settings?: unknown }).settings;
  if (typeof settings !== "object" || settings === null) return undefined;
  const name = (settings as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
