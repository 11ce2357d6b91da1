/**
 * The event-driven scheduler: fires nodes as soon as their inputs are there
 * and their outputs have room, with no polling and no per-node timer.
 *
 * Values wait in a bounded FIFO per linked input port. A ready queue contains
 * the nodes that may be able to fire, in the order they became ready. A node
 * is queued again whenever a value reaches one of its inputs or room appears
 * on one of its outputs. The run completes when the ready queue is empty and
 * no component call, timer or restart is pending.
 *
 * @module
 */

import type {
  ComponentContext,
  ComponentDefinition,
  Environment,
  ExitInfo,
  LogEntry,
  NodeErrorInfo,
  Outcome,
  PortType,
  RestartOptions,
  RunResult,
} from "./types.ts";
import type { Plan, PlannedNode } from "./validate.ts";
import { setImmediate } from "node:timers";
import { type Converter, converterFor, emptyValueOf } from "./convert.ts";
import { Fifo } from "./fifo.ts";
import { copyValue, Float, toPlain, toText } from "./values.ts";

const floatAwareDefinitions = new WeakSet<ComponentDefinition>();

/**
 * Marks a component as handling {@linkcode Float} values itself. Other
 * components receive plain numbers, and numbers they send on a `float`
 * output become floats.
 */
export function markFloatAware<T extends ComponentDefinition>(definition: T): T {
  floatAwareDefinitions.add(definition);
  return definition;
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** Initial environment; the run works on a copy. */
  environment: Environment;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** Called for each log line as it is written. */
  onLog?: (entry: LogEntry) => void;
  /** Whether the result lists every log line. */
  keepLogs: boolean;
  /** Capacity of each input port's buffer. */
  bufferSize: number;
}

const enum Action {
  None,
  Skip,
  Stop,
  Restart,
  Exit,
}

// How long the scheduler may run firings back to back before it lets timers,
// I/O and signals through, so an endless generator stays cancellable.
const SLICE_MS = 15;
const FIRINGS_BETWEEN_CLOCK_READS = 1024;

class InputSlot {
  readonly queue = new Fifo<unknown>();
  readonly producers: NodeState[] = [];
  linked = false;
  hasFixedValue = false;
  fixedValue: unknown = undefined;
  fixedConverted = false;
  // Lists and objects are copied for each firing, so a component cannot change the preset.
  fixedIsMutable = false;
  readonly convert: Converter;

  constructor(
    readonly node: NodeState,
    readonly name: string,
    readonly type: PortType,
  ) {
    this.convert = converterFor(name, type);
  }
}

class OutputSlot {
  readonly targets: InputSlot[] = [];

  constructor(readonly name: string, readonly type: PortType) {}
}

class NodeState {
  readonly inputs: InputSlot[];
  readonly outputs: OutputSlot[];
  linkedInputs: InputSlot[] = [];
  linkedOutputs: OutputSlot[] = [];
  readonly floatAware: boolean;
  readonly context: NodeContext;
  readonly values: unknown[];
  readonly buildInputs: (values: unknown[]) => Record<string, unknown>;
  fired = 0;
  busy = false;
  stopped = false;
  disabled = false;
  neverFires = false;
  queued = false;
  readonly limit: number;

  constructor(readonly plan: PlannedNode, readonly run: Scheduler) {
    const definition = plan.definition;
    this.inputs = definition.inputs.map((p) => new InputSlot(this, p.name, p.type));
    this.outputs = definition.outputs.map((p) => new OutputSlot(p.name, p.type));
    this.limit = run.single ? 1 : plan.limit;
    this.floatAware = floatAwareDefinitions.has(definition);
    this.context = new NodeContext(this);
    this.values = new Array(this.inputs.length).fill(undefined);
    this.buildInputs = inputsBuilder(this.inputs.map((input) => input.name));
  }

  get id(): string {
    return this.plan.id;
  }

  reset(): void {
    this.fired = 0;
    this.busy = false;
    this.stopped = false;
    this.queued = false;
    for (const input of this.inputs) input.queue.clear();
  }
}

/**
 * Returns a function that builds a node's inputs object from an array of
 * values. Generated code gives each node's object one fixed shape; filling a
 * fresh object by computed keys was the scheduler's main cost.
 */
function inputsBuilder(names: readonly string[]): (values: unknown[]) => Record<string, unknown> {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(", ");
  return new Function("values", `return { ${fields} };`) as (
    values: unknown[],
  ) => Record<string, unknown>;
}

class NodeContext implements ComponentContext {
  action = Action.None;
  exitMessage: unknown = undefined;
  stopMessage: string | undefined = undefined;
  restartOptions: RestartOptions | undefined = undefined;
  readonly #state: NodeState;

  constructor(state: NodeState) {
    this.#state = state;
  }

  get node(): string {
    return this.#state.plan.id;
  }

  get component(): string {
    return this.#state.plan.component;
  }

  get settings(): Readonly<Record<string, unknown>> {
    return this.#state.plan.settings;
  }

  get environment(): Record<string, unknown> {
    return this.#state.run.environment;
  }

  get signal(): AbortSignal {
    return this.#state.run.generationSignal;
  }

  log(message: string): void {
    this.#state.run.write("log", this.#state, toText(message));
  }

  notice(message: string): void {
    this.#state.run.write("notice", this.#state, toText(message));
  }

  exit(message?: unknown): void {
    this.#raise(Action.Exit);
    this.exitMessage = message;
  }

  stop(message?: string): void {
    this.#raise(Action.Stop);
    this.stopMessage = message;
  }

  skip(): void {
    this.#raise(Action.Skip);
  }

  restart(options?: RestartOptions): void {
    this.#raise(Action.Restart);
    this.restartOptions = options;
  }

  #raise(action: Action): void {
    if (action > this.action) this.action = action;
  }
}

/** A failure of one node, carried to the end of the run. */
class NodeFailure {
  constructor(readonly node: NodeState, readonly cause: unknown) {}
}

/**
 * One run of a checked flow. Create it, call {@linkcode Scheduler.start},
 * and await {@linkcode Scheduler.result}.
 */
export class Scheduler {
  /** The live environment the nodes read and write. */
  environment: Environment;
  /** Resolves once the run has ended. */
  readonly result: Promise<RunResult>;

  readonly #plan: Plan;
  readonly #options: SchedulerOptions;
  readonly #nodes: NodeState[];
  readonly #ready = new Fifo<NodeState>();
  readonly #logs: LogEntry[] = [];
  #resolve!: (result: RunResult) => void;
  #generation = 0;
  #controller = new AbortController();
  #inFlight = 0;
  #resumePending = false;
  #draining = false;
  #ended = false;
  #restarts = 0;
  #sliceStart = 0;
  #abortListener: (() => void) | undefined;

  /** Prepares a run of the plan; nothing fires before {@linkcode start}. */
  constructor(plan: Plan, options: SchedulerOptions) {
    this.#plan = plan;
    this.#options = options;
    this.environment = copyValue(options.environment) as Environment;
    this.result = new Promise((resolve) => this.#resolve = resolve);
    this.#nodes = plan.nodes.map((node) => new NodeState(node, this));
    this.#wire();
  }

  /** Whether every node fires at most once (`exec_mode` is `single`). */
  get single(): boolean {
    return this.#plan.single;
  }

  /** Signal of the current attempt; aborted when the run ends or restarts. */
  get generationSignal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts the run. */
  start(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) {
      this.#finish("cancelled");
      return;
    }
    if (signal) {
      this.#abortListener = () => this.#finish("cancelled");
      signal.addEventListener("abort", this.#abortListener, { once: true });
    }
    for (const node of this.#nodes) {
      if (node.disabled) {
        this.write("notice", node, "disabled: none of its inputs is linked or preset");
      } else if (node.neverFires) {
        const ports = node.inputs.filter((i) => !i.linked && !i.hasFixedValue).map((i) => i.name);
        this.write(
          "notice",
          node,
          `will never fire: input ${ports.map((p) => `'${p}'`).join(", ")} takes any type ` +
            `and is neither linked nor preset`,
        );
      }
    }
    this.#begin();
  }

  /** Returns a copy of the live environment. */
  snapshot(): Environment {
    return copyValue(this.environment) as Environment;
  }

  /** Adds a line to the run's log. */
  write(type: LogEntry["type"], node: NodeState | undefined, message: string): void {
    const entry: LogEntry = {
      type,
      time: Date.now(),
      node: node?.plan.id ?? "",
      component: node?.plan.component ?? "",
      message,
    };
    if (this.#options.keepLogs) this.#logs.push(entry);
    this.#options.onLog?.(entry);
  }

  #wire(): void {
    const bySlot = (node: NodeState, name: string, list: "inputs" | "outputs") =>
      (node[list] as (InputSlot | OutputSlot)[]).find((slot) => slot.name === name);
    for (const link of this.#plan.links) {
      const source = this.#nodes[link.source.node]!;
      const output = bySlot(source, link.source.port, "outputs") as OutputSlot;
      for (const target of link.targets) {
        const node = this.#nodes[target.node]!;
        const input = bySlot(node, target.port, "inputs") as InputSlot;
        output.targets.push(input);
        input.linked = true;
        if (!input.producers.includes(source)) input.producers.push(source);
      }
    }
    for (const node of this.#nodes) {
      node.linkedInputs = node.inputs.filter((input) => input.linked);
      node.linkedOutputs = node.outputs.filter((output) => output.targets.length > 0);
      for (const input of node.inputs) {
        if (input.linked) continue;
        if (node.plan.presets.has(input.name)) {
          input.hasFixedValue = true;
          input.fixedValue = node.plan.presets.get(input.name);
        } else if (input.type !== "*") {
          input.hasFixedValue = true;
          input.fixedValue = emptyValueOf(input.type);
          input.fixedConverted = true;
          input.fixedIsMutable = input.type === "list" || input.type === "dict" ||
            input.type === "json";
        }
      }
      const anyGiven = node.inputs.some((i) => i.linked || node.plan.presets.has(i.name));
      node.disabled = node.inputs.length > 0 && !anyGiven;
      node.neverFires = !node.disabled && node.inputs.some((i) => !i.linked && !i.hasFixedValue);
    }
  }

  #begin(): void {
    this.#sliceStart = performance.now();
    for (const node of this.#nodes) this.#enqueue(node);
    this.#drain();
  }

  #enqueue(node: NodeState): void {
    if (!node.queued) {
      node.queued = true;
      this.#ready.push(node);
    }
  }

  #canFire(node: NodeState): boolean {
    if (node.busy || node.stopped || node.disabled || node.neverFires) return false;
    if (node.fired >= node.limit) return false;
    const inputs = node.linkedInputs;
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i]!.queue.size === 0) return false;
    }
    const capacity = this.#options.bufferSize;
    const outputs = node.linkedOutputs;
    for (let i = 0; i < outputs.length; i++) {
      const targets = outputs[i]!.targets;
      for (let j = 0; j < targets.length; j++) {
        if (targets[j]!.queue.size >= capacity) return false;
      }
    }
    return true;
  }

  #drain(): void {
    if (this.#draining || this.#ended) return;
    this.#draining = true;
    let firings = 0;
    try {
      while (!this.#ended) {
        const node = this.#ready.shift();
        if (node === undefined) break;
        node.queued = false;
        if (!this.#canFire(node)) continue;
        this.#fire(node);
        if (++firings === FIRINGS_BETWEEN_CLOCK_READS) {
          firings = 0;
          if (performance.now() - this.#sliceStart > SLICE_MS) {
            this.#pause();
            break;
          }
        }
      }
    } catch (error) {
      if (error instanceof NodeFailure) this.#fail(error.node, error.cause);
      else throw error;
    } finally {
      this.#draining = false;
    }
    this.#settleIfIdle();
  }

  // Lets timers, I/O and signal handlers run, then carries on where it stopped.
  #pause(): void {
    this.#resumePending = true;
    const generation = this.#generation;
    // setImmediate lets timers, I/O and signals through at a cost of about 15 µs,
    // where a nested setTimeout(0) is clamped to milliseconds.
    setImmediate(() => {
      this.#resumePending = false;
      if (generation !== this.#generation || this.#ended) return;
      this.#sliceStart = performance.now();
      this.#drain();
    });
  }

  #settleIfIdle(): void {
    if (this.#ended || this.#draining) return;
    if (this.#ready.size > 0 || this.#inFlight > 0 || this.#resumePending) return;
    this.#noteLeftovers();
    this.#finish("completed");
  }

  #noteLeftovers(): void {
    for (const node of this.#nodes) {
      const waiting = node.linkedInputs.filter((input) => input.queue.size > 0);
      if (waiting.length === 0) continue;
      const counts = waiting
        .map((input) => `${input.queue.size} on '${input.name}'`)
        .join(", ");
      this.write("notice", node, `values left unused (${counts}): ${this.#whyIdle(node)}`);
    }
  }

  // Explains why a node with values waiting did not fire again.
  #whyIdle(node: NodeState): string {
    const empty = node.linkedInputs.filter((input) => input.queue.size === 0);
    if (empty.length > 0) {
      return `no value came on ${empty.map((input) => `'${input.name}'`).join(", ")}`;
    }
    if (node.stopped) return "the node stopped itself";
    if (node.fired >= node.limit) return `the node reached its execution limit (${node.limit})`;
    return "its outputs stayed full, because a loop in the flow produces more values than " +
      "it consumes";
  }

  #fire(node: NodeState): void {
    node.fired++;
    const values = node.values;
    const capacity = this.#options.bufferSize;
    const inputs = node.inputs;
    try {
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i]!;
        let value: unknown;
        if (input.linked) {
          const before = input.queue.size;
          value = input.convert(input.queue.shift());
          if (before >= capacity) {
            const producers = input.producers;
            for (let p = 0; p < producers.length; p++) this.#enqueue(producers[p]!);
          }
        } else {
          if (!input.fixedConverted) {
            input.fixedValue = input.convert(input.fixedValue);
            input.fixedConverted = true;
            input.fixedIsMutable = typeof input.fixedValue === "object" &&
              input.fixedValue !== null &&
              !(input.fixedValue instanceof Float);
          }
          value = input.fixedIsMutable ? copyValue(input.fixedValue) : input.fixedValue;
        }
        values[i] = node.floatAware ? value : toPlain(value);
      }
    } catch (error) {
      throw new NodeFailure(node, error);
    }
    const args = node.buildInputs(values);

    const context = node.context;
    context.action = Action.None;
    let result: unknown;
    try {
      result = node.plan.definition.run(args, context);
    } catch (error) {
      throw new NodeFailure(node, error);
    }
    if (result instanceof Promise) {
      this.#await(node, result);
      return;
    }
    this.#complete(node, result);
  }

  #await(node: NodeState, pending: Promise<unknown>): void {
    node.busy = true;
    this.#inFlight++;
    const generation = this.#generation;
    pending.then(
      (value) => {
        if (generation !== this.#generation || this.#ended) return;
        this.#inFlight--;
        node.busy = false;
        try {
          this.#complete(node, value);
        } catch (error) {
          if (error instanceof NodeFailure) this.#fail(error.node, error.cause);
          else this.#fail(node, error);
          return;
        }
        this.#drain();
      },
      (error) => {
        if (generation !== this.#generation || this.#ended) return;
        this.#inFlight--;
        node.busy = false;
        this.#fail(node, error);
      },
    );
  }

  #complete(node: NodeState, result: unknown): void {
    const context = node.context;
    switch (context.action) {
      case Action.Exit:
        this.#exit(node, context.exitMessage);
        return;
      case Action.Restart:
        this.#restart(node, context.restartOptions);
        return;
      case Action.Stop:
        node.stopped = true;
        this.write(
          "notice",
          node,
          `stopped${context.stopMessage ? `: ${context.stopMessage}` : ""}`,
        );
        return;
      case Action.Skip:
        break;
      default:
        this.#deliver(node, result);
    }
    this.#enqueue(node);
  }

  #deliver(node: NodeState, result: unknown): void {
    const outputs = node.outputs;
    if (outputs.length === 0 || result === undefined || result === null) return;
    if (outputs.length === 1) {
      this.#send(node, outputs[0]!, result);
      return;
    }
    if (typeof result !== "object") {
      throw new NodeFailure(
        node,
        new Error(
          `returned ${toText(result)} but has several outputs; return an object such as ` +
            `{ ${outputs[0]!.name}: value }`,
        ),
      );
    }
    const values = result as Record<string, unknown>;
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i]!;
      const value = values[output.name];
      if (value !== undefined && value !== null) this.#send(node, output, value);
    }
  }

  #send(node: NodeState, output: OutputSlot, value: unknown): void {
    const targets = output.targets;
    const count = targets.length;
    if (count === 0) return;
    if (output.type === "float" && !node.floatAware && typeof value === "number") {
      value = new Float(value);
    }
    for (let i = 0; i < count; i++) {
      const target = targets[i]!;
      // The last target takes the original; the others get their own copies.
      target.queue.push(i === count - 1 ? value : copyValue(value));
      this.#enqueue(target.node);
    }
  }

  #exit(node: NodeState, message: unknown): void {
    const text = toText(message);
    this.write("notice", node, text === "" ? "exit" : `exit: ${text}`);
    this.#finish("completed", { exit: { node: node.id, message: text } });
  }

  #restart(node: NodeState, options: RestartOptions | undefined): void {
    const keep = options?.keepEnvironment === true;
    const note = options?.message ? `: ${options.message}` : "";
    this.write("notice", node, `restart (environment ${keep ? "kept" : "reset"})${note}`);
    this.#restarts++;
    this.#newGeneration();
    if (!keep) this.environment = copyValue(this.#options.environment) as Environment;
    for (const state of this.#nodes) state.reset();
    this.#ready.clear();
    // A macrotask between attempts keeps an endless restart loop cancellable.
    this.#resumePending = true;
    const generation = this.#generation;
    setImmediate(() => {
      this.#resumePending = false;
      if (generation === this.#generation && !this.#ended) this.#begin();
    });
  }

  #newGeneration(): void {
    this.#generation++;
    this.#inFlight = 0;
    this.#controller.abort();
    this.#controller = new AbortController();
  }

  #fail(node: NodeState, cause: unknown): void {
    if (this.#ended) return;
    const reason = cause instanceof Error ? cause.message : toText(cause);
    const error: NodeErrorInfo = {
      node: node.id,
      component: node.plan.component,
      message: `node '${node.id}' (${node.plan.component}) failed: ${reason}`,
    };
    this.#finish("error", { error });
  }

  #finish(outcome: Outcome, details?: { error?: NodeErrorInfo; exit?: ExitInfo }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#generation++;
    this.#controller.abort();
    this.#ready.clear();
    if (this.#abortListener) {
      this.#options.signal?.removeEventListener("abort", this.#abortListener);
    }
    this.#resolve({
      outcome,
      environment: this.snapshot(),
      logs: this.#logs,
      error: details?.error ?? null,
      exit: details?.exit ?? null,
      problems: [],
      restarts: this.#restarts,
    });
  }
}
