/**
 * Helpers shared by the built-in components.
 *
 * @module
 */

import type { ComponentDefinition, Problem } from "../engine/types.ts";
import { markFloatAware } from "../engine/scheduler.ts";
import { TEST_TYPES } from "../engine/compare.ts";
import { isRecord } from "../engine/values.ts";
import { kindOf } from "../engine/validate.ts";

/** Declares a built-in component; built-ins handle floats themselves. */
export function builtin(definition: ComponentDefinition): ComponentDefinition {
  return markFloatAware(definition);
}

/** Returns the text setting `name`, or `fallback` when it is absent. */
export function textSetting(
  settings: Readonly<Record<string, unknown>>,
  name: string,
  fallback: string,
): string {
  const value = settings[name];
  return typeof value === "string" ? value : fallback;
}

/** Checks one case object of a `cases` list or a `case` setting. */
export function checkCase(value: unknown, needsValue: boolean): Problem[] {
  if (!isRecord(value)) {
    return [{
      path: "",
      message: `must be an object such as {"type": "equals", "test": "x"}, got ${kindOf(value)}`,
    }];
  }
  const problems: Problem[] = [];
  if (typeof value.type !== "string") {
    problems.push({
      path: ".type",
      message: `must be a test type (${TEST_TYPES.join(", ")}), got ${kindOf(value.type)}`,
    });
  }
  if (needsValue && value.value === undefined) {
    problems.push({
      path: ".value",
      message: "missing: the value or template sent when the case matches",
    });
  }
  return problems;
}

/** Checks every case of a `cases` list. */
export function checkCases(needsValue: boolean): (value: unknown) => Problem[] {
  return (value) =>
    (value as unknown[]).flatMap((item, index) =>
      checkCase(item, needsValue).map((p) => ({ path: `[${index}]${p.path}`, message: p.message }))
    );
}
