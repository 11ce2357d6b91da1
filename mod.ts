/**
 * Castor's engine: run flow documents saved by the Pollux editor.
 *
 * @example Running a flow file
 * ```ts ignore
 * import { loadFlow, runFlow } from "@castor/engine";
 *
 * const flow = await loadFlow("examples/hello.json");
 * const result = await runFlow(flow, {
 *   environment: { who: "world" },
 *   onLog: (entry) => console.log(entry.node, entry.message),
 * });
 * console.log(result.outcome, result.environment);
 * ```
 *
 * @module
 */

export type {
  ComponentContext,
  ComponentDefinition,
  ComponentProvider,
  ComponentSet,
  Environment,
  ExitInfo,
  LogEntry,
  NodeErrorInfo,
  Outcome,
  PortSpec,
  PortType,
  Problem,
  RestartOptions,
  RunResult,
  SettingSpec,
  SettingType,
} from "./engine/types.ts";
export type { FlowDocument, FlowLink, FlowNode, FlowSettings } from "./engine/flow.ts";
export { loadFlow, parseFlowText } from "./engine/flow.ts";
export { runFlow, type RunHandle, type RunOptions, startRun, validateFlow } from "./engine/run.ts";
export { FlowError } from "./engine/errors.ts";
export { Float, parseJson, toText } from "./engine/values.ts";
export { builtinComponents, builtinProvider, withComponents } from "./nodes/mod.ts";
