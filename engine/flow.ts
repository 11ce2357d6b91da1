/**
 * The flow document as the Pollux editor saves it, and reading it from a file.
 *
 * @module
 */

import { FlowError } from "./errors.ts";
import { jsonKind, parseJson } from "./values.ts";

/**
 * One node of a flow. Every key besides `id`, `component`, `inputs` and
 * `execution` is a setting of the node, flattened into the same object.
 */
export interface FlowNode {
  /** Unique id within the flow, used in links. */
  id: string;
  /** Dotted component id, such as `system.Log` or `acme.network.Ping`. */
  component: string;
  /** Preset values of input ports; the editor writes numbers as text. */
  inputs?: Record<string, unknown> | null;
  /** How many times the node may fire; `0` or absent means no limit. */
  execution?: number | string;
  /** Settings of the component (`template`, `cases`, ...). */
  [setting: string]: unknown;
}

/** A link from one output to one or more inputs, each written `nodeId:port`. */
export interface FlowLink {
  /** The output, `nodeId:port`. */
  source: string;
  /** The inputs, each `nodeId:port`. */
  targets: string[];
}

/** Flow-wide settings. */
export interface FlowSettings {
  /** Display name. */
  name?: string;
  /** `single` (the default) lets every node fire at most once. */
  exec_mode?: string;
  /** Variables read and written, as filled by the editor; the engine ignores it. */
  environment?: { inputs?: unknown[]; outputs?: unknown[] };
  /** Other keys written by the editor. */
  [key: string]: unknown;
}

/**
 * A flow document.
 *
 * @example A flow that logs a greeting
 * ```ts
 * import type { FlowDocument } from "@castor/engine";
 *
 * const flow: FlowDocument = {
 *   nodes: [{ id: "log", component: "system.Log", inputs: { value: "Hello" } }],
 *   links: [],
 * };
 * ```
 */
export interface FlowDocument {
  /** The nodes, in the order the editor saved them. */
  nodes: FlowNode[];
  /** The links between nodes. */
  links: FlowLink[];
  /** Flow-wide settings. */
  settings?: FlowSettings;
  /** Canvas positions from the editor; ignored by the engine. */
  positions?: Record<string, unknown>;
}

/**
 * Reads and parses a flow file. Numbers written with a decimal point stay
 * floats (see {@linkcode Float}). The document's shape is checked when it is
 * validated or run, not here.
 *
 * @example
 * ```ts ignore
 * import { loadFlow, runFlow } from "@castor/engine";
 *
 * const flow = await loadFlow("examples/hello.json");
 * const result = await runFlow(flow, { environment: { who: "world" } });
 * ```
 *
 * @throws {FlowError} when the file is missing, a directory, unreadable, or
 * not a JSON object; the problem names the file.
 */
export async function loadFlow(path: string): Promise<FlowDocument> {
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new FlowError([{ path: "", message: `'${path}' is a directory, not a flow file` }], {
        file: path,
      });
    }
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof FlowError) throw error;
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    throw new FlowError([{ path: "", message: `cannot read '${path}': ${reason}` }], {
      file: path,
      cause: error,
    });
  }
  return parseFlowText(text, path);
}

/**
 * Parses flow text. Use it for a document that did not come from a file.
 *
 * @throws {FlowError} when the text is not JSON or not a JSON object.
 */
export function parseFlowText(text: string, file?: string): FlowDocument {
  let document: unknown;
  try {
    document = parseJson(text);
  } catch (error) {
    const name = file ? `'${file}'` : "the flow text";
    throw new FlowError(
      [{ path: "", message: `${name} is not valid JSON: ${(error as Error).message}` }],
      { file, cause: error },
    );
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    const message = `a flow must be a JSON object with "nodes" and "links", got ${
      jsonKind(document)
    }`;
    throw new FlowError(
      [{ path: "", message }],
      { file },
    );
  }
  return document as FlowDocument;
}
