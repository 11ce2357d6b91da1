/**
 * Checks of a flow document before any node fires, and the plan the
 * scheduler runs.
 *
 * @module
 */

import type { ComponentDefinition, ComponentProvider, Problem, SettingSpec } from "./types.ts";
import { isRecord, jsonKind, numberOf } from "./values.ts";
import { parseNumberText } from "./convert.ts";

/** Keys of a node object that are not component settings. */
const NODE_KEYS = new Set(["id", "component", "inputs", "execution", "tempo"]);

/** One node, checked and ready to run. */
export interface PlannedNode {
  /** Position in the document's `nodes` array. */
  index: number;
  /** Node id. */
  id: string;
  /** Component id. */
  component: string;
  /** The component's definition. */
  definition: ComponentDefinition;
  /** Settings handed to the component: every key except `id`, `component`, `inputs`. */
  settings: Record<string, unknown>;
  /** Preset values by input port; `null` presets are left out. */
  presets: Map<string, unknown>;
  /** Maximum number of firings; `Infinity` for no limit. */
  limit: number;
}

/** One link end: a node (by index in the plan) and a port name. */
export interface PortRef {
  /** Index of the node in {@linkcode Plan.nodes}. */
  node: number;
  /** Port name. */
  port: string;
}

/** A checked link. */
export interface PlannedLink {
  /** The output. */
  source: PortRef;
  /** The inputs it feeds, in the document's order. */
  targets: PortRef[];
}

/** A flow checked and ready to run. */
export interface Plan {
  /** Nodes in document order. */
  nodes: PlannedNode[];
  /** Links in document order. */
  links: PlannedLink[];
  /** Whether `exec_mode` is `single`: every node fires at most once. */
  single: boolean;
}

/** Findings of {@linkcode checkFlow}. */
export interface CheckResult {
  /** Every problem found; empty when the flow can run. */
  problems: Problem[];
  /** The plan, when there is no problem. */
  plan: Plan | undefined;
}

/**
 * Checks a flow document against the components the provider has, listing
 * every problem with its location.
 */
export function checkFlow(
  document: unknown,
  components: ReadonlyMap<string, ComponentDefinition>,
  missing: ReadonlyMap<string, string>,
): CheckResult {
  const problems: Problem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });

  if (!isRecord(document)) {
    report("", `a flow must be a JSON object with "nodes" and "links", got ${jsonKind(document)}`);
    return { problems, plan: undefined };
  }

  const nodes = checkNodes(document.nodes, components, missing, report);
  const single = checkSettings(document.settings, report);
  const links = checkLinks(document.links, nodes, report);

  if (problems.length > 0) return { problems, plan: undefined };
  const planned = nodes.filter((n): n is PlannedNode => n !== undefined);
  return { problems, plan: { nodes: planned, links, single } };
}

/** Returns the component ids a document uses, for opening a provider. */
export function componentIdsOf(document: unknown): string[] {
  if (!isRecord(document) || !Array.isArray(document.nodes)) return [];
  const ids = new Set<string>();
  for (const node of document.nodes) {
    if (isRecord(node) && typeof node.component === "string" && node.component !== "") {
      ids.add(node.component);
    }
  }
  return [...ids];
}

/**
 * Checks a flow document without running it, with the components of the
 * provider (the built-ins by default).
 */
export async function checkWithProvider(
  document: unknown,
  provider: ComponentProvider,
  signal?: AbortSignal,
): Promise<{ result: CheckResult; close: () => void | Promise<void> }> {
  const set = await provider.open(componentIdsOf(document), signal);
  return {
    result: checkFlow(document, set.components, set.missing),
    close: () => set.close(),
  };
}

type Report = (path: string, message: string) => void;

function checkNodes(
  value: unknown,
  components: ReadonlyMap<string, ComponentDefinition>,
  missing: ReadonlyMap<string, string>,
  report: Report,
): (PlannedNode | undefined)[] {
  if (value === undefined) {
    report("nodes", `missing: a flow needs a "nodes" list`);
    return [];
  }
  if (!Array.isArray(value)) {
    report("nodes", `must be a list of node objects, got ${kindOf(value)}`);
    return [];
  }
  const seen = new Map<string, number>();
  return value.map((node: unknown, index: number) => {
    const path = `nodes[${index}]`;
    if (!isRecord(node)) {
      report(path, `must be a node object with "id" and "component", got ${kindOf(node)}`);
      return undefined;
    }
    let valid = true;
    const id = node.id;
    if (typeof id !== "string" || id === "") {
      report(`${path}.id`, `must be a non-empty text, got ${kindOf(id)}`);
      valid = false;
    } else if (seen.has(id)) {
      report(`${path}.id`, `duplicate node id '${id}': nodes[${seen.get(id)}] already uses it`);
      valid = false;
    } else {
      seen.set(id, index);
    }
    const componentId = node.component;
    let definition: ComponentDefinition | undefined;
    if (typeof componentId !== "string" || componentId === "") {
      report(
        `${path}.component`,
        `must be a component id such as "system.Log", got ${kindOf(componentId)}`,
      );
      valid = false;
    } else {
      definition = components.get(componentId);
      if (!definition) {
        const reason = missing.get(componentId) ?? "it is not a built-in component";
        report(`${path}.component`, `unknown component '${componentId}': ${reason}`);
        valid = false;
      }
    }
    const limit = checkExecution(node.execution, `${path}.execution`, report);
    if (!definition || !valid || limit === undefined) return undefined;

    const presets = checkPresets(node.inputs, definition, componentId as string, path, report);
    const settings: Record<string, unknown> = {};
    for (const [key, setting] of Object.entries(node)) {
      if (!NODE_KEYS.has(key)) settings[key] = setting;
    }
    if (!checkDeclaredSettings(settings, definition.settings ?? [], path, report)) return undefined;
    if (!presets) return undefined;
    return {
      index,
      id: id as string,
      component: componentId as string,
      definition,
      settings,
      presets,
      limit,
    };
  });
}

function checkExecution(value: unknown, path: string, report: Report): number | undefined {
  if (value === undefined || value === null || value === "") return Infinity;
  const number = typeof value === "string" ? parseNumberText(value) : numberOf(value);
  if (number === undefined || !Number.isInteger(number) || number < 0) {
    report(path, `must be a whole number of firings (0 for no limit), got ${kindOf(value)}`);
    return undefined;
  }
  return number === 0 ? Infinity : number;
}

function checkPresets(
  value: unknown,
  definition: ComponentDefinition,
  componentId: string,
  path: string,
  report: Report,
): Map<string, unknown> | undefined {
  const presets = new Map<string, unknown>();
  if (value === undefined || value === null) return presets;
  if (!isRecord(value)) {
    report(
      `${path}.inputs`,
      `must be an object of preset values by input name, got ${kindOf(value)}`,
    );
    return undefined;
  }
  let valid = true;
  const names = definition.inputs.map((port) => port.name);
  for (const [port, preset] of Object.entries(value)) {
    if (!names.includes(port)) {
      report(
        `${path}.inputs.${port}`,
        `${componentId} has no input '${port}'; its inputs are: ${listOrNone(names)}`,
      );
      valid = false;
    } else if (preset !== null && preset !== undefined) {
      presets.set(port, preset);
    }
  }
  return valid ? presets : undefined;
}

function checkDeclaredSettings(
  settings: Record<string, unknown>,
  specs: readonly SettingSpec[],
  path: string,
  report: Report,
): boolean {
  let valid = true;
  for (const spec of specs) {
    const value = settings[spec.name];
    const where = `${path}.${spec.name}`;
    if (value === undefined || value === null) {
      if (spec.required) {
        report(where, `missing: this component needs the setting '${spec.name}'`);
        valid = false;
      }
      continue;
    }
    const shapeProblem = checkShape(value, spec);
    if (shapeProblem) {
      report(where, shapeProblem);
      valid = false;
      continue;
    }
    for (const problem of spec.check?.(value) ?? []) {
      report(problem.path ? `${where}${problem.path}` : where, problem.message);
      valid = false;
    }
  }
  return valid;
}

function checkShape(value: unknown, spec: SettingSpec): string | undefined {
  switch (spec.type) {
    case "string":
      return typeof value === "string" ? undefined : `must be text, got ${kindOf(value)}`;
    case "number":
      return numberOf(value) !== undefined ? undefined : `must be a number, got ${kindOf(value)}`;
    case "number-or-text":
      return numberOf(value) !== undefined || typeof value === "string"
        ? undefined
        : `must be a number, got ${kindOf(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be true or false, got ${kindOf(value)}`;
    case "list":
      return Array.isArray(value) ? undefined : `must be a list, got ${kindOf(value)}`;
    case "dict":
      return isRecord(value) ? undefined : `must be an object, got ${kindOf(value)}`;
    default:
      return undefined;
  }
}

function checkSettings(value: unknown, report: Report): boolean {
  if (value === undefined || value === null) return true;
  if (!isRecord(value)) {
    report("settings", `must be an object, got ${kindOf(value)}`);
    return true;
  }
  const mode = value.exec_mode;
  if (mode === undefined || mode === null || mode === "") return true;
  if (typeof mode !== "string") {
    report("settings.exec_mode", `must be text such as "single", got ${kindOf(mode)}`);
    return true;
  }
  return mode === "single";
}

function checkLinks(
  value: unknown,
  nodes: readonly (PlannedNode | undefined)[],
  report: Report,
): PlannedLink[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report("links", `must be a list of links, got ${kindOf(value)}`);
    return [];
  }
  const byId = new Map<string, PlannedNode>();
  for (const node of nodes) if (node) byId.set(node.id, node);
  const links: PlannedLink[] = [];
  value.forEach((link: unknown, index: number) => {
    const path = `links[${index}]`;
    if (!isRecord(link)) {
      report(path, `must be an object with "source" and "targets", got ${kindOf(link)}`);
      return;
    }
    const source = resolveEnd(link.source, "output", `${path}.source`, byId, report);
    const targets: PortRef[] = [];
    let valid = source !== undefined;
    if (!Array.isArray(link.targets) || link.targets.length === 0) {
      report(
        `${path}.targets`,
        `must be a non-empty list of "nodeId:port", got ${kindOf(link.targets)}`,
      );
      valid = false;
    } else {
      link.targets.forEach((target: unknown, targetIndex: number) => {
        const end = resolveEnd(target, "input", `${path}.targets[${targetIndex}]`, byId, report);
        if (end) targets.push(end);
        else valid = false;
      });
    }
    if (valid && source) links.push({ source, targets });
  });
  return links;
}

function resolveEnd(
  value: unknown,
  direction: "input" | "output",
  path: string,
  byId: ReadonlyMap<string, PlannedNode>,
  report: Report,
): PortRef | undefined {
  if (typeof value !== "string" || value.lastIndexOf(":") <= 0) {
    report(path, `must be text "nodeId:port", got ${kindOf(value)}`);
    return undefined;
  }
  const colon = value.lastIndexOf(":");
  const nodeId = value.slice(0, colon);
  const port = value.slice(colon + 1);
  const node = byId.get(nodeId);
  if (!node) {
    // A node that exists but failed its own checks is reported there, not again here.
    report(path, `no node '${nodeId}' in the flow (or that node has problems of its own)`);
    return undefined;
  }
  const ports = direction === "input" ? node.definition.inputs : node.definition.outputs;
  if (!ports.some((p) => p.name === port)) {
    const names = ports.map((p) => p.name);
    const other = direction === "input" ? node.definition.outputs : node.definition.inputs;
    const hint = other.some((p) => p.name === port)
      ? ` ('${port}' is an ${direction === "input" ? "output" : "input"})`
      : "";
    report(
      path,
      `node '${nodeId}' (${node.component}) has no ${direction} '${port}'${hint}; ` +
        `its ${direction}s are: ${listOrNone(names)}`,
    );
    return undefined;
  }
  // A plan exists only when every node is valid, so document indexes are plan indexes.
  return { node: node.index, port };
}

function listOrNone(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

/** Describes a JSON value's kind and content briefly, for messages. */
export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "an object";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
