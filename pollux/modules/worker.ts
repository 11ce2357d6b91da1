/**
 * The code that runs inside a module's Worker: it evaluates the module's
 * transformed source, describes its components, and runs them call by call,
 * reading requests from stdin and writing replies to stdout.
 *
 * {@linkcode workerMain} is started from its source text (a `data:` URL), so
 * it must not use anything from outside its own body: no imports, no
 * module-level names. The Worker has only the permissions granted to the
 * module, and everything here treats the module's code as hostile: the
 * module can at worst break its own sandbox, which fails its own run.
 *
 * @module
 */

/**
 * Runs the module side of the sandbox protocol: waits for the `load`
 * message from the sandbox's main thread, then serves stdin until it closes.
 */
export function workerMain(): void {
  type Json = Record<string, unknown>;
  type Component = { run: (inputs: Json, context: unknown) => unknown };
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
    console: Console;
  };
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const libraryPrefix = "lib:";

  const describe = (value: unknown): string => {
    try {
      return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  };
  const errorInfo = (error: unknown) =>
    error instanceof Error
      ? { name: error.name || "Error", message: error.message || String(error) }
      : { name: "Error", message: describe(error) };
  // Declarations cross as JSON data only, so no getter or proxy of the module runs in Castor.
  const plain = (value: unknown): unknown => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(JSON.stringify(value));
    } catch {
      return null;
    }
  };
  const json = (value: unknown): string | undefined => {
    try {
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  };

  const serve = async (load: Json) => {
    const { serialize, deserialize } = await import("node:v8");
    // The streams are taken before the module runs. Then the globals are hidden,
    // so the module can neither read the command line nor write to the protocol streams.
    const input = Deno.stdin;
    const output = Deno.stdout;
    for (const name of ["args", "stdin", "stdout", "stderr"]) {
      try {
        Object.defineProperty(Deno, name, { value: undefined, configurable: false });
      } catch { /* already locked */ }
    }

    const send = (message: Json) => {
      const body = serialize(message);
      const frame = new Uint8Array(4 + body.length);
      new DataView(frame.buffer).setUint32(0, body.length);
      frame.set(body, 4);
      let written = 0;
      while (written < frame.length) written += output.writeSync(frame.subarray(written));
    };

    let components = new Map<string, Component>();
    const activeCalls = new Map<number, AbortController>();

    // console output goes to the run's log when one call is active, else to Castor's log.
    const consoleLine = (...values: unknown[]) => {
      const only = activeCalls.size === 1 ? activeCalls.keys().next().value : null;
      send({ type: "log", call: only ?? null, message: values.map(describe).join(" ") });
    };
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      scope.console[method] = consoleLine;
    }

    const evaluate = async (message: Json) => {
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
        // Stored before it runs, so that two libraries that import each other
        // get the part already evaluated, as CommonJS does.
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
        const found = new Map<string, Component>();
        const described: Json[] = [];
        for (const [name, value] of Object.entries(exports)) {
          if (name === "default" || typeof value !== "object" || value === null) continue;
          const candidate = value as Json;
          if (typeof candidate.run !== "function") continue;
          found.set(name, candidate as unknown as Component);
          described.push({
            name,
            description: plain(candidate.description),
            inputs: plain(candidate.inputs),
            outputs: plain(candidate.outputs),
            settings: plain(candidate.settings),
          });
        }
        components = found;
        send({
          type: "loaded",
          components: described,
          requires: plain(exports.requires),
          permissions: plain(exports.permissions),
        });
      } catch (error) {
        send({ type: "load-failed", error: errorInfo(error) });
      }
    };

    const call = async (message: Json) => {
      const id = message.call as number;
      const controller = new AbortController();
      activeCalls.set(id, controller);
      const environment = message.environment as Json;
      const before = new Map<string, string | undefined>();
      for (const [key, value] of Object.entries(environment)) before.set(key, json(value));
      const changes = () => {
        const set: Json = {};
        for (const [key, value] of Object.entries(environment)) {
          if (!before.has(key) || before.get(key) !== json(value)) set[key] = value;
        }
        const deleted = [...before.keys()].filter((key) => !Object.hasOwn(environment, key));
        return { set, deleted };
      };
      const controls: Json[] = [];
      const text = (value: unknown) => value === undefined ? undefined : String(value);
      const context = Object.freeze({
        node: message.node,
        component: message.component,
        settings: Object.freeze(message.settings),
        environment,
        signal: controller.signal,
        log: (line: unknown) => send({ type: "log", call: id, message: String(line) }),
        exit: (exitMessage?: unknown) => controls.push({ kind: "exit", message: exitMessage }),
        stop: (stopMessage?: unknown) =>
          controls.push({ kind: "stop", message: text(stopMessage) }),
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
        reply = { type: "result", call: id, value, controls, environment: changes() };
      } catch (error) {
        reply = {
          type: "failed",
          call: id,
          error: errorInfo(error),
          controls,
          environment: changes(),
        };
      } finally {
        activeCalls.delete(id);
      }
      try {
        send(reply);
      } catch (error) {
        // A value that cannot be cloned (a function, a socket) fails the call, not the sandbox.
        send({
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

    send({ type: "loading" });
    await evaluate(load);

    const receive = (message: Json) => {
      if (message.type === "call") {
        void call(message);
      } else if (message.type === "abort") {
        activeCalls.get(message.call as number)?.abort(
          new DOMException("The run was cancelled.", "AbortError"),
        );
      }
    };

    // Frames are read with `read()` into one reused buffer, because a
    // ReadableStream reader allocates a new chunk per read. In a 100-byte echo
    // between two Deno 2.9 processes on a 2-core machine, that cost 50 to 130 µs
    // per round trip. Bytes [0, end) of the buffer are read but not yet decoded.
    const textDecoder = new TextDecoder();
    const leftover = load.leftover as Uint8Array;
    let buffer = new Uint8Array(Math.max(64 * 1024, leftover.length));
    let view = new DataView(buffer.buffer);
    buffer.set(leftover);
    let end = leftover.length;
    while (true) {
      let start = 0;
      while (end - start >= 4) {
        const length = view.getUint32(start);
        if (end - start < 4 + length) break;
        // Castor sends JSON text where JSON is exact, else a V8 serialization,
        // which starts with 0xFF (see frames.ts).
        const body = buffer.subarray(start + 4, start + 4 + length);
        start += 4 + length;
        if (body[0] === 0x7b || body[0] === 0x5b) {
          receive(JSON.parse(textDecoder.decode(body)));
        } else {
          // A copy, because deserialize returns typed arrays that share the bytes
          // it is given, and the buffer is overwritten by the next read.
          receive(deserialize(body.slice()) as Json);
        }
      }
      buffer.copyWithin(0, start, end);
      end -= start;
      const needed = end >= 4 ? 4 + view.getUint32(0) : 4;
      if (needed > buffer.length) {
        const grown = new Uint8Array(Math.max(needed, 2 * buffer.length));
        grown.set(buffer.subarray(0, end));
        buffer = grown;
        view = new DataView(buffer.buffer);
      }
      // A few microtask turns let a component that finishes without waiting
      // for I/O send its reply first, because starting a read wakes a thread
      // of Deno's blocking pool, and that delayed the reply by about 30 µs.
      for (let turn = 0; turn < 4; turn++) await null;
      const count = await input.read(buffer.subarray(end));
      if (count === null) break;
      end += count;
    }
    scope.postMessage({ type: "end" });
  };

  scope.addEventListener("message", (event: MessageEvent) => {
    const message = event.data as Json;
    if (message?.type === "load") void serve(message);
  });
}
