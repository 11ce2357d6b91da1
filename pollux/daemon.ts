/**
 * The daemon's main loop: register with Pollux, poll for runs and commands,
 * run up to a limit at once, report every run, and stop cleanly.
 *
 * @module
 */

import { Backoff, sleep } from "./backoff.ts";
import type { PollResponse, QueuedRun } from "./client.ts";
import { type ActiveRun, type CancelReason, executeRun, type RunContext } from "./daemon_run.ts";
import type { DaemonOptions, ObservableLogger } from "./daemon_types.ts";
import { describeError, PolluxError } from "./errors.ts";
import { LogBuffer } from "./log_buffer.ts";
import { RunReporter } from "./run_reporter.ts";

export type {
  DaemonApi,
  DaemonModules,
  DaemonOptions,
  DaemonRunHandle,
  DaemonRunOptions,
  ObservableLogger,
  StartRun,
} from "./daemon_types.ts";

/**
 * One registered daemon. {@linkcode Daemon.run} returns once the daemon has
 * stopped (on {@linkcode Daemon.stop} or the `stop` command) and unregistered;
 * it never returns because Pollux is unreachable.
 *
 * A run counts as in progress, in the `flow_instances` sent with each poll
 * and against the limit, until Pollux has accepted its final report. Pollux
 * also counts the run as running until then, and the rule bounds the memory
 * held for runs whose reports wait for Pollux to come back.
 */
export class Daemon {
  readonly #options: DaemonOptions;
  readonly #logger: ObservableLogger;
  readonly #ownLogs: LogBuffer;
  readonly #runs = new Map<string, ActiveRun>();
  /** Aborted when the daemon stops retrying reports: end of the shutdown window, or a second stop. */
  readonly #abandon = new AbortController();
  /** Aborted by a second stop request: cancel the runs at once. */
  readonly #cancelNow = new AbortController();
  readonly #pollBackoff: Backoff;
  readonly #runContext: RunContext;
  #daemonId: string | undefined;
  #stopReason: string | undefined;
  #wake: AbortController | undefined;
  #wakeOnFreeSlot = false;
  #reportedStates = new Set<string>();

  /** Creates the daemon; nothing is sent before {@linkcode Daemon.run}. */
  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#ownLogs = new LogBuffer(options.maxBufferedLogLines);
    this.#pollBackoff = new Backoff(options.retry);
    this.#runContext = {
      modules: options.modules,
      startRun: options.startRun,
      logger: options.logger,
      daemonName: options.registration.name,
      stopReason: () => this.#stopReason,
      abandon: this.#abandon.signal,
    };
  }

  /** The instance id Pollux gave at the last registration, or `undefined` before it. */
  get instanceId(): string | undefined {
    return this.#daemonId;
  }

  /** Number of runs in progress, final reports not yet accepted included. */
  get runsInProgress(): number {
    return this.#runs.size;
  }

  /**
   * Registers, then polls and runs until stopped; then lets the runs finish
   * within the grace period, cancels the rest, delivers their reports and
   * unregisters. Resolves once all that is done.
   */
  async run(): Promise<void> {
    const removeListener = this.#logger.addListener((record) => {
      if (record.level !== "debug") {
        this.#ownLogs.push({ time: record.time, message: record.message });
      }
    });
    try {
      const { name, domain, concurrencyLimit } = this.#options.registration;
      this.#logger.info(
        `Daemon '${name}' started for domain '${domain}' with a limit of ${
          runs(concurrencyLimit)
        } at once.`,
        { daemon: name, domain },
      );
      while (this.#stopReason === undefined) {
        if (this.#daemonId === undefined) {
          await this.#register();
          continue;
        }
        const response = await this.#poll(this.#daemonId);
        if (response) await this.#handle(response);
      }
      await this.#shutdown();
    } finally {
      removeListener();
    }
  }

  /**
   * Asks the daemon to stop. The first call stops polling and gives the runs
   * the grace period. A second call cancels them at once and makes one last
   * attempt at each report.
   *
   * @param reason Reason shown in the logs and the runs' error messages, such
   * as `it received SIGTERM`.
   */
  stop(reason: string): void {
    if (this.#stopReason === undefined) {
      this.#stopReason = reason;
      this.#logger.info(
        `Stopping because ${reason}: no new runs; ${runs(this.#runs.size)} in progress get up to ` +
          `${this.#options.shutdownGracePeriod} ms to finish.`,
      );
      this.#wake?.abort();
      return;
    }
    if (!this.#cancelNow.signal.aborted) {
      this.#logger.warn(
        `Stopping at once because ${reason}: cancelling ${runs(this.#runs.size)} in progress.`,
      );
      this.#cancelNow.abort();
      this.#abandon.abort();
      this.#cancelRuns("daemon-stopped");
    }
  }

  async #register(): Promise<void> {
    const backoff = new Backoff(this.#options.retry);
    while (this.#stopReason === undefined) {
      try {
        this.#daemonId = await this.#options.api.register(this.#options.registration);
        this.#reportedStates.clear();
        this.#logger.info(`Registered with Pollux as daemon instance ${this.#daemonId}.`, {
          instance: this.#daemonId,
        });
        return;
      } catch (error) {
        if (!(error instanceof PolluxError)) throw error;
        const delay = backoff.next();
        this.#logger.warn(
          `Registering with Pollux failed (attempt ${backoff.failures}); retrying in ${delay} ms: ` +
            error.message,
          { attempt: backoff.failures, delayMs: delay },
        );
        await this.#sleep(delay, false);
      }
    }
  }

  /** Sends one poll and returns the response, or `undefined` after a failure and its backoff delay. */
  async #poll(daemonId: string): Promise<PollResponse | undefined> {
    const batch = this.#ownLogs.take();
    try {
      const response = await this.#options.api.poll(daemonId, {
        flowInstances: this.#runs.size,
        logs: batch.lines,
      });
      batch.commit();
      if (this.#pollBackoff.failures > 0) {
        this.#logger.info(
          `Pollux responded to a poll again after ${this.#pollBackoff.failures} failed attempt(s).`,
        );
        this.#pollBackoff.reset();
      }
      return response;
    } catch (error) {
      if (!(error instanceof PolluxError)) throw error;
      if (error.isUnknownId) {
        this.#logger.warn(
          `Pollux has no daemon instance ${daemonId} (${error.message}); registering again.`,
          { instance: daemonId },
        );
        this.#daemonId = undefined;
        return undefined;
      }
      const delay = this.#pollBackoff.next();
      this.#logger.warn(
        `Polling Pollux failed (attempt ${this.#pollBackoff.failures}); retrying in ${delay} ms ` +
          `while ${runs(this.#runs.size)} in progress carry on: ${error.message}`,
        { attempt: this.#pollBackoff.failures, delayMs: delay },
      );
      await this.#sleep(delay, false);
      return undefined;
    }
  }

  /** Starts the runs and carries out the commands of a poll's response, then waits until the next poll is due. */
  async #handle(response: PollResponse): Promise<void> {
    const { name } = this.#options.registration;
    if (response.state === "state_dead") {
      for (const run of response.runs) {
        this.#reject(
          run,
          `Pollux marked the daemon '${name}' as dead, so the run was not started.`,
        );
      }
      if (this.#stopReason === undefined) {
        this.#logger.warn(
          `Pollux marked daemon instance ${this.#daemonId} as dead (state_dead) and failed its runs; ` +
            `cancelling ${runs(this.#runs.size)} and registering again.`,
          { instance: this.#daemonId },
        );
        this.#cancelRuns("daemon-dead");
        this.#daemonId = undefined;
      }
      return;
    }
    this.#noteState(response.state);

    for (const run of response.runs) {
      if (this.#stopReason !== undefined) {
        this.#reject(
          run,
          `The daemon '${name}' was stopping (${this.#stopReason}) when Pollux handed out this run, ` +
            "so the run was not started.",
        );
      } else {
        this.#launch(run);
      }
    }
    for (const command of response.commands) await this.#obey(command.command);

    if (this.#stopReason !== undefined) return;
    const limit = this.#options.registration.concurrencyLimit;
    if (response.runs.length > 0 && this.#runs.size < limit) return;
    // A poll that brought a run suggests more are queued, so a slot that frees
    // up ends the wait early instead of leaving queued runs for a whole interval.
    await this.#sleep(this.#options.pollInterval, response.runs.length > 0);
  }

  #noteState(state: string): void {
    if (state === "state_running" || this.#reportedStates.has(state)) return;
    this.#reportedStates.add(state);
    if (state === "state_unknown") {
      this.#logger.warn(
        `Pollux reports daemon instance ${this.#daemonId} as state_unknown (it lost contact for a ` +
          "while); the daemon carries on as before.",
        { instance: this.#daemonId },
      );
    } else {
      this.#logger.warn(
        `Pollux reports daemon instance ${this.#daemonId} in the unexpected state '${state}'; the ` +
          "daemon carries on as before.",
        { instance: this.#daemonId },
      );
    }
  }

  async #obey(command: string): Promise<void> {
    switch (command) {
      case "stop":
        this.stop("a user sent the stop command from Pollux");
        return;
      case "reload":
        this.#logger.info(
          "Reloading modules after the reload command: the next runs load them afresh.",
        );
        try {
          await this.#options.modules.reload();
        } catch (error) {
          this.#logger.error(`Reloading modules failed: ${describeError(error)}`);
        }
        return;
      default:
        this.#logger.warn(`Ignored the unknown command '${command}' from Pollux.`, { command });
    }
  }

  #launch(queued: QueuedRun): void {
    if (this.#runs.has(queued.id)) {
      this.#logger.warn(
        `Pollux handed out run ${queued.id} again while it is in progress; ignored.`,
        {
          run: queued.id,
        },
      );
      return;
    }
    const limit = this.#options.registration.concurrencyLimit;
    if (this.#runs.size >= limit) {
      this.#logger.warn(
        `Pollux handed out run ${queued.id} although ${this.#runs.size} of ${limit} slots are busy; ` +
          "starting it anyway so that it is not lost.",
        { run: queued.id },
      );
    }
    const active = this.#track(queued.id);
    active.finished = executeRun(active, queued, this.#runContext)
      .catch((error) => {
        this.#logger.error(
          `Run ${queued.id} ended with an internal error: ${describeError(error)}`,
          {
            run: queued.id,
          },
        );
      })
      .finally(() => this.#untrack(active));
  }

  /** Reports a run that will not start as failed, counting it in progress until Pollux accepts that. */
  #reject(queued: QueuedRun, message: string): void {
    this.#logger.warn(`Run ${queued.id} was not started: ${message}`, { run: queued.id });
    const active = this.#track(queued.id);
    active.finished = active.reporter
      .finish({ kind: "error", message }, queued.environment, this.#abandon.signal)
      .then(() => {}, (error) => {
        this.#logger.error(
          `Reporting run ${queued.id} failed with an internal error: ${describeError(error)}`,
          {
            run: queued.id,
          },
        );
      })
      .finally(() => this.#untrack(active));
  }

  #track(id: string): ActiveRun {
    const reporter = new RunReporter({
      runId: id,
      api: this.#options.api,
      logger: this.#logger,
      updateInterval: this.#options.updateInterval,
      maxBufferedLogLines: this.#options.maxBufferedLogLines,
      retry: this.#options.retry,
      onEndedInPollux: (reason) => {
        this.#logger.info(`Cancelling run ${id} because ${reason}.`, { run: id });
        active.endedInPolluxReason = reason;
        this.#cancel(active, "ended-in-pollux");
      },
    });
    const active: ActiveRun = {
      id,
      controller: new AbortController(),
      reporter,
      cancelReason: undefined,
      endedInPolluxReason: undefined,
      finished: Promise.resolve(),
    };
    this.#runs.set(id, active);
    return active;
  }

  #untrack(active: ActiveRun): void {
    this.#runs.delete(active.id);
    if (this.#wakeOnFreeSlot) this.#wake?.abort();
  }

  #cancel(active: ActiveRun, reason: CancelReason): void {
    if (active.controller.signal.aborted) return;
    active.cancelReason = reason;
    active.controller.abort(new Error(`Run cancelled: ${reason}`));
  }

  #cancelRuns(reason: CancelReason): void {
    for (const active of this.#runs.values()) this.#cancel(active, reason);
  }

  async #shutdown(): Promise<void> {
    const { shutdownGracePeriod, shutdownReportTimeout } = this.#options;
    const allFinished = () =>
      Promise.all([...this.#runs.values()].map((active) => active.finished));

    if (this.#runs.size > 0) {
      await Promise.race([allFinished(), sleep(shutdownGracePeriod, this.#cancelNow.signal)]);
      if (this.#runs.size > 0) {
        this.#logger.warn(`Cancelling ${runs(this.#runs.size)} still in progress.`);
        this.#cancelRuns("daemon-stopped");
      }
    }

    const deadline = setTimeout(() => this.#abandon.abort(), shutdownReportTimeout);
    try {
      await allFinished();
      if (this.#daemonId !== undefined) await this.#unregister(this.#daemonId);
    } finally {
      clearTimeout(deadline);
    }
  }

  async #unregister(daemonId: string): Promise<void> {
    this.#logger.info(
      `Daemon '${this.#options.registration.name}' stopped; unregistering from Pollux.`,
    );
    const backoff = new Backoff(this.#options.retry);
    for (;;) {
      const batch = this.#ownLogs.take();
      try {
        await this.#options.api.unregister(daemonId, {
          flowInstances: this.#runs.size,
          logs: batch.lines,
        });
        batch.commit();
        this.#logger.info(`Unregistered daemon instance ${daemonId} from Pollux.`, {
          instance: daemonId,
        });
        return;
      } catch (error) {
        if (!(error instanceof PolluxError)) throw error;
        if (error.isUnknownId || this.#abandon.signal.aborted) {
          this.#logger.error(
            `Unregistering daemon instance ${daemonId} failed, so Pollux will mark it dead on its ` +
              `own: ${error.message}`,
            { instance: daemonId },
          );
          return;
        }
        const delay = backoff.next();
        this.#logger.warn(
          `Unregistering from Pollux failed (attempt ${backoff.failures}); retrying in ${delay} ms: ` +
            error.message,
          { attempt: backoff.failures, delayMs: delay },
        );
        await sleep(delay, this.#abandon.signal);
      }
    }
  }

  /** Waits `milliseconds`, or less when the daemon stops or, with `wakeOnFreeSlot`, a slot frees up. */
  async #sleep(milliseconds: number, wakeOnFreeSlot: boolean): Promise<void> {
    if (this.#stopReason !== undefined) return;
    const wake = new AbortController();
    this.#wake = wake;
    this.#wakeOnFreeSlot = wakeOnFreeSlot;
    await sleep(milliseconds, wake.signal);
    this.#wake = undefined;
    this.#wakeOnFreeSlot = false;
  }
}

/** Returns `1 run` or `N runs`. */
function runs(count: number): string {
  return count === 1 ? "1 run" : `${count} runs`;
}
