/**
 * The `logic.*` components: choosing a value or a branch by tests.
 *
 * @module
 */

import type { ComponentDefinition } from "../engine/types.ts";
import { evaluateTest } from "../engine/compare.ts";
import { fillTemplate } from "../engine/template.ts";
import { copyValue, isRecord, toText } from "../engine/values.ts";
import { builtin, checkCase, checkCases } from "./_define.ts";

interface Case {
  type?: unknown;
  test?: unknown;
  value?: unknown;
}

const EMPTY_CASE: Case = { type: "equals", test: "" };

// A string case value is a template; other JSON values are sent as they are.
function render(value: unknown, values: Record<string, unknown>): unknown {
  return typeof value === "string" ? fillTemplate(value, values) : copyValue(value);
}

// Returns the rendered value of the first case that matches, else the default.
function firstMatch(
  settings: Readonly<Record<string, unknown>>,
  inputs: Record<string, unknown>,
  matches: (item: Case) => boolean,
): unknown {
  const cases = (settings.cases ?? []) as Case[];
  for (const item of cases) {
    if (matches(item)) return render(item.value, inputs);
  }
  return render(settings.default ?? "", inputs);
}

function caseOf(setting: unknown): Case {
  return isRecord(setting) ? setting : EMPTY_CASE;
}

/** `logic.Switch`: sends the value of the first case whose test the input passes. */
export const Switch: ComponentDefinition = builtin({
  description:
    "Sends the value (a template with {value}) of the first matching case, else the default.",
  inputs: [{ name: "value", type: "*", description: "Value tested." }],
  outputs: [{ name: "value", type: "*", description: "The matching case's value." }],
  settings: [
    {
      name: "cases",
      type: "list",
      description: 'Cases tried in order: [{"type", "test", "value"}].',
      check: checkCases(true),
    },
    { name: "default", type: "*", description: 'Sent when no case matches. Default: "".' },
  ],
  run: (inputs, context) =>
    firstMatch(
      context.settings,
      inputs,
      (item) => evaluateTest(item.type, inputs.value, item.test),
    ),
});

/** `logic.Splitter`: sends the value to `true` or `false` by one test. */
export const Splitter: ComponentDefinition = builtin({
  description: "Sends the value to the true or the false output, by one test.",
  inputs: [{ name: "value", type: "*", description: "Value tested and sent on." }],
  outputs: [
    { name: "true", type: "*", description: "The value, when the test passes." },
    { name: "false", type: "*", description: "The value, when it does not." },
  ],
  settings: [{
    name: "case",
    type: "dict",
    description: 'The test: {"type", "test"}. Default: equals "".',
    check: (value) => checkCase(value, false),
  }],
  run(inputs, context) {
    const test = caseOf(context.settings.case);
    return evaluateTest(test.type, inputs.value, test.test)
      ? { true: inputs.value }
      : { false: inputs.value };
  },
});

/** `logic.Comparator`: compares two values; the first matching case's value is sent. */
export const Comparator: ComponentDefinition = builtin({
  description:
    "Compares value1 with value2; sends the first matching case's value (a template with {value1}, {value2}).",
  inputs: [
    { name: "value1", type: "*", description: "Value compared." },
    { name: "value2", type: "*", description: "Value compared with (the pattern for regex)." },
  ],
  outputs: [{ name: "value", type: "*", description: "The matching case's value." }],
  settings: [
    {
      name: "cases",
      type: "list",
      description: 'Cases tried in order: [{"type", "value"}].',
      check: checkCases(true),
    },
    { name: "default", type: "*", description: 'Sent when no case matches. Default: "".' },
  ],
  run: (inputs, context) =>
    firstMatch(
      context.settings,
      inputs,
      (item) => evaluateTest(item.type, inputs.value1, inputs.value2),
    ),
});

/** `logic.Assert`: passes the value when its test holds; otherwise ends the run or drops the value. */
export const Assert: ComponentDefinition = builtin({
  description:
    'Passes the value when the test holds; otherwise ends the run ("exit") or sends nothing ("continue").',
  inputs: [{ name: "value", type: "*", description: "Value tested." }],
  outputs: [{ name: "value", type: "*", description: "The value, when the test passes." }],
  settings: [
    {
      name: "case",
      type: "dict",
      description: 'The test: {"type", "test"}. Default: equals "".',
      check: (value) => checkCase(value, false),
    },
    {
      name: "exit",
      type: "*",
      description:
        '"exit" (or true) ends the run when the test fails; "continue" (default) drops the value.',
    },
    { name: "message", type: "string", description: "Exit message; {value} is the value." },
  ],
  run(inputs, context) {
    const test = caseOf(context.settings.case);
    if (evaluateTest(test.type, inputs.value, test.test)) return inputs.value;
    const mode = context.settings.exit;
    if (mode === "exit" || mode === true) {
      const template = context.settings.message;
      context.exit(
        typeof template === "string"
          ? fillTemplate(template, inputs)
          : `assertion failed (${toText(test.type)} ${JSON.stringify(toText(test.test))}): ${
            toText(inputs.value)
          }`,
      );
    } else {
      context.skip();
    }
  },
});
