/**
 * Reports of one run to Pollux: progress every few seconds, then the final
 * report. Each log line goes out until a request that carries it succeeds,
 * and never again after that.
 *
 * @module
 */

import { parseJson } from "../engine/values.ts";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import type { PolluxLogLine, RunStatus } from "./client.ts";
import { describeError, PolluxError } from "./errors.ts";
import { LogBuffer } from "./log_buffer.ts";
import type { Logger } from "./logger.ts";

/** The run report requests of {@linkcode PolluxClient} that a reporter sends. */
export interface RunReportApi {
  /** Sends `/update`; returns the run's state in Pollux. */
  updateRun(runId: string, status: RunStatus, signal?: AbortSignal): Promise<string>;
  /** Sends `/complete`. */
  completeRun(runId: string, status: RunStatus, signal?: AbortSignal): Promise<void>;
  /** Sends `/error` with the message shown to users. */
  failRun(runId: string, status: RunStatus, message: string, signal?: AbortSignal): Promise<void>;
}

/** Final report of a run, by the way it ended. */
export type FinalReport =
  /** The run completed: `/complete`. */
  | { kind: "complete" }
  /** The run failed, was rejected or was cancelled by the daemon: `/error` with `message`. */
  | { kind: "error"; message: string }
  /** Pollux had already ended the run: a last `/update` carries the remaining log lines. */
  | { kind: "update" };

/** Fate of a final report. */
export type Delivery =
  /** Pollux accepted it. */
  | "delivered"
  /** Pollux has no such run (HTTP 404), so the report was dropped. */
  | "unknown-run"
  /** The daemon stopped trying (shutdown deadline or second signal). */
  | "abandoned";

/** Options of {@linkcode RunReporter}. */
export interface RunReporterOptions {
  /** Run id (`instance`). */
  runId: string;
  /** Destination of the reports. */
  api: RunReportApi;
  /** The daemon's logger, for failures and recoveries. */
  logger: Logger;
  /** Delay in ms between two `/update` requests. */
  updateInterval: number;
  /** Bound on the log lines kept while Pollux is unreachable. */
  maxBufferedLogLines: number;
  /** Delays between the retries of the final report. */
  retry: BackoffOptions;
  /**
   * Called once when an `/update` returns that Pollux ended the run
   * (`state_completed` or `state_error`) or has no such run (HTTP 404).
   */
  onEndedInPollux(reason: string): void;
}

/** Pollux states that mean a user or Pollux itself ended the run. */
const ENDED_STATES = new Set(["state_completed", "state_error"]);

/**
 * Sends the reports of one run. Log lines go into a {@linkcode LogBuffer}
 * and leave it only when Pollux accepted the request that carried them. At
 * most one request of the run is in flight at a time, so lines keep their
 * order and none is sent twice.
 *
 * Progress updates that fail are not retried: the next update carries their
 * lines. The final report is retried with backoff until Pollux accepts it,
 * rejects the run id, or the `abandon` signal given to
 * {@linkcode RunReporter.finish} aborts.
 */
export class RunReporter {
  readonly #options: RunReporterOptions;
  readonly #logs: LogBuffer;
  #snapshot: (() => Record<string, unknown>) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #sending = false;
  #finished = false;
  #endedInPollux = false;
  #updateFailures = 0;

  /** Creates a reporter; nothing is sent before {@linkcode RunReporter.startUpdates}. */
  constructor(options: RunReporterOptions) {
    this.#options = options;
    this.#logs = new LogBuffer(options.maxBufferedLogLines);
  }

  /** Queues one log line of the run for the next report. */
  log(line: PolluxLogLine): void {
    this.#logs.push({ time: line.time, message: line.message });
  }

  /** Starts sending `/update` every `updateInterval` ms with the environment `snapshot` returns. */
  startUpdates(snapshot: () => Record<string, unknown>): void {
    if (this.#finished) return;
    this.#snapshot = snapshot;
    this.#schedule();
  }

  /**
   * Stops the updates and sends the final report with `environment` and the
   * remaining log lines, retrying with backoff. An `abandon` signal that is
   * already aborted still allows one attempt.
   */
  async finish(
    report: FinalReport,
    environment: Record<string, unknown>,
    abandon: AbortSignal,
  ): Promise<Delivery> {
    this.#finished = true;
    clearTimeout(this.#timer);
    await this.#inFlight;

    const { runId, logger } = this.#options;
    const safeEnvironment = this.#jsonSafe(environment);
    const backoff = new Backoff(this.#options.retry);
    for (;;) {
      const batch = this.#logs.take();
      try {
        await this.#send(report, { environment: safeEnvironment, logs: batch.lines });
        batch.commit();
        if (backoff.failures > 0) {
          logger.info(
            `Pollux accepted the final report of run ${runId} after ${backoff.failures} failed attempt(s).`,
            { run: runId },
          );
        }
        return "delivered";
      } catch (error) {
        if (!(error instanceof PolluxError)) throw error;
        if (error.isUnknownId) {
          logger.warn(
            `Pollux has no run ${runId} any more, so its final report and ${batch.lines.length} ` +
              `log lines were dropped: ${error.message}`,
            { run: runId },
          );
          return "unknown-run";
        }
        if (abandon.aborted) {
          logger.error(
            `Gave up delivering the final report of run ${runId} with ${batch.lines.length} log ` +
              `lines because the daemon is exiting: ${error.message}`,
            { run: runId },
          );
          return "abandoned";
        }
        const delay = backoff.next();
        const log = backoff.failures === 1 ? logger.warn : logger.debug;
        log.call(
          logger,
          `Sending the final report of run ${runId} failed (attempt ${backoff.failures}); ` +
            `retrying in ${delay} ms: ${error.message}`,
          { run: runId, attempt: backoff.failures, delayMs: delay },
        );
        await sleep(delay, abandon);
      }
    }
  }

  #send(report: FinalReport, status: RunStatus): Promise<unknown> {
    const { api, runId } = this.#options;
    switch (report.kind) {
      case "complete":
        return api.completeRun(runId, status);
      case "error":
        return api.failRun(runId, status, report.message);
      case "update":
        return api.updateRun(runId, status);
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (this.#finished || this.#endedInPollux || this.#sending) return;
      this.#inFlight = this.#update().finally(() => {
        if (!this.#finished && !this.#endedInPollux) this.#schedule();
      });
    }, this.#options.updateInterval);
  }

  async #update(): Promise<void> {
    const { api, runId, logger } = this.#options;
    const snapshot = this.#snapshot;
    if (!snapshot) return;

    this.#sending = true;
    const batch = this.#logs.take();
    try {
      const state = await api.updateRun(runId, {
        environment: this.#jsonSafe(snapshot()),
        logs: batch.lines,
      });
      batch.commit();
      if (this.#updateFailures > 0) {
        logger.info(
          `Pollux accepted an update of run ${runId} again after ${this.#updateFailures} failed update(s).`,
          { run: runId },
        );
        this.#updateFailures = 0;
      }
      if (ENDED_STATES.has(state) && !this.#finished) {
        this.#endedInPollux = true;
        this.#options.onEndedInPollux(`Pollux reports the run as ${state}`);
      }
    } catch (error) {
      if (!(error instanceof PolluxError)) {
        logger.error(`Sending an update of run ${runId} failed: ${describeError(error)}`, {
          run: runId,
        });
        return;
      }
      if (error.isUnknownId && !this.#finished) {
        this.#endedInPollux = true;
        this.#options.onEndedInPollux("Pollux has no such run any more (HTTP 404)");
        return;
      }
      this.#updateFailures += 1;
      const log = this.#updateFailures === 1 ? logger.warn : logger.debug;
      log.call(
        logger,
        `Sending an update of run ${runId} failed (${this.#updateFailures} in a row); ` +
          `the next update carries its log lines: ${error.message}`,
        { run: runId, failures: this.#updateFailures },
      );
    } finally {
      this.#sending = false;
    }
  }

  /** Returns a copy of the environment that JSON can encode, or `{}` with a warning. */
  #jsonSafe(environment: Record<string, unknown>): Record<string, unknown> {
    try {
      // parseJson keeps floats written as 7.0, so Pollux receives the text the run produced.
      return (parseJson(JSON.stringify(environment)) ?? {}) as Record<string, unknown>;
    } catch (error) {
      this.#options.logger.warn(
        `The environment of run ${this.#options.runId} cannot be encoded as JSON, so an empty ` +
          `environment was sent: ${describeError(error)}`,
        { run: this.#options.runId },
      );
      return {};
    }
  }
}
