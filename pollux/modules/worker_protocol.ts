/**
 * Messages between Castor and a module's sandbox process, and between that
 * process and the Worker that runs the module. Values travel as structured
 * clones (V8 serialization), never as shared objects.
 *
 * @module
 */

/** Source text turned into a function body by the sandbox's transform. */
export interface CompiledSource {
  /** Module or library id, for messages and stack traces. */
  id: string;
  /** CommonJS-style code: it reads `require`, `module` and `exports`. */
  code: string;
}

/** An error as it crosses the boundary: plain data, never an `Error` object. */
export interface ErrorInfo {
  /** Error class name, such as `TypeError` or `NotCapable`. */
  name: string;
  /** The error message. */
  message: string;
}

/** A component as the module declares it, before Castor checks it. */
export interface RawComponent {
  /** Export name. */
  name: string;
  /** The export's `description`, any value. */
  description: unknown;
  /** The export's `inputs`, any value. */
  inputs: unknown;
  /** The export's `outputs`, any value. */
  outputs: unknown;
  /** The export's `settings`, any value. */
  settings: unknown;
}

/** A control call a component made during one firing, replayed in order by Castor. */
export type ControlCall =
  | { kind: "exit"; message?: unknown }
  | { kind: "stop"; message?: string }
  | { kind: "skip" }
  | { kind: "restart"; keepEnvironment: boolean; message?: string };

/** Changes a call made to the run's environment. */
export interface EnvironmentChanges {
  /** Variables added or changed, with their new values. */
  set: Record<string, unknown>;
  /** Variables removed. */
  deleted: string[];
}

/** Messages from Castor to the sandbox process. */
export type HostMessage =
  | {
    type: "start";
    /** Permissions of the Worker that runs the module. */
    permissions: Deno.PermissionOptionsObject;
  }
  | { type: "compile"; request: number; kind: "module" | "lib"; id: string; source: string }
  | { type: "load"; module: CompiledSource; libraries: CompiledSource[] }
  | {
    type: "call";
    call: number;
    node: string;
    component: string;
    name: string;
    inputs: Record<string, unknown>;
    settings: Record<string, unknown>;
    environment: Record<string, unknown>;
  }
  | { type: "abort"; call: number };

/** Messages from the sandbox process to Castor. */
export type SandboxMessage =
  | { type: "ready" }
  | { type: "loading" }
  | { type: "compiled"; request: number; code: string; libraryImports: string[] }
  | { type: "compile-failed"; request: number; error: ErrorInfo }
  | { type: "loaded"; components: RawComponent[]; requires: unknown; permissions: unknown }
  | { type: "load-failed"; error: ErrorInfo }
  | { type: "log"; call: number | null; message: string }
  | {
    type: "result";
    call: number;
    value: unknown;
    controls: ControlCall[];
    environment: EnvironmentChanges;
  }
  | {
    type: "failed";
    call: number;
    error: ErrorInfo;
    controls: ControlCall[];
    environment: EnvironmentChanges;
  }
  | { type: "crashed"; error: ErrorInfo };

/** Prefix of the specifier by which a module imports a library: `lib:acme.http`. */
export const LIBRARY_PREFIX = "lib:";
