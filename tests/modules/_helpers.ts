/**
 * Helpers of the module tests: an in-memory module source, temporary
 * directories, fixtures, and flows that run one component.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { ModuleKind, ModuleSource } from "../../pollux/module_source.ts";
import { sha1Hex } from "../../pollux/modules/cache.ts";

/** Directory of the fixture modules, usable as a `--modules` directory. */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Reads a fixture file, such as `hostile/loop.ts`. */
export function fixture(path: string): Promise<string> {
  return Deno.readTextFile(FIXTURES + path);
}

/** A {@linkcode ModuleSource} backed by maps, counting the requests it serves. */
export class MemorySource implements ModuleSource {
  /** Module sources by id. */
  readonly modules = new Map<string, string>();
  /** Library sources by id. */
  readonly libs = new Map<string, string>();
  /** Hashes reported instead of the real ones, by `kind:id`. */
  readonly fakeHashes = new Map<string, string>();
  /** Requests served, as `action kind:id`, in order. */
  readonly requests: string[] = [];

  /** Counts the requests of one action (`exists`, `hash`, `download`) for one `kind:id`. */
  count(action: string, key: string): number {
    return this.requests.filter((request) => request === `${action} ${key}`).length;
  }

  exists(kind: ModuleKind, id: string): Promise<boolean> {
    this.requests.push(`exists ${kind}:${id}`);
    return Promise.resolve(this.#store(kind).has(id));
  }

  async hash(kind: ModuleKind, id: string): Promise<string | null> {
    this.requests.push(`hash ${kind}:${id}`);
    const text = this.#store(kind).get(id);
    if (text === undefined) return null;
    return this.fakeHashes.get(`${kind}:${id}`) ?? await sha1Hex(text);
  }

  download(kind: ModuleKind, id: string): Promise<string | null> {
    this.requests.push(`download ${kind}:${id}`);
    return Promise.resolve(this.#store(kind).get(id) ?? null);
  }

  #store(kind: ModuleKind): Map<string, string> {
    return kind === "module" ? this.modules : this.libs;
  }
}

/** Creates a temporary directory and returns it with a function that removes it. */
export async function temporaryDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await Deno.makeTempDir({ prefix: "castor-modules-test-" });
  return { path, remove: () => Deno.remove(path, { recursive: true }) };
}

/**
 * Returns a flow of one node running `component` with a preset input, linked to a
 * `system.Log` node when the component has an output port named `output`.
 */
export function oneNodeFlow(
  component: string,
  options: {
    inputs?: Record<string, unknown>;
    settings?: Record<string, unknown>;
    output?: string;
  } = {},
): unknown {
  const node = {
    id: "n1",
    component,
    inputs: options.inputs ?? { value: "hello" },
    ...options.settings,
  };
  if (!options.output) return { nodes: [node], links: [] };
  return {
    nodes: [node, { id: "log", component: "system.Log" }],
    links: [{ source: `n1:${options.output}`, targets: ["log:value"] }],
  };
}
