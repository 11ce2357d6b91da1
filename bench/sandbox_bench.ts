/**
 * Cost of crossing into a module sandbox: calls per second of a
 * pass-through component run in its sandbox process, against the same
 * component built in. Run with `deno task bench` (it needs
 * `--unstable-worker-options` and permission to start processes).
 *
 * Each "direct" case calls the component definition itself, as the engine
 * does; each "flow" case runs a flow in which one node fires CALLS times.
 *
 * @module
 */

import { runFlow } from "../engine/run.ts";
import type { ComponentContext, ComponentDefinition } from "../engine/types.ts";
import { withComponents } from "../nodes/mod.ts";
import type { ModuleKind, ModuleSource } from "../pollux/module_source.ts";
import { sha1Hex } from "../pollux/modules/cache.ts";
import { ModuleManager } from "../pollux/modules/manager.ts";

const CALLS = 1_000;

const PASS_SOURCE = `
export const Pass = {
  description: "Returns its input.",
  inputs: [{ name: "value", type: "*" }],
  outputs: [{ name: "value", type: "*" }],
  run: (inputs) => inputs.value,
};
`;

const builtinPass: ComponentDefinition = {
  inputs: [{ name: "value", type: "*" }],
  outputs: [{ name: "value", type: "*" }],
  run: (inputs) => inputs.value,
};

const source: ModuleSource = {
  exists: (kind: ModuleKind, id: string) => Promise.resolve(kind === "module" && id === "bench"),
  hash: (kind: ModuleKind, id: string) =>
    kind === "module" && id === "bench" ? sha1Hex(PASS_SOURCE) : Promise.resolve(null),
  download: (kind: ModuleKind, id: string) =>
    Promise.resolve(kind === "module" && id === "bench" ? PASS_SOURCE : null),
};

const cacheDir = await Deno.makeTempDir({ prefix: "castor-bench-" });
const manager = new ModuleManager({ source, cacheDir });
const set = await manager.provider.open(["bench.Pass"]);
const sandboxedPass = set.components.get("bench.Pass");
if (!sandboxedPass) throw new Error(`bench.Pass did not load: ${[...set.missing.values()]}`);

function context(): ComponentContext {
  return {
    node: "pass",
    component: "bench.Pass",
    settings: {},
    environment: { counter: 1 },
    signal: new AbortController().signal,
    log() {},
    notice() {},
    exit() {},
    stop() {},
    skip() {},
    restart() {},
  };
}

async function callDirectly(definition: ComponentDefinition): Promise<void> {
  const shared = context();
  for (let i = 0; i < CALLS; i++) await definition.run({ value: { i, text: "payload" } }, shared);
}

/** A source node firing CALLS times into the pass-through node, then into system.Set. */
const FLOW = {
  nodes: [
    { id: "source", component: "math.Addition", inputs: { a: "0", b: "1" }, execution: CALLS },
    { id: "pass", component: "bench.Pass" },
    { id: "last", component: "system.Set", variable_name: "last" },
  ],
  links: [
    { source: "source:a+b", targets: ["pass:value"] },
    { source: "pass:value", targets: ["last:value"] },
  ],
  settings: { exec_mode: "multiple" },
};

const builtinProvider = withComponents({ "bench.Pass": builtinPass });
const sandboxProvider = withComponents({ "bench.Pass": sandboxedPass });

async function runOnce(components: typeof builtinProvider): Promise<void> {
  const result = await runFlow(FLOW, { components, keepLogs: false });
  if (result.outcome !== "completed") throw new Error(JSON.stringify(result.error));
}

Deno.bench({
  name: `built-in pass-through, ${CALLS} direct calls`,
  group: "direct",
  baseline: true,
  async fn() {
    await callDirectly(builtinPass);
  },
});

Deno.bench({
  name: `sandboxed pass-through, ${CALLS} direct calls`,
  group: "direct",
  async fn() {
    await callDirectly(sandboxedPass);
  },
});

Deno.bench({
  name: `built-in pass-through, flow of ${CALLS} firings`,
  group: "flow",
  baseline: true,
  async fn() {
    await runOnce(builtinProvider);
  },
});

Deno.bench({
  name: `sandboxed pass-through, flow of ${CALLS} firings`,
  group: "flow",
  async fn() {
    await runOnce(sandboxProvider);
  },
});

Deno.bench({
  name: "sandbox start for one run (process, transform, load)",
  group: "start",
  n: 10,
  async fn() {
    const opened = await manager.provider.open(["bench.Pass"]);
    await opened.close();
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(cacheDir, { recursive: true });
});
