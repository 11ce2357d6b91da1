/**
 * The code that runs inside a module's Worker: it evaluates the module's
 * compiled source, describes its components, and runs them call by call.
 *
 * {@linkcode workerMain} is started from its source text (a `data:` URL), so
 * it must not use anything from outside its own body: no imports, no
 * module-level names. The Worker has only the permissions granted to the
 * module; everything here treats the module's code as hostile.
 *
 * @module
 */

/**
 * Runs the module side of the sandbox protocol in the current Worker. It
 * never returns control to the module outside `load` and `call` messages.
 */
export function workerMain(): void {
  type Json = Record<string, unknown>;
  type Post = (message: Json) => void;
  const scope = globalThis as unknown as {
    postMessage: Post;
    addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
    console: Console;
  };
  const post: Post = scope.postMessage.bind(globalThis);
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const libraryPrefix = "lib:";

  // Nothing of the process leaks through these: no command line, and no
  // direct writes to the stdout that carries the protocol.
  for (const name of ["args", "stdout", "stderr", "stdin"]) {
    try {
      Object.defineProperty(Deno, name, { value: undefined, configurable: false });
    } catch { /* already locked: nothing to hide */ }
  }

  let components = new Map<string, { run: (inputs: Json, context: unknown) => unknown }>();
  const activeCalls = new Map<number, AbortController>();

  const errorInfo = (error: unknown) => {
    if (error instanceof Error) {
      return { name: error.name || "Error", message: error.message || String(error) };
    }
    return { name: "Error", message: describe(error) };
  };
  const describe = (value: unknown): string => {
    try {
      return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  };

  // console output goes to the run's log when one call is active, else to Castor's log.
  const consoleLine = (...values: unknown[]) => {
    const message = values.map(describe).join(" ");
    const only = activeCalls.size === 1 ? activeCalls.keys().next().value : null;
    post({ type: "log", call: only ?? null, message });
  };
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    scope.console[method] = consoleLine;
  }

  const load = async (message: Json) => {
    const module = message.module as { id: string; code: string };
    const libraries = new Map(
      (message.libraries as { id: string; code: string }[]).map((l) => [l.id, l]),
    );
    const evaluated = new Map<string, { exports: Json }>();
    const requireFrom = (importer: string) => (specifier: unknown): unknown => {
      const text = String(specifier);
      const id = text.startsWith(libraryPrefix) ? text.slice(libraryPrefix.length) : undefined;
      const library = id === undefined ? undefined : libraries.get(id);
      if (id === undefined || library === undefined) {
        throw new Error(
          `'${importer}' cannot import "${text}": a module imports only libraries, ` +
            `as "lib:<id>", and each must be listed in the module's requires.`,
        );
      }
      const done = evaluated.get(id);
      if (done) return done.exports;
      // Stored before it runs, so that two libraries that import each other get
      // the part already evaluated, as CommonJS does.
      const record = { exports: {} as Json };
      evaluated.set(id, record);
      new Function("exports", "require", "module", library.code)(
        record.exports,
        requireFrom(id),
        record,
      );
      return record.exports;
    };
    try {
      const record = { exports: {} as Json };
      await new AsyncFunction("exports", "require", "module", module.code)(
        record.exports,
        requireFrom(module.id),
        record,
      );
      const exports = record.exports;
      const found = new Map<string, { run: (inputs: Json, context: unknown) => unknown }>();
      const described: Json[] = [];
      for (const [name, value] of Object.entries(exports)) {
        if (name === "default" || typeof value !== "object" || value === null) continue;
        const candidate = value as Json;
        if (typeof candidate.run !== "function") continue;
        found.set(name, candidate as { run: (inputs: Json, context: unknown) => unknown });
        described.push({
          name,
          description: plain(candidate.description),
          inputs: plain(candidate.inputs),
          outputs: plain(candidate.outputs),
          settings: plain(candidate.settings),
        });
      }
      components = found;
      post({
        type: "loaded",
        components: described,
        requires: plain(exports.requires),
        permissions: plain(exports.permissions),
      });
    } catch (error) {
      post({ type: "load-failed", error: errorInfo(error) });
    }
  };

  // Declarations cross as JSON data only, so that no getter or proxy of the
  // module runs in Castor.
  const plain = (value: unknown): unknown => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(JSON.stringify(value));
    } catch {
      return null;
    }
  };

  const snapshot = (environment: Json) => {
    const before = new Map<string, string | undefined>();
    for (const [key, value] of Object.entries(environment)) before.set(key, json(value));
    return before;
  };
  const json = (value: unknown): string | undefined => {
    try {
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  };
  const changes = (before: Map<string, string | undefined>, environment: Json) => {
    const set: Json = {};
    for (const [key, value] of Object.entries(environment)) {
      if (!before.has(key) || before.get(key) !== json(value)) set[key] = value;
    }
    const deleted = [...before.keys()].filter((key) => !Object.hasOwn(environment, key));
    return { set, deleted };
  };

  const call = async (message: Json) => {
    const id = message.call as number;
    const controller = new AbortController();
    activeCalls.set(id, controller);
    const environment = message.environment as Json;
    const before = snapshot(environment);
    const controls: Json[] = [];
    const text = (value: unknown) => value === undefined ? undefined : String(value);
    const context = Object.freeze({
      node: message.node,
      component: message.component,
      settings: Object.freeze(message.settings),
      environment,
      signal: controller.signal,
      log: (line: unknown) => post({ type: "log", call: id, message: String(line) }),
      exit: (exitMessage?: unknown) => controls.push({ kind: "exit", message: exitMessage }),
      stop: (stopMessage?: unknown) => controls.push({ kind: "stop", message: text(stopMessage) }),
      skip: () => controls.push({ kind: "skip" }),
      restart: (options?: { keepEnvironment?: unknown; message?: unknown }) =>
        controls.push({
          kind: "restart",
          keepEnvironment: Boolean(options?.keepEnvironment),
          message: text(options?.message),
        }),
    });
    let reply: Json;
    try {
      const component = components.get(message.name as string);
      if (!component) throw new Error(`the module has no component '${message.name}'`);
      const value = await component.run(message.inputs as Json, context);
      reply = {
        type: "result",
        call: id,
        value,
        controls,
        environment: changes(before, environment),
      };
    } catch (error) {
      reply = {
        type: "failed",
        call: id,
        error: errorInfo(error),
        controls,
        environment: changes(before, environment),
      };
    } finally {
      activeCalls.delete(id);
    }
    try {
      post(reply);
    } catch (error) {
      // A value that cannot be cloned (a function, a socket) fails the call, not the worker.
      post({
        type: "failed",
        call: id,
        error: {
          name: "DataCloneError",
          message: `the component returned a value that cannot leave its sandbox ` +
            `(${errorInfo(error).message}); return JSON-like data`,
        },
        controls: [],
        environment: { set: {}, deleted: [] },
      });
    }
  };

  scope.addEventListener("message", (event: MessageEvent) => {
    const message = event.data as Json;
    switch (message?.type) {
      case "load":
        void load(message);
        break;
      case "call":
        void call(message);
        break;
      case "abort":
        activeCalls.get(message.call as number)?.abort(
          new DOMException("The run was cancelled.", "AbortError"),
        );
        break;
    }
  });
  post({ type: "ready" });
}
