/**
 * HTTP client of the Pollux API: the daemon's requests, the run reports,
 * and read access to modules and libraries.
 *
 * @module
 */

import { PolluxError } from "./errors.ts";
import type { ModuleKind, ModuleSource } from "./module_source.ts";

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

/** Options of {@linkcode PolluxClient}. */
export interface PolluxClientOptions {
  /** Base URL, such as `https://pollux.example.org`; a trailing slash is ignored. */
  host: string;
  /** API key sent as `X-API-KEY`; it never appears in an error message. */
  key: string;
  /** Time in ms after which a request is abandoned; default 10 000. */
  timeout?: number;
  /** HTTP implementation; default the global `fetch`. */
  fetch?: typeof fetch;
}

const BODY_EXCERPT_LENGTH = 200;

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
  readonly #host: string;
  readonly #key: string;
  readonly #timeout: number;
  readonly #fetch: typeof fetch;

  /** Creates a client; nothing is sent until a method is called. */
  constructor(options: PolluxClientOptions) {
    this.#host = options.host.replace(/\/+$/, "");
    this.#key = options.key;
    this.#timeout = options.timeout ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Registers the daemon (`/api/daemons/start`) and returns its new instance id. */
  async register(registration: Registration, signal?: AbortSignal): Promise<string> {
    const endpoint = "/api/daemons/start";
    const payload = await this.#request("POST", endpoint, {
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
      throw this.#unexpected(endpoint, "an 'instance_id' text", payload);
    }
    return id;
  }

  /**
   * Polls for runs and commands (`/api/daemons/i/{id}/fetch`), sending the
   * number of runs in progress and the daemon's log lines.
   */
  async poll(daemonId: string, status: DaemonStatus, signal?: AbortSignal): Promise<PollResponse> {
    const endpoint = `/api/daemons/i/${encodeURIComponent(daemonId)}/fetch`;
    const payload = await this.#request("POST", endpoint, {
      signal,
      form: { status: encodeDaemonStatus(status) },
    });
    if (!isRecord(payload) || typeof payload.state !== "string") {
      throw this.#unexpected(endpoint, "an object with a 'state' text", payload);
    }

    const runs: QueuedRun[] = [];
    for (const item of Array.isArray(payload.flows) ? payload.flows : []) {
      if (!isRecord(item) || typeof item.instance !== "string") {
        throw this.#unexpected(endpoint, "runs with an 'instance' text", item);
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
    await this.#request("POST", `/api/daemons/i/${encodeURIComponent(daemonId)}/stop`, {
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
    const payload = await this.#request("POST", endpoint, {
      signal,
      form: { status: encodeRunStatus(status) },
    });
    if (!isRecord(payload) || typeof payload.state !== "string") {
      throw this.#unexpected(endpoint, "an object with a 'state' text", payload);
    }
    return payload.state;
  }

  /** Reports that a run completed (`/api/instances/{id}/complete`). */
  async completeRun(runId: string, status: RunStatus, signal?: AbortSignal): Promise<void> {
    await this.#request("POST", `/api/instances/${encodeURIComponent(runId)}/complete`, {
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
    await this.#request("POST", `/api/instances/${encodeURIComponent(runId)}/error`, {
      signal,
      form: { status: encodeRunStatus(status), message },
    });
  }

  /** Returns whether Pollux stores this module or library (the `search` endpoint). */
  async exists(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<boolean> {
    const base = kind === "module" ? "/api/modules" : "/api/lib";
    const endpoint = `${base}/search`;
    const payload = await this.#request("GET", endpoint, {
      signal,
      query: { [kind === "module" ? "module_id" : "lib_id"]: id },
    });
    if (!Array.isArray(payload)) throw this.#unexpected(endpoint, "a list of ids", payload);
    return payload.includes(id);
  }

  /** Returns the SHA-1 (hex) of the source text that Pollux reports, or `null` on 404. */
  async hash(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null> {
    const endpoint = `${kind === "module" ? "/api/modules" : "/api/lib"}/i/${
      encodeURIComponent(id)
    }/hash`;
    const payload = await this.#requestOrNull("GET", endpoint, signal);
    if (payload === NOT_FOUND) return null;
    if (!isRecord(payload) || typeof payload.hash !== "string") {
      throw this.#unexpected(endpoint, "an object with a 'hash' text", payload);
    }
    return payload.hash;
  }

  /** Returns the source text of a module or library, or `null` on 404. */
  async download(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null> {
    const endpoint = `${kind === "module" ? "/api/modules" : "/api/lib"}/i/${
      encodeURIComponent(id)
    }/download`;
    const payload = await this.#requestOrNull("GET", endpoint, signal);
    if (payload === NOT_FOUND) return null;
    if (!isRecord(payload) || typeof payload.content !== "string") {
      throw this.#unexpected(endpoint, "an object with a 'content' text", payload);
    }
    return payload.content;
  }

  async #requestOrNull(
    method: "GET",
    endpoint: string,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    try {
      return await this.#request(method, endpoint, { signal });
    } catch (error) {
      if (error instanceof PolluxError && error.isUnknownId) return NOT_FOUND;
      throw error;
    }
  }

  /** Sends one request and returns the `payload` of Pollux's success response. */
  async #request(
    method: "GET" | "POST",
    endpoint: string,
    options: {
      form?: Record<string, string>;
      query?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<unknown> {
    const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
    // A timer cleared after each response, rather than AbortSignal.timeout(), whose
    // timer stays pending for the whole timeout after every request.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeout);
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeout.signal])
      : timeout.signal;
    const headers: Record<string, string> = {
      "X-API-KEY": this.#key,
      "Accept": "application/json",
    };
    if (options.form) headers["Content-Type"] = "application/x-www-form-urlencoded";

    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(this.#host + endpoint + query, {
        method,
        headers,
        body: options.form ? new URLSearchParams(options.form).toString() : undefined,
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.signal.aborted) {
        throw new PolluxError(
          `Request ${method} ${endpoint} to Pollux timed out after ${this.#timeout} ms; ` +
            "check that the host is reachable, or raise request_timeout.",
          { endpoint, cause: error },
        );
      }
      if (options.signal?.aborted) throw error;
      throw new PolluxError(
        `The request ${method} ${endpoint} to Pollux failed: ${this.#redact(describe(error))}.`,
        { endpoint, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PolluxError(
        `Pollux responded to ${method} ${endpoint} with HTTP ${status} and a body that is not JSON: ` +
          `'${this.#excerpt(text)}'.`,
        { endpoint, status },
      );
    }
    if (!isRecord(body) || typeof body.success !== "boolean") {
      throw new PolluxError(
        `Pollux responded to ${method} ${endpoint} with HTTP ${status} and JSON without 'success': ` +
          `'${this.#excerpt(text)}'.`,
        { endpoint, status },
      );
    }
    if (!body.success || status < 200 || status > 299) {
      const serverMessage = typeof body.message === "string" ? this.#redact(body.message) : "";
      throw new PolluxError(
        `Pollux rejected ${method} ${endpoint} with HTTP ${status}: '${serverMessage}'.`,
        { endpoint, status, serverMessage },
      );
    }
    return body.payload ?? null;
  }

  #unexpected(endpoint: string, expected: string, payload: unknown): PolluxError {
    let payloadText: string;
    try {
      payloadText = JSON.stringify(payload) ?? String(payload);
    } catch {
      payloadText = String(payload);
    }
    return new PolluxError(
      `Pollux responded to ${endpoint} with a payload that is not ${expected}: '${
        this.#excerpt(payloadText)
      }'.`,
      { endpoint, status: 200 },
    );
  }

  /** Returns the start of a body, on one line, without the key (a proxy page may echo headers). */
  #excerpt(text: string): string {
    const oneLine = this.#redact(text).replace(/\s+/g, " ").trim();
    return oneLine.length > BODY_EXCERPT_LENGTH
      ? `${oneLine.slice(0, BODY_EXCERPT_LENGTH)}...`
      : oneLine;
  }

  #redact(text: string): string {
    return this.#key === "" ? text : text.replaceAll(this.#key, "[redacted]");
  }
}

const NOT_FOUND = Symbol("not found");

/** Encodes the `status` field of fetch and stop: JSON text. */
function encodeDaemonStatus(status: DaemonStatus): string {
  return JSON.stringify({ flow_instances: status.flowInstances, logs: status.logs });
}

/** Encodes the `status` field of the run reports: JSON text whose `environment` is JSON text too. */
function encodeRunStatus(status: RunStatus): string {
  return JSON.stringify({ environment: JSON.stringify(status.environment), logs: status.logs });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
