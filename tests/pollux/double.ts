/**
 * A test double of Pollux: the daemon, instance, trigger, command, module
 * and library routes on 127.0.0.1, with an in-memory queue, a record of
 * every request, and failures on demand.
 *
 * It responds the way the real server does in the transcripts under
 * `fixtures/transcripts/` (see `transcripts_test.ts`): PHP-style JSON
 * (`\/` and `\uXXXX` escapes), French messages, `Not Found` HTML for
 * unknown routes, and the same state rules for daemons and instances.
 *
 * @module
 */

/** One request as the double received it. */
export interface RecordedRequest {
  /** `GET` or `POST`. */
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters. */
  query: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** Raw body text. */
  body: string;
  /** Decoded form fields of an `application/x-www-form-urlencoded` body. */
  form: Record<string, string>;
  /** HTTP status of the response (0 while the request hangs). */
  status: number;
  /** `performance.now()` when it arrived. */
  receivedAt: number;
}

/** A daemon registered with the double. */
export interface DaemonRecord {
  /** Instance id, 40 hex characters. */
  id: string;
  /** Registration form fields, as sent. */
  name: string;
  domain: string;
  machine: string;
  machineName: string;
  /** The `settings` field, decoded; `{}` when it was missing. */
  settings: Record<string, unknown>;
  /** `state_running`, `state_unknown` or `state_dead`. */
  state: string;
  /** Commands waiting for the next fetch. */
  queue: { command: string; settings: unknown[] }[];
  /** Log lines received with fetch and stop, in order. */
  logs: { time: number; message: string }[];
  /** The `flow_instances` of each fetch, in order (-1 when `status` was missing). */
  reportedFlowInstances: number[];
  /** Instances of this daemon in `state_running` now. */
  running: number;
  /** Most instances of this daemon in `state_running` at once. */
  maxRunning: number;
}

/** A run (instance) known to the double. */
export interface InstanceRecord {
  /** Run id, 40 hex characters. */
  id: string;
  /** Identifier of the flow it runs. */
  flowId: string;
  /** The flow document. */
  scheme: unknown;
  /** Domain it was queued for. */
  domain: string;
  /** Environment given by the trigger; handed out with the run. */
  triggerEnvironment: Record<string, unknown>;
  /** `state_queued`, `state_running`, `state_completed` or `state_error`. */
  state: string;
  /** Environment as JSON text: the trigger's once handed out, then as each report stored it; `null` while queued. */
  environment: string | null;
  /** Log lines: `daemon` lines arrived in reports, `server` lines are Pollux's own. */
  logs: { time: number; message: string; source: "daemon" | "server" }[];
  /** Daemon it was handed out to. */
  daemonId: string | undefined;
  /** Number of `/complete` requests received. */
  completions: number;
  /** `message` fields of the `/error` requests received. */
  errors: string[];
  /** Number of `/update` requests received. */
  updates: number;
}

/** Ways the double can fail on purpose. */
export type FailureMode =
  /** Stop listening: connections are refused. */
  | "refuse"
  /** Respond with HTTP 500 and Pollux's JSON error. */
  | "error500"
  /** Respond with HTTP 502 and an HTML page, as a proxy does. */
  | "html"
  /** Never respond (until the failure ends). */
  | "hang";

const JSON_TYPE = "application/json";
const HTML_TYPE = "text/html; charset=UTF-8";
const UNKNOWN_REQUEST = "Aucune instance ne correspond \u00e0 votre requ\u00eate.";

/**
 * The double. Start it with {@linkcode PolluxDouble.start}; close it with
 * {@linkcode PolluxDouble.close} (or `await using`).
 */
export class PolluxDouble {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Registered daemons by id. */
  readonly daemons = new Map<string, DaemonRecord>();
  /** Instances by id, in creation order. */
  readonly instances = new Map<string, InstanceRecord>();
  /** Flow documents by identifier, for `/api/trigger/{flow}`. */
  readonly flows = new Map<string, unknown>();
  /** Module source texts by id, for `/api/modules/...`. */
  readonly modules = new Map<string, string>();
  /** Library source texts by id, for `/api/lib/...`. */
  readonly libs = new Map<string, string>();
  /** Whether to keep every request in {@linkcode PolluxDouble.requests}; turn off for long benchmarks. */
  recordRequests = true;

  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #port = 0;
  #failure: { mode: FailureMode; matches: (path: string) => boolean } | undefined;
  #hanging = new Set<() => void>();
  #hold:
    | { matches: (path: string) => boolean; release: Promise<void>; open: () => void }
    | undefined;
  /** Number of requests held by {@linkcode PolluxDouble.hold} and not yet released. */
  heldRequests = 0;
  #listeners = new Set<() => void>();
  #closed = false;
  /** Instances in `state_queued`, oldest first, so a fetch need not scan every instance. */
  #queued: InstanceRecord[] = [];

  private constructor() {}

  /** Starts a double on 127.0.0.1 on a free port. */
  static start(): Promise<PolluxDouble> {
    const double = new PolluxDouble();
    double.#listen(0);
    return Promise.resolve(double);
  }

  /** Base URL, such as `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Stores a flow under an identifier, as the editor does. */
  addFlow(identifier: string, scheme: unknown): void {
    this.flows.set(identifier, scheme);
  }

  /**
   * Queues a run of `scheme` for a domain, as `/api/trigger` does, and
   * returns its id. The flow is stored under a generated identifier.
   */
  queueRun(
    scheme: unknown,
    options: { environment?: Record<string, unknown>; domain?: string } = {},
  ): string {
    const flowId = `flow${this.flows.size + 1}`;
    this.flows.set(flowId, scheme);
    return this.#createInstance(flowId, options.environment ?? {}, options.domain ?? "default");
  }

  /** Queues a command for a daemon, as a user's click in the web interface does. */
  queueCommand(daemonId: string, command: string): void {
    const daemon = this.#daemon(daemonId);
    if (daemon.state !== "state_dead") daemon.queue.push({ command, settings: [] });
  }

  /**
   * Moves a daemon to another state, as Pollux's surveillance does when a
   * page loads. Moving to `state_dead` fails its running instances.
   */
  setDaemonState(daemonId: string, state: "state_running" | "state_unknown" | "state_dead"): void {
    const daemon = this.#daemon(daemonId);
    daemon.state = state;
    if (state !== "state_dead") return;
    for (const instance of this.instances.values()) {
      if (instance.daemonId !== daemonId || instance.state !== "state_running") continue;
      this.#setState(instance, "state_error");
      this.#serverLog(instance, `Arr\u00eat du daemon ${daemonId} h\u00e9bergeant le processus`);
    }
    this.#notify();
  }

  /** Ends a run in Pollux, as a user does from the web interface. */
  endInstance(
    instanceId: string,
    state: "state_completed" | "state_error" = "state_completed",
  ): void {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`No instance ${instanceId} in the double.`);
    this.#setState(instance, state);
    this.#notify();
  }

  /**
   * Fails requests on purpose until {@linkcode PolluxDouble.recover}.
   * `matches` picks the paths that fail (default: all).
   */
  async fail(mode: FailureMode, matches: (path: string) => boolean = () => true): Promise<void> {
    await this.recover();
    this.#failure = { mode, matches };
    if (mode === "refuse") await this.#stopListening();
  }

  /** Ends a failure: responds normally again, on the same port. */
  async recover(): Promise<void> {
    const previous = this.#failure;
    this.#failure = undefined;
    for (const release of this.#hanging) release();
    if (previous?.mode === "refuse" && !this.#closed) this.#listen(this.#port);
    await Promise.resolve();
  }

  /**
   * Holds the requests whose path `matches` until {@linkcode PolluxDouble.release},
   * then responds to them normally: a slow Pollux, or a request in flight at a chosen moment.
   */
  hold(matches: (path: string) => boolean): void {
    let open = () => {};
    const release = new Promise<void>((resolve) => open = resolve);
    this.#hold = { matches, release, open };
  }

  /** Responds to the held requests and stops holding new ones. */
  release(): void {
    this.#hold?.open();
    this.#hold = undefined;
  }

  /** Daemons registered with a given name, oldest first. */
  daemonsNamed(name: string): DaemonRecord[] {
    return [...this.daemons.values()].filter((daemon) => daemon.name === name);
  }

  /** Log messages a daemon sent for a run, in order, without Pollux's own lines. */
  runLogs(instanceId: string): string[] {
    const instance = this.instances.get(instanceId);
    return (instance?.logs ?? []).filter((line) => line.source === "daemon").map((line) =>
      line.message
    );
  }

  /** Recorded requests whose path ends with `suffix` (and, when given, start with `prefix`). */
  requestsTo(suffix: string, prefix = ""): RecordedRequest[] {
    return this.requests.filter((request) =>
      request.path.startsWith(prefix) && request.path.endsWith(suffix)
    );
  }

  /**
   * Resolves with the first truthy value `check` returns, evaluated now and
   * after every request and every change made through the double's methods.
   * Rejects after `timeout` ms with `description`.
   */
  waitFor<T>(
    description: string,
    check: () => T | undefined | null | false,
    timeout = 15_000,
  ): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const listener = () => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        const recent = this.requests.slice(-8).map((request) =>
          `${request.method} ${request.path} ${request.status}`
        );
        reject(
          new Error(
            `Timed out after ${timeout} ms waiting for ${description}. Last requests:\n  ${
              recent.join("\n  ")
            }`,
          ),
        );
      }, timeout);
      const finish = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
    });
  }

  /** Stops the server and releases hanging requests. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#failure = undefined;
    this.release();
    for (const release of this.#hanging) release();
    await this.#stopListening();
  }

  /** Closes the double at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #listen(port: number): void {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#port = this.#server.addr.port;
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      await server.shutdown();
      await server.finished;
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    const form: Record<string, string> = {};
    if ((headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      for (const [name, value] of new URLSearchParams(body)) form[name] = value;
    }
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      form,
      status: 0,
      receivedAt: performance.now(),
    };
    if (this.recordRequests) this.requests.push(recorded);

    const hold = this.#hold;
    if (hold && hold.matches(url.pathname)) {
      this.heldRequests += 1;
      this.#notify();
      await hold.release;
      this.heldRequests -= 1;
    }

    let response: Response;
    const failure = this.#failure;
    if (failure && failure.matches(url.pathname)) {
      response = await this.#failResponse(failure.mode, headers);
    } else {
      response = await this.#route(request.method, url, body, form);
    }
    recorded.status = response.status;
    this.#notify();
    return response;
  }

  async #failResponse(mode: FailureMode, headers: Record<string, string>): Promise<Response> {
    switch (mode) {
      case "refuse":
        // Only a request accepted just before the listener closed gets here.
        return new Response("Service Unavailable", {
          status: 503,
          headers: { "content-type": HTML_TYPE },
        });
      case "hang": {
        // The client gives up on its own; the handler stays pending until the failure ends.
        await new Promise<void>((resolve) => {
          const release = () => {
            this.#hanging.delete(release);
            resolve();
          };
          this.#hanging.add(release);
        });
        return new Response("Service Unavailable", {
          status: 503,
          headers: { "content-type": HTML_TYPE },
        });
      }
      case "error500":
        return phpJson(500, {
          status: 500,
          success: false,
          message: "Erreur de base de donn\u00e9es",
        });
      case "html": {
        // Some proxies echo the request headers on their error page; the key must not leak from there.
        const echoed = Object.entries(headers).map(([name, value]) => `<li>${name}: ${value}</li>`)
          .join("");
        return new Response(
          `<html><head><title>502 Bad Gateway</title></head><body>key ${
            headers["x-api-key"]
          }<ul>${echoed}</ul></body></html>`,
          { status: 502, headers: { "content-type": HTML_TYPE } },
        );
      }
    }
  }

  async #route(
    method: string,
    url: URL,
    body: string,
    form: Record<string, string>,
  ): Promise<Response> {
    const path = url.pathname;
    let match: RegExpExecArray | null;

    if (method === "POST" && path === "/api/daemons/start") return this.#startDaemon(form);
    if (
      method === "POST" && (match = /^\/api\/daemons\/i\/([^/]+)\/(fetch|stop|update)$/.exec(path))
    ) {
      const [, id = "", action] = match;
      if (action === "fetch") return this.#fetch(id, form);
      if (action === "stop") return this.#stopDaemon(id, form);
      return this.#heartbeat(id);
    }
    if (
      method === "POST" &&
      (match = /^\/api\/instances\/([^/]+)\/(update|complete|error)$/.exec(path))
    ) {
      const [, id = "", action = ""] = match;
      return this.#report(id, action, form);
    }
    if (method === "GET" && (match = /^\/api\/instances\/([^/]+)\/(status|logs)$/.exec(path))) {
      const [, id = "", action] = match;
      return action === "status" ? this.#instanceStatus(id) : this.#instanceLogs(id);
    }
    if (method === "POST" && (match = /^\/api\/trigger\/([^/]+)$/.exec(path))) {
      return this.#trigger(match[1] ?? "", body);
    }
    if (method === "POST" && (match = /^\/daemons\/u\/([^/]+)\/commands\/([^/]+)$/.exec(path))) {
      return this.#command(match[1] ?? "", match[2] ?? "");
    }
    if ((match = /^\/editor\/flows\/([^/]+)$/.exec(path))) {
      const id = match[1] ?? "";
      if (method === "POST") {
        this.flows.set(id, JSON.parse(form.scheme ?? "null"));
        return success(null);
      }
      if (method === "GET" && this.flows.has(id)) return success(this.flows.get(id));
    }
    if (
      method === "GET" &&
      (match = /^\/api\/(modules|lib)\/(search|i\/([^/]+)\/(hash|download))$/.exec(path))
    ) {
      const [, area, , id, action] = match;
      return await this.#moduleRoute(
        area === "lib" ? "lib" : "module",
        id,
        action,
        url.searchParams,
      );
    }
    return new Response("Not Found", { status: 404, headers: { "content-type": HTML_TYPE } });
  }

  #startDaemon(form: Record<string, string>): Response {
    let settings: Record<string, unknown> = {};
    if (form.settings !== undefined) {
      const decoded = parseJson(form.settings);
      if (isRecord(decoded)) settings = decoded;
    }
    const daemon: DaemonRecord = {
      id: randomId(),
      name: form.name ?? "",
      domain: form.domain ?? "default",
      machine: form.machine ?? "",
      machineName: form.machine_name ?? "",
      settings,
      state: "state_running",
      queue: [],
      logs: [],
      reportedFlowInstances: [],
      running: 0,
      maxRunning: 0,
    };
    this.daemons.set(daemon.id, daemon);
    return success({ instance_id: daemon.id });
  }

  #fetch(id: string, form: Record<string, string>): Response {
    const daemon = this.daemons.get(id);
    if (!daemon) return failure(404, UNKNOWN_REQUEST);

    const status = form.status !== undefined ? parseJson(form.status) : undefined;
    const flowInstances = isRecord(status) && typeof status.flow_instances === "number"
      ? status.flow_instances
      : -1;
    daemon.reportedFlowInstances.push(flowInstances);
    this.#storeDaemonLogs(daemon, status);
    if (daemon.state === "state_dead") {
      return success({ state: "state_dead", flows: [], queue: [] });
    }

    const limit = typeof daemon.settings.concurrent_execution_limit === "number"
      ? daemon.settings.concurrent_execution_limit
      : 1;
    const flows: unknown[] = [];
    if (flowInstances >= 0 && flowInstances < limit) {
      const index = this.#queued.findIndex((instance) => instance.domain === daemon.domain);
      const next = this.#queued[index];
      if (next) {
        this.#queued.splice(index, 1);
        next.daemonId = daemon.id;
        this.#setState(next, "state_running");
        next.environment = JSON.stringify(next.triggerEnvironment);
        this.#serverLog(
          next,
          `D\u00e9but de l'ex\u00e9cution du processus sur le daemon ${daemon.id}`,
        );
        flows.push({
          instance: next.id,
          scheme: next.scheme,
          environment: next.triggerEnvironment,
        });
      }
    }
    const queue = daemon.queue;
    daemon.queue = [];
    return success({ state: daemon.state, flows, queue });
  }

  #stopDaemon(id: string, form: Record<string, string>): Response {
    const daemon = this.daemons.get(id);
    if (!daemon) return failure(404, UNKNOWN_REQUEST);
    this.#storeDaemonLogs(daemon, form.status !== undefined ? parseJson(form.status) : undefined);
    daemon.state = "state_dead";
    return success(null);
  }

  #heartbeat(id: string): Response {
    if (!this.daemons.has(id)) return failure(404, UNKNOWN_REQUEST);
    return new Response("", {
      status: 200,
      headers: { "content-type": HTML_TYPE, "set-cookie": sessionCookie() },
    });
  }

  #storeDaemonLogs(daemon: DaemonRecord, status: unknown): void {
    if (!isRecord(status) || !Array.isArray(status.logs)) return;
    for (const line of status.logs) {
      if (isRecord(line)) {
        daemon.logs.push({ time: Number(line.time), message: String(line.message) });
      }
    }
  }

  #report(id: string, action: string, form: Record<string, string>): Response {
    const instance = this.instances.get(id);
    if (!instance) return failure(404, `Aucune instance ne correspond \u00e0 ${id}`);

    const status = form.status !== undefined ? parseJson(form.status) : undefined;
    if (isRecord(status) && Array.isArray(status.logs)) {
      for (const line of status.logs) {
        if (isRecord(line)) {
          instance.logs.push({
            time: Number(line.time),
            message: String(line.message),
            source: "daemon",
          });
        }
      }
    }
    const environment = isRecord(status) && typeof status.environment === "string"
      ? status.environment
      : undefined;

    switch (action) {
      case "update":
        instance.updates += 1;
        if (environment !== undefined) instance.environment = environment;
        return success({ state: instance.state });
      case "complete":
        instance.completions += 1;
        if (environment !== undefined) {
          instance.environment = JSON.stringify(parseJson(environment));
        }
        this.#setState(instance, "state_completed");
        this.#serverLog(instance, "Ex\u00e9cution termin\u00e9e avec succ\u00e8s");
        return success(null);
      default: {
        // NOTE: the real server's text for an /error without `message` is not in
        // the transcripts; this one is a stand-in.
        const message = form.message ?? "Erreur lors de l'ex\u00e9cution du processus";
        instance.errors.push(message);
        if (environment !== undefined) instance.environment = environment;
        this.#setState(instance, "state_error");
        this.#serverLog(instance, message);
        return success(null);
      }
    }
  }

  #instanceStatus(id: string): Response {
    const instance = this.instances.get(id);
    if (!instance) return failure(404, `Aucune instance ne correspond \u00e0 ${id}`);
    return success({
      state: instance.state,
      environment: instance.environment === null ? null : parseJson(instance.environment),
    });
  }

  #instanceLogs(id: string): Response {
    const instance = this.instances.get(id);
    if (!instance) return failure(404, `Aucune instance ne correspond \u00e0 ${id}`);
    const logs = instance.logs.slice().reverse().map((line) => ({
      timestamp: Math.floor(line.time / 1000),
      datetime: parisDatetime(line.time),
      message: line.message,
    }));
    return success({ state: instance.state, logs });
  }

  #trigger(flowId: string, body: string): Response {
    const request = parseJson(body);
    if (!isRecord(request)) return failure(400, "Le format de votre requ\u00eate est incorrect");
    if (!this.flows.has(flowId)) {
      return failure(404, `Aucun processus ne correspond \u00e0 ${flowId}`);
    }
    const environment = isRecord(request.environment) ? request.environment : {};
    const domain = typeof request.domain === "string" ? request.domain : "default";
    return success({ instance: this.#createInstance(flowId, environment, domain) });
  }

  #command(daemonId: string, command: string): Response {
    const daemon = this.daemons.get(daemonId);
    if (!daemon) return failure(404, UNKNOWN_REQUEST);
    if (daemon.state !== "state_dead") daemon.queue.push({ command, settings: [] });
    return success(null);
  }

  async #moduleRoute(
    kind: "module" | "lib",
    id: string | undefined,
    action: string | undefined,
    query: URLSearchParams,
  ): Promise<Response> {
    const store = kind === "module" ? this.modules : this.libs;
    if (id === undefined) {
      const requested = query.get(kind === "module" ? "module_id" : "lib_id") ?? "";
      return success(store.has(requested) ? [requested] : []);
    }
    const content = store.get(id);
    if (content === undefined) {
      const message = kind === "module"
        ? `Aucun module correspondand \u00e0 l'identifiant '${id}'`
        : action === "hash"
        ? `Aucune biblioth\u00e8que correspondand \u00e0 l'identifiant '${id}'`
        : `Aucun biblioth\u00e8que correspondand \u00e0 l'identifiant '${id}'`;
      return failure(404, message);
    }
    if (action === "hash") return success({ hash: await sha1Hex(content) });
    return success({ content });
  }

  #createInstance(flowId: string, environment: Record<string, unknown>, domain: string): string {
    const instance: InstanceRecord = {
      id: randomId(),
      flowId,
      scheme: this.flows.get(flowId),
      domain,
      triggerEnvironment: environment,
      state: "state_queued",
      environment: null,
      logs: [],
      daemonId: undefined,
      completions: 0,
      errors: [],
      updates: 0,
    };
    this.instances.set(instance.id, instance);
    this.#queued.push(instance);
    this.#serverLog(instance, "Cr\u00e9ation de l'instance d'ex\u00e9cution");
    this.#notify();
    return instance.id;
  }

  /** Changes an instance's state, keeping the running counts of its daemon. */
  #setState(instance: InstanceRecord, state: string): void {
    const daemon = instance.daemonId === undefined
      ? undefined
      : this.daemons.get(instance.daemonId);
    if (daemon && instance.state === "state_running") daemon.running -= 1;
    instance.state = state;
    if (daemon && state === "state_running") {
      daemon.running += 1;
      daemon.maxRunning = Math.max(daemon.maxRunning, daemon.running);
    }
  }

  #serverLog(instance: InstanceRecord, message: string): void {
    instance.logs.push({ time: Date.now(), message, source: "server" });
  }

  #daemon(id: string): DaemonRecord {
    const daemon = this.daemons.get(id);
    if (!daemon) throw new Error(`No daemon ${id} in the double.`);
    return daemon;
  }
}

/** Encodes like PHP's `json_encode`: `/` as `\/`, and non-ASCII as `\uXXXX`. */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("/", "\\/")
    .replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

function phpJson(status: number, value: unknown): Response {
  return new Response(phpJsonEncode(value), {
    status,
    headers: { "content-type": JSON_TYPE, "set-cookie": sessionCookie() },
  });
}

function success(payload: unknown): Response {
  return phpJson(200, { status: 200, success: true, payload });
}

function failure(status: number, message: string): Response {
  return phpJson(status, { status, success: false, message });
}

function sessionCookie(): string {
  return `PHPSESSID=${randomId().slice(0, 26)}; path=/`;
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Formats a time as Pollux's log `datetime`: `Y-m-d H:i:s.mmm` in
 * Europe/Paris, with the milliseconds not zero-padded on the left (7 ms
 * shows as `.700`), as the real server does.
 */
function parisDatetime(time: number): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(time));
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  const milliseconds = String(time % 1000).padEnd(3, "0");
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${
    part("second")
  }.${milliseconds}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
