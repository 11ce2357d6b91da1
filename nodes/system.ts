/**
 * The `system.*` components: logging, timing, the environment, exit and
 * restart, text formatting and dates.
 *
 * @module
 */

import type { ComponentContext, ComponentDefinition, Problem } from "../engine/types.ts";
import { fillTemplate } from "../engine/template.ts";
import { parseNumberText, toNumber } from "../engine/convert.ts";
import { copyValue, describeValue } from "../engine/values.ts";
import { builtin, textSetting } from "./_define.ts";
import { strftime } from "./_strftime.ts";

const VARIABLE_NAME = {
  name: "variable_name",
  type: "string",
  required: true,
  description: "Name of the environment variable.",
} as const;

/** `system.Log`: adds a line to the run's log. */
export const Log: ComponentDefinition = builtin({
  description: "Adds a line to the run's log.",
  inputs: [{ name: "value", type: "*", description: "Value to log." }],
  outputs: [],
  settings: [{
    name: "template",
    type: "string",
    description: "Line to write; {value} is the value. Default: {value}.",
  }],
  run(inputs, context) {
    context.log(fillTemplate(textSetting(context.settings, "template", "{value}"), inputs));
  },
});

/** Returns the seconds of a `duration` setting: a number, or text that may use a decimal comma. */
export function parseDuration(value: unknown): number | undefined {
  const seconds = typeof value === "string"
    ? parseNumberText(value.replace(",", "."))
    : toNumber(value);
  return seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function checkDuration(value: unknown): Problem[] {
  return parseDuration(value) === undefined
    ? [{
      path: "",
      message: `must be a number of seconds of 0 or more (such as 2 or "0,5"), got ${
        describeValue(value)
      }`,
    }]
    : [];
}

/** `system.Sleep`: passes its value on after a pause, without blocking other nodes. */
export const Sleep: ComponentDefinition = builtin({
  description: "Passes the value on after a pause, without blocking other nodes.",
  inputs: [{ name: "value", type: "*", description: "Value to pass on." }],
  outputs: [{ name: "value", type: "*", description: "The same value." }],
  settings: [{
    name: "duration",
    type: "number-or-text",
    description: "Pause in seconds; text may use a decimal comma. Default: 0.",
    check: checkDuration,
  }],
  run(inputs, context) {
    const seconds = parseDuration(context.settings.duration ?? 0) ?? 0;
    return sleep(seconds * 1000, context.signal).then(() => inputs.value);
  },
});

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days), so
// longer pauses wait in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const end = performance.now() + milliseconds;
    let timer = setTimeout(step, Math.min(milliseconds, MAX_TIMER_MS));
    signal.addEventListener("abort", done, { once: true });
    function step() {
      const remaining = end - performance.now();
      if (remaining > 0) timer = setTimeout(step, Math.min(remaining, MAX_TIMER_MS));
      else done();
    }
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** `system.Exit`: ends the run with its value as the exit message. */
export const Exit: ComponentDefinition = builtin({
  description: "Ends the run; the value is the exit message.",
  inputs: [{ name: "value", type: "*", description: "Exit message." }],
  outputs: [],
  run(inputs, context) {
    context.exit(inputs.value);
  },
});

function checkRestartMode(value: unknown): Problem[] {
  return ["keep", "reset"].includes(String(value).toLowerCase())
    ? []
    : [{ path: "", message: `must be "keep" or "reset", got ${describeValue(value)}` }];
}

/** `system.Restart`: restarts the run, keeping or resetting the environment. */
export const Restart: ComponentDefinition = builtin({
  description: "Restarts the whole run.",
  inputs: [{ name: "value", type: "*", description: "Available to the message as {value}." }],
  outputs: [],
  settings: [
    {
      name: "environment",
      type: "string",
      description:
        '"reset" (default) goes back to the initial environment, "keep" keeps the current one.',
      check: checkRestartMode,
    },
    {
      name: "message",
      type: "string",
      description: "Text of the restart notice; {value} is the value.",
    },
  ],
  run(inputs, context) {
    const mode = textSetting(context.settings, "environment", "reset").toLowerCase();
    const template = context.settings.message;
    context.restart({
      keepEnvironment: mode === "keep",
      message: typeof template === "string" ? fillTemplate(template, inputs) : undefined,
    });
  },
});

function format(count: 1 | 2 | 3): ComponentDefinition {
  const names = ["str1", "str2", "str3"].slice(0, count);
  const fallback = names.map((name) => `{${name}}`).join("");
  return builtin({
    description: `Fills a template with ${count === 1 ? "one text" : `${count} texts`}.`,
    inputs: names.map((name) => ({
      name,
      type: "string" as const,
      description: `Text available as {${name}}.`,
    })),
    outputs: [{ name: "result", type: "string", description: "The filled template." }],
    settings: [{
      name: "template",
      type: "string",
      description: `Template. Default: ${fallback}.`,
    }],
    run: (inputs, context) =>
      fillTemplate(textSetting(context.settings, "template", fallback), inputs),
  });
}

/** `system.Format1`: fills a template with `{str1}`. */
export const Format1: ComponentDefinition = format(1);
/** `system.Format2`: fills a template with `{str1}` and `{str2}`. */
export const Format2: ComponentDefinition = format(2);
/** `system.Format3`: fills a template with `{str1}`, `{str2}` and `{str3}`. */
export const Format3: ComponentDefinition = format(3);

function variableName(context: ComponentContext): string {
  return context.settings.variable_name as string;
}

/** `system.Get`: sends the value of an environment variable; a missing variable sends nothing. */
export const Get: ComponentDefinition = builtin({
  description: "Sends the value of an environment variable; sends nothing when it is not set.",
  inputs: [],
  outputs: [{ name: "value", type: "*", description: "The variable's value." }],
  settings: [VARIABLE_NAME],
  run(_inputs, context) {
    const name = variableName(context);
    if (Object.hasOwn(context.environment, name)) return copyValue(context.environment[name]);
    context.notice(`variable '${name}' is not set, so nothing was sent`);
    return undefined;
  },
});

/** `system.Set`: writes its value to an environment variable. */
export const Set: ComponentDefinition = builtin({
  description: "Writes the value to an environment variable.",
  inputs: [{ name: "value", type: "*", description: "Value to store." }],
  outputs: [],
  settings: [VARIABLE_NAME],
  run(inputs, context) {
    context.environment[variableName(context)] = inputs.value;
  },
});

/** `system.Date`: sends the current local date and time as text. */
export const DateNow: ComponentDefinition = builtin({
  description: "Sends the current local date and time as text.",
  inputs: [],
  outputs: [{ name: "date", type: "string", description: "The formatted date." }],
  settings: [{
    name: "format",
    type: "string",
    description: "strftime format. Default: %d/%m/%Y %H:%M:%S.",
  }],
  run: (_inputs, context) =>
    strftime(new Date(), textSetting(context.settings, "format", "%d/%m/%Y %H:%M:%S")),
});

function counter(step: 1 | -1): ComponentDefinition {
  return builtin({
    description: `${
      step > 0 ? "Adds 1 to" : "Removes 1 from"
    } an integer environment variable and passes its value on.`,
    inputs: [{ name: "value", type: "*", description: "Value to pass on." }],
    outputs: [{ name: "value", type: "*", description: "The same value." }],
    settings: [VARIABLE_NAME],
    run(inputs, context) {
      const name = variableName(context);
      const current = context.environment[name];
      const number = current === undefined || current === null ? 0 : toNumber(current);
      if (number === undefined || !Number.isFinite(number)) {
        throw new Error(
          `variable '${name}' contains ${describeValue(current)}, which is not a number; ` +
            `set it to a number before this node runs`,
        );
      }
      context.environment[name] = Math.trunc(number) + step;
      return inputs.value;
    },
  });
}

/** `system.Increment`: adds 1 to an integer variable. */
export const Increment: ComponentDefinition = counter(1);
/** `system.Decrement`: removes 1 from an integer variable. */
export const Decrement: ComponentDefinition = counter(-1);
