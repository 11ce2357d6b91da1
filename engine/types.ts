/**
 * Types shared by the flow model, the scheduler, the components and the
 * embedding API.
 *
 * @module
 */

/** Type of an input or output port, as flow documents and components name it. */
export type PortType = "int" | "float" | "string" | "boolean" | "list" | "dict" | "json" | "*";

/** Declaration of one port of a component. */
export interface PortSpec {
  /** Port name used in links (`node:port`) and presets. */
  name: string;
  /** Conversion applied to each value that arrives on the port. */
  type: PortType;
  /** Text shown in the editor. */
  description?: string;
}

/** Expected shape of a component setting, checked before a run starts. */
export type SettingType =
  | "string"
  | "number"
  | "number-or-text"
  | "boolean"
  | "list"
  | "dict"
  | "*";

/** Declaration of one setting of a component. */
export interface SettingSpec {
  /** Key of the setting in the node object. */
  name: string;
  /** Accepted shape; a value of another shape rejects the flow. */
  type: SettingType;
  /** Text shown in the editor. */
  description?: string;
  /** Whether a flow without this setting is rejected. */
  required?: boolean;
  /**
   * Further checks of a present value of the right shape; each problem's
   * `path` is relative to the setting (such as `[0].type`).
   */
  check?: (value: unknown) => Problem[];
}

/** Options of {@linkcode ComponentContext.restart}. */
export interface RestartOptions {
  /** Keep the current environment (`true`) or go back to the initial one (default). */
  keepEnvironment?: boolean;
  /** Text written to the run's log with the restart notice. */
  message?: string;
}

/**
 * The run as a component receives it while one of its nodes fires.
 *
 * The engine reuses one context per node, so a component must not keep it
 * after `run` has returned or settled.
 */
export interface ComponentContext {
  /** Id of the node that fires. */
  readonly node: string;
  /** Id of the component, such as `system.Log`. */
  readonly component: string;
  /** The node's settings: every key of the node object except `id`, `component` and `inputs`. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The run's environment; components read and write it in place. */
  readonly environment: Record<string, unknown>;
  /** Aborted when the run ends (cancelled, exited, failed, restarted). */
  readonly signal: AbortSignal;
  /** Adds a line to the run's log. */
  log(message: string): void;
  /** Adds an engine notice about this node (not a line the flow wrote), such as why it sent nothing. */
  notice(message: string): void;
  /** Ends the whole run after this firing; nothing is delivered from it. */
  exit(message?: unknown): void;
  /** Stops this node: nothing is sent from this firing, and the node never fires again in this run. */
  stop(message?: string): void;
  /** Sends nothing from this firing. */
  skip(): void;
  /** Restarts the whole run after this firing. */
  restart(options?: RestartOptions): void;
}

/**
 * A component: what a node of a flow runs each time it fires.
 *
 * `run` returns the value of the only output, an object `{ output: value }`
 * for several outputs, or nothing. An output whose value is `null` or
 * `undefined` sends nothing.
 *
 * @example A component that doubles its input
 * ```ts
 * import type { ComponentDefinition } from "@castor/engine";
 *
 * const Double: ComponentDefinition = {
 *   description: "Multiplies a number by two.",
 *   inputs: [{ name: "x", type: "float" }],
 *   outputs: [{ name: "y", type: "float" }],
 *   run: (inputs) => (inputs.x as number) * 2,
 * };
 * ```
 */
export interface ComponentDefinition {
  /** Text shown in the editor. */
  description?: string;
  /** Input ports, in the editor's order. */
  inputs: readonly PortSpec[];
  /** Output ports, in the editor's order. */
  outputs: readonly PortSpec[];
  /** Settings checked before the run; undeclared keys are still passed on. */
  settings?: readonly SettingSpec[];
  /** Called once per firing with one value per input port. */
  run(inputs: Record<string, unknown>, context: ComponentContext): unknown;
}

/** Components opened for one run by a {@linkcode ComponentProvider}. */
export interface ComponentSet {
  /** Definitions found, by component id. */
  readonly components: ReadonlyMap<string, ComponentDefinition>;
  /** Ids that could not be provided, each with the reason shown to the user. */
  readonly missing: ReadonlyMap<string, string>;
  /** Releases what the run held (workers, files); called once when the run ends. */
  close(): void | Promise<void>;
}

/**
 * Source of the components a flow uses: the built-ins, local or downloaded
 * modules, or an embedder's own.
 */
export interface ComponentProvider {
  /** Opens the given component ids for one run. */
  open(ids: readonly string[], signal?: AbortSignal): Promise<ComponentSet>;
}

/** A problem that keeps a flow from running, with where it is. */
export interface Problem {
  /** Location in the document, such as `nodes[3].component` or `links[1].targets[0]`; empty for the whole document. */
  path: string;
  /** Description of the problem and of the fix. */
  message: string;
}

/** Outcome of a run. */
export type Outcome = "completed" | "error" | "cancelled" | "refused";

/** One line of a run's log. */
export interface LogEntry {
  /** `log` for a line a component wrote, `notice` for the engine's own lines. */
  type: "log" | "notice";
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** Id of the node concerned; empty for a line about the whole run. */
  node: string;
  /** Component id of that node; empty for a line about the whole run. */
  component: string;
  /** The line itself. */
  message: string;
}

/** The node error that ended a run. */
export interface NodeErrorInfo {
  /** Id of the node that failed. */
  node: string;
  /** Its component id. */
  component: string;
  /** Cause of the failure, naming the port or value where relevant. */
  message: string;
}

/** The exit that ended a run. */
export interface ExitInfo {
  /** Id of the node that exited. */
  node: string;
  /** The exit message as text (for `system.Exit`, the value it received). */
  message: string;
}

/** A flow's environment: JSON variables read and written by the nodes. */
export type Environment = Record<string, unknown>;

/** Result of {@linkcode runFlow}. */
export interface RunResult {
  /** Outcome of the run. */
  outcome: Outcome;
  /** The environment at the end (the initial one for a refused flow). */
  environment: Environment;
  /** Every log line, unless `keepLogs` was `false`. */
  logs: LogEntry[];
  /** For `error`, the node error; otherwise `null`. */
  error: NodeErrorInfo | null;
  /** For `completed` by an exit, what ended the run; otherwise `null`. */
  exit: ExitInfo | null;
  /** For `refused`, every problem found; otherwise empty. */
  problems: Problem[];
  /** How many times the run restarted. */
  restarts: number;
}
