/**
 * The module layer of a run or of the daemon: built-in components first,
 * then modules from the local directory, the cache or Pollux, each run in a
 * sandbox process of its own for each run.
 *
 * @module
 */

import type {
  ComponentContext,
  ComponentDefinition,
  ComponentProvider,
  ComponentSet,
} from "../../engine/types.ts";
import type { ModuleSource } from "../module_source.ts";
import type { Logger } from "../logger.ts";
import { ModuleCache } from "./cache.ts";
import { ModuleError } from "./errors.ts";
import { checkId, splitComponentId } from "./ids.ts";
import { LocalModules } from "./local.ts";
import {
  type DeclaredPermissions,
  grantPermissions,
  parseDeclaredPermissions,
} from "./permissions.ts";
import { Sandbox } from "./sandbox.ts";
import { DEFAULT_SANDBOX_POLICY, type SandboxPolicy } from "./sandbox_config.ts";
import { checkComponent, type ComponentSpec } from "./specs.ts";
import { type LocatedSource, SourceStore } from "./store.ts";
import type { CallReply } from "./sandbox.ts";

/** Options of {@linkcode ModuleManager}. */
export interface ModuleManagerOptions {
  /** Components tried before any module, normally the built-ins; default: none. */
  builtins?: ComponentProvider;
  /**
   * Module ids that belong to the built-ins (`system`, `logic`, `math`): an
   * unknown component there is reported as such, never looked up as a module.
   */
  builtinModules?: readonly string[];
  /** Pollux, to search, hash and download modules and libraries; default: none. */
  source?: ModuleSource;
  /** Directory of the module cache (see `defaultCacheDir`). */
  cacheDir: string;
  /** Directory of local module files, searched before the cache (`castor run --modules`). */
  localDir?: string;
  /** Permissions modules may be granted, and sandbox limits; default: nothing ({@linkcode DEFAULT_SANDBOX_POLICY}). */
  policy?: SandboxPolicy;
  /** Compare each module's hash with Pollux before each run (`[daemon] auto_reload`); default `false`. */
  autoReload?: boolean;
  /** Receives downloads and warnings; default: nothing is logged. */
  logger?: Logger;
  /** Reads environment variables, for those granted to modules; default `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

/** A library ready to send to a sandbox. */
export interface PreparedLibrary {
  /** Library id. */
  id: string;
  /** SHA-1 of its source. */
  hash: string;
  /** Transformed code. */
  code: string;
}

/**
 * A module version, transformed and described: what a run needs to start
 * its sandbox. It never changes, so a run keeps the version it started with.
 */
export interface PreparedModule {
  /** Module id. */
  id: string;
  /** SHA-1 of its source. */
  hash: string;
  /** Origin of the source. */
  origin: LocatedSource["origin"];
  /** Size of the source in bytes. */
  size: number;
  /** Transformed code. */
  code: string;
  /** Libraries it imports or requires, with theirs. */
  libraries: PreparedLibrary[];
  /** Its components by export name. */
  components: ReadonlyMap<string, ComponentSpec>;
  /** Its `requires` export. */
  requires: string[];
  /** Its `permissions` export. */
  permissions: DeclaredPermissions;
}

const NO_PERMISSIONS: Deno.PermissionOptionsObject = {
  net: false,
  read: false,
  write: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: false,
};

/**
 * Loads and sandboxes node modules. One manager serves every run of a
 * `castor run` or of a daemon; {@linkcode ModuleManager.reload} drops what
 * it has loaded (the daemon's `reload` command).
 *
 * @example Running a flow with local modules
 * ```ts ignore
 * import { runFlow } from "../../engine/run.ts";
 * import { builtinProvider } from "../../nodes/mod.ts";
 * import { ModuleManager } from "./manager.ts";
 *
 * const modules = new ModuleManager({
 *   builtins: builtinProvider,
 *   cacheDir: "/tmp/castor-cache",
 *   localDir: "./my-modules",
 * });
 * const result = await runFlow(flow, { components: modules.provider });
 * ```
 */
export class ModuleManager {
  readonly #options: ModuleManagerOptions;
  readonly #store: SourceStore;
  readonly #policy: SandboxPolicy;
  /** Prepared modules by id, for the versions last seen; emptied by `reload`. */
  #prepared = new Map<string, Promise<PreparedModule>>();

  /** Creates the manager; nothing is read until a run opens components. */
  constructor(options: ModuleManagerOptions) {
    this.#options = options;
    this.#policy = options.policy ?? DEFAULT_SANDBOX_POLICY;
    this.#store = new SourceStore({
      cache: new ModuleCache(options.cacheDir),
      local: options.localDir ? new LocalModules(options.localDir) : undefined,
      source: options.source,
      maxSourceBytes: this.#policy.maxSourceBytes,
      logger: options.logger,
    });
  }

  /** The provider to pass to the engine: built-ins, then modules. */
  readonly provider: ComponentProvider = {
    open: (ids, signal) => this.#open(ids, signal),
  };

  /** Returns {@linkcode ModuleManager.provider}; the daemon calls it for each flow. */
  providerFor(_flow?: unknown, _signal?: AbortSignal): ComponentProvider {
    return this.provider;
  }

  /** Forgets every loaded module and library, so the next runs load them afresh; runs already going keep theirs. */
  reload(): void {
    this.#prepared = new Map();
  }

  /**
   * Returns a module ready to run: found, transformed, loaded once in a
   * sandbox with no permissions to read its declarations, and checked.
   *
   * @throws {ModuleError} when it is found nowhere or cannot be used.
   */
  prepare(moduleId: string, signal?: AbortSignal): Promise<PreparedModule> {
    return this.#prepareChecked(moduleId, signal).then(({ prepared, sandbox }) => {
      void sandbox?.close();
      return prepared;
    });
  }

  async #open(ids: readonly string[], signal?: AbortSignal): Promise<ComponentSet> {
    const components = new Map<string, ComponentDefinition>();
    const missing = new Map<string, string>();
    const sandboxes: Sandbox[] = [];
    const builtinSet = this.#options.builtins
      ? await this.#options.builtins.open(ids, signal)
      : undefined;
    for (const [id, definition] of builtinSet?.components ?? []) components.set(id, definition);

    const byModule = new Map<string, string[]>();
    for (const id of new Set(ids)) {
      if (components.has(id)) continue;
      const address = splitComponentId(id);
      if (!address || this.#options.builtinModules?.includes(address.moduleId)) {
        missing.set(
          id,
          builtinSet?.missing.get(id) ??
            `'${id}' is not a built-in component, and it cannot name a module component ` +
              `(module.path.Name, with letters, digits, '_' and '-').`,
        );
        continue;
      }
      const names = byModule.get(address.moduleId) ?? [];
      names.push(id);
      byModule.set(address.moduleId, names);
    }

    const opening = Promise.all([...byModule].map(async ([moduleId, componentIds]) => {
      try {
        const sandbox = await this.#startForRun(moduleId, signal, sandboxes);
        for (const componentId of componentIds) {
          const name = componentId.slice(moduleId.length + 1);
          const spec = sandbox.prepared.components.get(name);
          if (!spec) {
            const known = [...sandbox.prepared.components.keys()];
            missing.set(
              componentId,
              `module '${moduleId}' has no component '${name}' (it exports ` +
                `${known.length > 0 ? known.join(", ") : "no components"}).`,
            );
            continue;
          }
          components.set(componentId, proxyDefinition(componentId, spec, sandbox.sandbox));
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        for (const componentId of componentIds) missing.set(componentId, reason);
      }
    }));
    try {
      await opening;
    } catch (error) {
      await Promise.all([...sandboxes.map((sandbox) => sandbox.close()), builtinSet?.close()]);
      throw error;
    }

    let closed = false;
    return {
      components,
      missing,
      close: async () => {
        if (closed) return;
        closed = true;
        await Promise.all([...sandboxes.map((sandbox) => sandbox.close()), builtinSet?.close()]);
      },
    };
  }

  /** Prepares a module and starts the sandbox that the run will call. */
  async #startForRun(
    moduleId: string,
    signal: AbortSignal | undefined,
    sandboxes: Sandbox[],
  ): Promise<{ prepared: PreparedModule; sandbox: Sandbox }> {
    const { prepared, sandbox: describer } = await this.#prepareChecked(moduleId, signal);
    const permissions = grantPermissions(moduleId, prepared.permissions, this.#policy);
    if (describer) {
      // The sandbox that read the declarations has no permissions and contains
      // every library, so it serves the run when the module requests nothing.
      sandboxes.push(describer);
      return { prepared, sandbox: describer };
    }
    const sandbox = this.#startSandbox(moduleId, permissions);
    sandboxes.push(sandbox);
    await sandbox.load({ id: moduleId, code: prepared.code }, prepared.libraries);
    return { prepared, sandbox };
  }

  /**
   * Returns the prepared module, from memory when its version (and its
   * libraries') is unchanged, and the sandbox used to describe it when one
   * was started now and can serve a run.
   */
  async #prepareChecked(
    moduleId: string,
    signal?: AbortSignal,
  ): Promise<{ prepared: PreparedModule; sandbox?: Sandbox }> {
    checkId("module", moduleId);
    const known = this.#prepared.get(moduleId);
    if (known) {
      const prepared = await known.catch(() => undefined);
      if (prepared && (!this.#options.autoReload || await this.#isCurrent(prepared, signal))) {
        return { prepared };
      }
    }
    let sandbox: Sandbox | undefined;
    const fresh = this.#prepareNew(moduleId, signal).then((result) => {
      sandbox = result.sandbox;
      return result.prepared;
    });
    this.#prepared.set(moduleId, fresh);
    try {
      const prepared = await fresh;
      return { prepared, sandbox };
    } catch (error) {
      if (this.#prepared.get(moduleId) === fresh) this.#prepared.delete(moduleId);
      throw error;
    }
  }

  async #isCurrent(prepared: PreparedModule, signal?: AbortSignal): Promise<boolean> {
    const module = await this.#store.find("module", prepared.id, true, signal);
    if (!module || module.hash !== prepared.hash) return false;
    for (const library of prepared.libraries) {
      const found = await this.#store.find("lib", library.id, true, signal);
      if (!found || found.hash !== library.hash) return false;
    }
    return true;
  }

  async #prepareNew(
    moduleId: string,
    signal?: AbortSignal,
  ): Promise<{ prepared: PreparedModule; sandbox?: Sandbox }> {
    const module = await this.#store.find("module", moduleId, true, signal);
    if (!module) {
      throw new ModuleError(
        `module '${moduleId}' was found nowhere: not built in, and not in ` +
          `${this.#store.describePlaces("module", moduleId)}.`,
        { kind: "module", id: moduleId },
      );
    }
    const sandbox = this.#startSandbox(moduleId, NO_PERMISSIONS);
    try {
      const compiled = await this.#compile(sandbox, "module", moduleId, module.source);
      const libraries = new Map<string, PreparedLibrary>();
      await this.#addLibraries(sandbox, moduleId, compiled.libraryImports, libraries, signal);
      const loaded = await sandbox.load(
        { id: moduleId, code: compiled.code },
        [...libraries.values()],
      );
      const requires = parseRequires(moduleId, loaded.requires);
      const before = libraries.size;
      await this.#addLibraries(sandbox, moduleId, requires, libraries, signal);
      const permissions = parseDeclaredPermissions(moduleId, loaded.permissions);
      const components = new Map<string, ComponentSpec>();
      for (const raw of loaded.components) components.set(raw.name, checkComponent(moduleId, raw));
      const prepared: PreparedModule = {
        id: moduleId,
        hash: module.hash,
        origin: module.origin,
        size: new TextEncoder().encode(module.source).length,
        code: compiled.code,
        libraries: [...libraries.values()],
        components,
        requires,
        permissions,
      };
      const asksNothing = Object.values(permissions).every((list) => list.length === 0);
      if (asksNothing && libraries.size === before) return { prepared, sandbox };
      await sandbox.close();
      return { prepared };
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  /** Adds libraries and, from their static imports, the libraries they need. */
  async #addLibraries(
    sandbox: Sandbox,
    moduleId: string,
    ids: readonly string[],
    into: Map<string, PreparedLibrary>,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const id of ids) {
      if (into.has(id)) continue;
      checkId("lib", id);
      const library = await this.#store.find("lib", id, true, signal);
      if (!library) {
        throw new ModuleError(
          `Module '${moduleId}' needs library '${id}', which was found nowhere: not in ` +
            `${this.#store.describePlaces("lib", id)}.`,
          { kind: "lib", id },
        );
      }
      const compiled = await this.#compile(sandbox, "lib", id, library.source);
      into.set(id, { id, hash: library.hash, code: compiled.code });
      await this.#addLibraries(sandbox, moduleId, compiled.libraryImports, into, signal);
    }
  }

  async #compile(sandbox: Sandbox, kind: "module" | "lib", id: string, source: string) {
    try {
      return await sandbox.compile(kind, id, source);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new ModuleError(
        `${kind === "module" ? "Module" : "Library"} '${id}' has a syntax error: ${error.message}`,
        { kind, id, cause: error },
      );
    }
  }

  #startSandbox(moduleId: string, permissions: Deno.PermissionOptionsObject): Sandbox {
    return Sandbox.start({
      moduleId,
      permissions,
      callTimeoutMs: this.#policy.callTimeoutMs,
      memoryLimitMb: this.#policy.memoryLimitMb,
      env: this.#options.env,
      onLog: (message) => this.#options.logger?.debug(message, { module: moduleId }),
    });
  }
}

function parseRequires(moduleId: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((id) => typeof id !== "string")) {
    throw new ModuleError(
      `Module '${moduleId}' has an invalid requires export: list library ids, such as ["acme.http"].`,
      { kind: "module", id: moduleId },
    );
  }
  return value as string[];
}

/** Returns a definition whose `run` calls the component inside the module's sandbox. */
function proxyDefinition(
  componentId: string,
  spec: ComponentSpec,
  sandbox: Sandbox,
): ComponentDefinition {
  return {
    description: spec.description,
    inputs: spec.inputs,
    outputs: spec.outputs,
    settings: spec.settings,
    run: async (inputs: Record<string, unknown>, context: ComponentContext) => {
      const reply = await sandbox.call({
        node: context.node,
        component: componentId,
        name: spec.name,
        inputs,
        settings: context.settings,
        environment: context.environment,
        signal: context.signal,
        onLog: (message) => context.log(message),
      });
      applyReply(reply, context);
      if (!reply.ok) throw new Error(explainError(reply));
      return reply.value;
    },
  };
}

function applyReply(reply: CallReply, context: ComponentContext): void {
  for (const [key, value] of Object.entries(reply.environment.set)) {
    context.environment[key] = value;
  }
  for (const key of reply.environment.deleted) delete context.environment[key];
  for (const control of reply.controls) {
    switch (control.kind) {
      case "exit":
        context.exit(control.message);
        break;
      case "stop":
        context.stop(control.message);
        break;
      case "skip":
        context.skip();
        break;
      case "restart":
        context.restart({ keepEnvironment: control.keepEnvironment, message: control.message });
        break;
    }
  }
}

function explainError(reply: CallReply): string {
  const error = reply.error ?? { name: "Error", message: "unknown error" };
  if (error.name === "NotCapable" || error.name === "PermissionDenied") {
    const what = error.message.replace(/, run again with the --allow-\w+ flag$/, "");
    return `${what}: a module gets only what its 'permissions' export declares and ` +
      `[sandbox] in the configuration allows.`;
  }
  return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
}
