/**
 * Module and component ids: their syntax, checked before an id names a file.
 *
 * @module
 */

import type { ModuleKind } from "../module_source.ts";
import { kindName, ModuleError } from "./errors.ts";

/** One part of a dotted id: letters, digits, `_` and `-`. */
const PART = /^[A-Za-z0-9_-]+$/;

/** Returns whether `id` is a valid module or library id, such as `acme.network`. */
export function isValidId(id: string): boolean {
  if (id.length === 0 || id.length > 200) return false;
  return id.split(".").every((part) => PART.test(part));
}

/**
 * Checks a module or library id and returns it.
 *
 * The check happens before the id is used in a file name or a URL. An id of
 * letters, digits, `_`, `-` and dots between non-empty parts cannot name a
 * path outside the cache (`..`, `/`, `\`, an absolute path, an empty part).
 *
 * @throws {ModuleError} when the id is invalid.
 */
export function checkId(kind: ModuleKind, id: string): string {
  if (!isValidId(id)) {
    throw new ModuleError(
      `Invalid ${kindName(kind)} id ${JSON.stringify(id)}: use dot-separated parts ` +
        `made of letters, digits, '_' and '-', such as 'acme.network'.`,
      { kind, id },
    );
  }
  return id;
}

/** A component id split into the module that defines it and its export name. */
export interface ComponentAddress {
  /** Module id: the component id without its last part (`acme.network`). */
  moduleId: string;
  /** Name of the component: the module's export (`Ping`). */
  name: string;
}

/**
 * Splits a component id such as `acme.network.Ping` into its module id and
 * export name, or returns `null` when the id cannot name a module component
 * (a single part, or an invalid part).
 */
export function splitComponentId(componentId: string): ComponentAddress | null {
  const dot = componentId.lastIndexOf(".");
  if (dot <= 0) return null;
  const moduleId = componentId.slice(0, dot);
  const name = componentId.slice(dot + 1);
  if (!isValidId(moduleId) || !PART.test(name)) return null;
  return { moduleId, name };
}
