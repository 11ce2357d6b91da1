/**
 * HTTP client of the Pollux API: the daemon's requests, the run reports,
 * and read access to modules and libraries.
 *
 * @module
 */

import { isRecord } from "../engine/values.ts";
import { PolluxError } from "./errors.ts";
import type { ModuleKind, ModuleSource } from "./module_source.ts";
import { type PolluxClientOptions, PolluxTransport } from "./transport.ts";

export type { PolluxClientOptions } from "./transport.ts";

/** One log line as Pollux stores it. */
export interface PolluxLogLine {
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** The line itself. */
  message: string;
}

/** Status the daemon sends with each poll and when it unregisters. */
export interface DaemonStatus {
  /** Runs in progress on this daemon now. */
  flowInstances: number;
  /** The daemon's own log lines not yet accepted by Pollux. */
  logs: readonly PolluxLogLine[];
}

/** A run handed out by Pollux in the response to a poll. */
export interface QueuedRun {
  /** Run id (`instance`), used in the `/api/instances/{id}/...` paths. */
  id: string;
  /** The flow document to run. */
  flow: unknown;
  /** The initial environment; `{}` when Pollux sent `null` or nothing. */
  environment: Record<string, unknown>;
}

/** A command queued by a user for this daemon. */
export interface DaemonCommand {
  /** `stop`, `reload`, or a command this version does not support. */
  command: string;
  /** Arguments of the command; Pollux always sends an empty list. */
  settings: unknown;
}

/** The response to a poll (`/fetch`). */
export interface PollResponse {
  /** `state_running`, `state_unknown`, `state_dead`, or another text. */
  state: string;
  /** Runs to start now; Pollux sends at most one. */
  runs: QueuedRun[];
  /** Commands to carry out; each is delivered only once. */
  commands: DaemonCommand[];
}

/** Registration fields of `/api/daemons/start`. */
export interface Registration {
  /** Daemon name given on the command line. */
  name: string;
  /** Domain whose queued runs this daemon takes. */
  domain: string;
  /** MAC address, `aa:bb:cc:dd:ee:ff`. */
  machine: string;
  /** Name of the machine shown in Pollux. */
  machineName: string;
  /** Maximum number of runs in progress at once. */
  concurrencyLimit: number;
}

/** Contents of a run report: the environment and the log lines since the last accepted report. */
export interface RunStatus {
  /** The run's current environment; sent as JSON text inside the JSON text of `status`. */
  environment: Record<string, unknown>;
  /** Log lines not yet accepted by Pollux. */
  logs: readonly PolluxLogLine[];
}

/**
 * Client of one Pollux server. Every method sends one request and throws a
 * {@linkcode PolluxError} when it fails: no response within the timeout, a
 * network error, an HTTP error, or a body that is not Pollux's JSON. It does
 * not retry; the daemon decides when to try again.
 *
 * @example
 * ```ts ignore
 * import { PolluxClient } from "./client.ts";
 *
 * const client = new PolluxClient({ host: "https://pollux.example.org", key: "..." });
 * const id = await client.register({
 *   name: "build-2",
 *   domain: "default",
 *   machine: "02:00:00:00:00:01",
 *   machineName: "Build server 2",
 *   concurrencyLimit: 4,
 * });
 * const response = await client.poll(id, { flowInstances: 0, logs: [] });
 * ```
 */
export class PolluxClient implements ModuleSource {
  readonly #transport: PolluxTransport;

  /** Creates a client; nothing is sent until a method is called. */
  constructor(options: PolluxClientOptions) {
    this.#transport = new PolluxTransport(options);
  }

  /** Registers the daemon (`/api/daemons/start`) and returns its new instance id. */
  async register(registration: Registration, signal?: AbortSignal): Promise<string> {
    const endpoint = "/api/daemons/start";
    const payload = await this.#transport.request("POST", endpoint, {
      signal,
      form: {
        name: registration.name,
        domain: registration.domain,
        machine: registration.machine,
        machine_name: registration.machineName,
        settings: JSON.stringify({ concurrent_execution_limit: registration.concurrencyLimit }),
      },
    });
    const id = isRecord(payload) ? payload.instance_id : undefined;
    if (typeof id !== "string" || id === "") {
      throw this.#transport.unexpected(endpoint, "an 'instance_id' text", payload);
    }
    return id;
  }

  /**
   * Polls for runs and commands (`/api/daemons/i/{id}/fetch`), sending the
   * number of runs in progress and the daemon's log lines.
   */
  async poll(daemonId: string, status: DaemonStatus, signal?: AbortSignal): Promise<PollResponse> {
    const endpoint = `/api/daemons/i/${encodeURIComponent(daemonId)}/fetch`;
    const payload = await this.#transport.request("POST", endpoint, {
      signal,
      form: { status: encodeDaemonStatus(status) },
    });
    if (!isRecord(payload) || typeof payload.state !== "string") {
      throw this.#transport.unexpected(endpoint, "an object with a 'state' text", payload);
    }

    const runs: QueuedRun[] = [];
    for (const item of Array.isArray(payload.flows) ? payload.flows : []) {
      if (!isRecord(item) || typeof item.instance !== "string") {
        throw this.#transport.unexpected(endpoint, "runs with an 'instance' text", item);
      }
      runs.push({
        id: item.instance,
        flow: item.scheme,
        environment: isRecord(item.environment) ? item.environment : {},
      });
    }
    const commands: DaemonCommand[] = [];
    for (const item of Array.isArray(payload.queue) ? payload.queue : []) {
      commands.push({
        command: isRecord(item) && typeof item.command === "string" ? item.command : String(item),
        settings: isRecord(item) ? item.settings : undefined,
      });
    }
    return { state: payload.state, runs, commands };
  }

  /** Unregisters the daemon (`/api/daemons/i/{id}/stop`) with its last log lines. */
  async unregister(daemonId: string, status: DaemonStatus, signal?: AbortSignal): Promise<void> {
    await this.#transport.request("POST", `/api/daemons/i/${encodeURIComponent(daemonId)}/stop`, {
      signal,
      form: { status: encodeDaemonStatus(status) },
    });
  }

  /**
   * Reports a run's progress (`/api/instances/{id}/update`) and returns the
   * run's state in Pollux: `state_completed` or `state_error` mean that
   * Pollux ended the run.
   */
  async updateRun(runId: string, status: RunStatus, signal?: AbortSignal): Promise<string> {
    const endpoint = `/api/instances/${encodeURIComponent(runId)}/update`;
    const payload = await this.#transport.request("POST", endpoint, {
      signal,
      form: { status: encodeRunStatus(status) },
    });
    if (!isRecord(payload) || typeof payload.state !== "string") {
      throw this.#transport.unexpected(endpoint, "an object with a 'state' text", payload);
    }
    return payload.state;
  }

  /** Reports that a run completed (`/api/instances/{id}/complete`). */
  async completeRun(runId: string, status: RunStatus, signal?: AbortSignal): Promise<void> {
    await this.#transport.request("POST", `/api/instances/${encodeURIComponent(runId)}/complete`, {
      signal,
      form: { status: encodeRunStatus(status) },
    });
  }

  /**
   * Reports that a run failed or could not start (`/api/instances/{id}/error`);
   * `message` is shown to the users.
   */
  async failRun(
    runId: string,
    status: RunStatus,
    message: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#transport.request("POST", `/api/instances/${encodeURIComponent(runId)}/error`, {
      signal,
      form: { status: encodeRunStatus(status), message },
    });
  }

  /** Returns whether Pollux stores this module or library (the `search` endpoint). */
  async exists(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<boolean> {
    const endpoint = `${moduleBase(kind)}/search`;
    const payload = await this.#transport.request("GET", endpoint, {
      signal,
      query: { [kind === "module" ? "module_id" : "lib_id"]: id },
    });
    if (!Array.isArray(payload)) {
      throw this.#transport.unexpected(endpoint, "a list of ids", payload);
    }
    return payload.includes(id);
  }

  /** Returns the SHA-1 (hex) of the source text that Pollux reports, or `null` on 404. */
  hash(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null> {
    return this.#readText(`${moduleBase(kind)}/i/${encodeURIComponent(id)}/hash`, "hash", signal);
  }

  /** Returns the source text of a module or library, or `null` on 404. */
  download(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null> {
    return this.#readText(
      `${moduleBase(kind)}/i/${encodeURIComponent(id)}/download`,
      "content",
      signal,
    );
  }

  /** Sends a GET and returns the text field `field` of the payload, or `null` on 404. */
  async #readText(
    endpoint: string,
    field: string,
    signal: AbortSignal | undefined,
  ): Promise<string | null> {
    let payload: unknown;
    try {
      payload = await this.#transport.request("GET", endpoint, { signal });
    } catch (error) {
      if (error instanceof PolluxError && error.isUnknownId) return null;
      throw error;
    }
    const value = isRecord(payload) ? payload[field] : undefined;
    if (typeof value !== "string") {
      throw this.#transport.unexpected(endpoint, `an object with a '${field}' text`, payload);
    }
    return value;
  }
}

/** Returns the path prefix of modules or of libraries. */
function moduleBase(kind: ModuleKind): string {
  return kind === "module" ? "/api/modules" : "/api/lib";
}

/** Encodes the `status` field of fetch and stop: JSON text. */
function encodeDaemonStatus(status: DaemonStatus): string {
  return JSON.stringify({ flow_instances: status.flowInstances, logs: status.logs });
}

/** Encodes the `status` field of the run reports: JSON text whose `environment` is JSON text too. */
function encodeRunStatus(status: RunStatus): string {
  return JSON.stringify({ environment: JSON.stringify(status.environment), logs: status.logs });
}
