/**
 * Interfaces of the daemon: the Pollux requests it sends, the run start and
 * component hooks it calls, the logger it forwards, and its options.
 *
 * @module
 */

import type { ComponentProvider, Environment, LogEntry, RunResult } from "../engine/types.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { DaemonStatus, PollResponse, Registration } from "./client.ts";
import type { Logger, LogRecord } from "./logger.ts";
import type { RunReportApi } from "./run_reporter.ts";

/** The daemon requests of {@linkcode PolluxClient}, plus the run reports. */
export interface DaemonApi extends RunReportApi {
  /** Sends `/api/daemons/start`; returns the instance id. */
  register(registration: Registration, signal?: AbortSignal): Promise<string>;
  /** Sends `/api/daemons/i/{id}/fetch`. */
  poll(daemonId: string, status: DaemonStatus, signal?: AbortSignal): Promise<PollResponse>;
  /** Sends `/api/daemons/i/{id}/stop`. */
  unregister(daemonId: string, status: DaemonStatus, signal?: AbortSignal): Promise<void>;
}

/** Options the daemon passes to {@linkcode StartRun}; the engine's `RunOptions` accepts them. */
export interface DaemonRunOptions {
  /** Initial environment, a copy of what Pollux sent. */
  environment: Environment;
  /** Aborted to cancel the run. */
  signal: AbortSignal;
  /** Receives each log line as the run writes it. */
  onLog: (entry: LogEntry) => void;
  /** Always `false`: the lines go to Pollux through `onLog` instead. */
  keepLogs: false;
  /** Components for this flow. */
  components: ComponentProvider;
}

/** A run in progress, as the engine's `startRun` returns it. */
export interface DaemonRunHandle {
  /** Settles when the run ends; never rejects for a bad flow. */
  readonly result: Promise<RunResult>;
  /** Returns a copy of the live environment. */
  snapshot(): Environment;
}

/** Starts one run: the engine's `startRun`, or a stand-in in tests. */
export type StartRun = (flow: unknown, options: DaemonRunOptions) => DaemonRunHandle;

/** Component source of the runs, and the `reload` command's hook into the module cache. */
export interface DaemonModules {
  /** Returns the components for one flow; throwing reports the run as failed with the message. */
  providerFor(flow: unknown, signal: AbortSignal): ComponentProvider | Promise<ComponentProvider>;
  /** Forgets loaded modules so the next runs load them afresh (the `reload` command). */
  reload(): void | Promise<void>;
}

/** A logger whose records the daemon can also forward to Pollux. */
export interface ObservableLogger extends Logger {
  /** Calls `listener` with each record written; returns a function that removes it. */
  addListener(listener: (record: LogRecord) => void): () => void;
}

/** Options of {@linkcode Daemon}. Durations are in milliseconds. */
export interface DaemonOptions {
  /** Requests to Pollux. */
  api: DaemonApi;
  /** Fields sent to `/api/daemons/start`. */
  registration: Registration;
  /** Logger; records at `info` and above also go to Pollux with the polls. */
  logger: ObservableLogger;
  /** Starts a run. */
  startRun: StartRun;
  /** Components and the `reload` command. */
  modules: DaemonModules;
  /** Delay between two polls when the last one brought no run. */
  pollInterval: number;
  /** Delay between two `/update` of a run. */
  updateInterval: number;
  /** Time runs get to finish after a stop request, before they are cancelled. */
  shutdownGracePeriod: number;
  /** Time spent delivering final reports and unregistering once the runs ended. */
  shutdownReportTimeout: number;
  /** Bound on the log lines kept per run, and for the daemon, while Pollux is unreachable. */
  maxBufferedLogLines: number;
  /** Delays between retries of failed requests. */
  retry: BackoffOptions;
}
