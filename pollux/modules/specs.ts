/**
 * Checks what a module declares for each component (ports and settings),
 * since it comes from untrusted code, and turns it into engine types.
 *
 * @module
 */

import type { PortSpec, PortType, SettingSpec, SettingType } from "../../engine/types.ts";
import { ModuleError } from "./errors.ts";
import type { RawComponent } from "./worker_protocol.ts";

/** A component's declaration, checked: everything the engine and the editor need but `run`. */
export interface ComponentSpec {
  /** Export name. */
  name: string;
  /** Text shown in the editor. */
  description: string | undefined;
  /** Input ports. */
  inputs: PortSpec[];
  /** Output ports. */
  outputs: PortSpec[];
  /** Settings. */
  settings: SettingSpec[];
}

const PORT_TYPES: readonly PortType[] = [
  "int",
  "float",
  "string",
  "boolean",
  "list",
  "dict",
  "json",
  "*",
];

/** Setting types accepted, including port type names, mapped to the engine's setting types. */
const SETTING_TYPES: Readonly<Record<string, SettingType>> = {
  string: "string",
  number: "number",
  "number-or-text": "number-or-text",
  int: "number",
  float: "number",
  boolean: "boolean",
  list: "list",
  dict: "dict",
  json: "*",
  "*": "*",
};

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Checks one component declaration.
 *
 * @throws {ModuleError} naming the module, the export and the field at fault.
 */
export function checkComponent(moduleId: string, raw: RawComponent): ComponentSpec {
  const where = `${moduleId}.${raw.name}`;
  const fail = (detail: string): never => {
    throw new ModuleError(`Component '${where}' is declared wrongly: ${detail}`, {
      kind: "module",
      id: moduleId,
    });
  };
  if (raw.description !== undefined && typeof raw.description !== "string") {
    fail("description must be text.");
  }
  const list = (field: string, value: unknown): Record<string, unknown>[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      return fail(`${field} must be a list of { name, type, description }.`);
    }
    return value.map((item, index) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        return fail(`${field}[${index}] must be an object { name, type, description }.`);
      }
      const entry = item as Record<string, unknown>;
      if (typeof entry.name !== "string" || !NAME.test(entry.name)) {
        fail(`${field}[${index}].name must be a name made of letters, digits, '_' and '-'.`);
      }
      if (entry.description !== undefined && typeof entry.description !== "string") {
        fail(`${field}[${index}].description must be text.`);
      }
      return entry;
    });
  };
  const ports = (field: string, value: unknown): PortSpec[] => {
    const seen = new Set<string>();
    return list(field, value).map((entry, index) => {
      const type = entry.type ?? "*";
      if (!PORT_TYPES.includes(type as PortType)) {
        fail(
          `${field}[${index}].type ${JSON.stringify(type)} is not one of ${PORT_TYPES.join(", ")}.`,
        );
      }
      const name = entry.name as string;
      if (seen.has(name)) fail(`${field} declares '${name}' twice.`);
      seen.add(name);
      const port: PortSpec = { name, type: type as PortType };
      if (typeof entry.description === "string") port.description = entry.description;
      return port;
    });
  };
  const settings = list("settings", raw.settings).map((entry, index) => {
    const type = SETTING_TYPES[String(entry.type ?? "*")];
    if (type === undefined) {
      fail(
        `settings[${index}].type ${JSON.stringify(entry.type)} is not one of ` +
          `${Object.keys(SETTING_TYPES).join(", ")}.`,
      );
    }
    const setting: SettingSpec = { name: entry.name as string, type: type! };
    if (typeof entry.description === "string") setting.description = entry.description;
    return setting;
  });
  return {
    name: raw.name,
    description: raw.description as string | undefined,
    inputs: ports("inputs", raw.inputs),
    outputs: ports("outputs", raw.outputs),
    settings,
  };
}
