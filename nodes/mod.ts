/**
 * The built-in components, by the ids flows use.
 *
 * @module
 */

import type { ComponentDefinition, ComponentProvider, ComponentSet } from "../engine/types.ts";
import * as system from "./system.ts";
import * as logic from "./logic.ts";
import * as math from "./math.ts";

/** Every built-in component by id, such as `system.Log`. */
export const builtinComponents: ReadonlyMap<string, ComponentDefinition> = new Map([
  ["system.Log", system.Log],
  ["system.Sleep", system.Sleep],
  ["system.Exit", system.Exit],
  ["system.Restart", system.Restart],
  ["system.Format1", system.Format1],
  ["system.Format2", system.Format2],
  ["system.Format3", system.Format3],
  ["system.Get", system.Get],
  ["system.Set", system.Set],
  ["system.Date", system.DateNow],
  ["system.Increment", system.Increment],
  ["system.Decrement", system.Decrement],
  ["logic.Switch", logic.Switch],
  ["logic.Splitter", logic.Splitter],
  ["logic.Comparator", logic.Comparator],
  ["logic.Assert", logic.Assert],
  ["math.Addition", math.Addition],
  ["math.Substraction", math.Substraction],
  ["math.Multiplication", math.Multiplication],
  ["math.Division", math.Division],
]);

/**
 * Returns a provider of the built-ins plus the given components, for
 * embedders that bring their own.
 *
 * @example
 * ```ts
 * import { runFlow, withComponents } from "@castor/engine";
 *
 * const components = withComponents({
 *   "acme.Double": {
 *     inputs: [{ name: "x", type: "float" }],
 *     outputs: [{ name: "y", type: "float" }],
 *     run: (inputs) => (inputs.x as number) * 2,
 *   },
 * });
 * const flow = {
 *   nodes: [
 *     { id: "d", component: "acme.Double", inputs: { x: "21" } },
 *     { id: "log", component: "system.Log" },
 *   ],
 *   links: [{ source: "d:y", targets: ["log:value"] }],
 * };
 * const result = await runFlow(flow, { components });
 * console.log(result.logs[0]?.message); // "42.0"
 * ```
 */
export function withComponents(
  extra: Readonly<Record<string, ComponentDefinition>>,
): ComponentProvider {
  const all = new Map(builtinComponents);
  for (const [id, definition] of Object.entries(extra)) all.set(id, definition);
  return mapProvider(all);
}

function whyMissing(id: string, all: ReadonlyMap<string, ComponentDefinition>): string {
  const module = id.slice(0, id.lastIndexOf("."));
  const siblings = [...all.keys()].filter((known) =>
    known.slice(0, known.lastIndexOf(".")) === module
  );
  if (siblings.length > 0) {
    const names = siblings.map((known) => known.slice(module.length + 1)).join(", ");
    return `the built-in module '${module}' has no such component; it has ${names}`;
  }
  return "it is not a built-in component, and no module directory or Pollux is configured";
}

function mapProvider(all: ReadonlyMap<string, ComponentDefinition>): ComponentProvider {
  return {
    open(ids: readonly string[]): Promise<ComponentSet> {
      const components = new Map<string, ComponentDefinition>();
      const missing = new Map<string, string>();
      for (const id of ids) {
        const definition = all.get(id);
        if (definition) components.set(id, definition);
        else missing.set(id, whyMissing(id, all));
      }
      return Promise.resolve({ components, missing, close() {} });
    },
  };
}

/** Provider of the built-in components only: the default of `runFlow`. */
export const builtinProvider: ComponentProvider = mapProvider(builtinComponents);
