/**
 * Tests of `{name}` templates.
 *
 * @module
 */

import { ok, strictEqual } from "node:assert/strict";
import { fillTemplate, TemplateError } from "../../engine/template.ts";
import { Float } from "../../engine/values.ts";

function templateError(template: string, values: Record<string, unknown>): TemplateError {
  let caught: unknown;
  try {
    fillTemplate(template, values);
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof TemplateError, `${JSON.stringify(template)} is rejected`);
  return caught;
}

Deno.test("fillTemplate replaces placeholders", () => {
  strictEqual(fillTemplate("Hello {value}!", { value: "world" }), "Hello world!");
  strictEqual(fillTemplate("{a}-{b}-{a}", { a: 1, b: "x" }), "1-x-1");
  strictEqual(fillTemplate("{str2}{str1}", { str1: "a", str2: "b" }), "ba");
});

Deno.test("fillTemplate keeps text without placeholders", () => {
  strictEqual(fillTemplate("plain text", {}), "plain text");
  strictEqual(fillTemplate("", { value: 1 }), "");
});

Deno.test("fillTemplate writes literal braces for doubled braces", () => {
  strictEqual(fillTemplate("{{value}}", { value: 1 }), "{value}");
  strictEqual(fillTemplate("{{{value}}}", { value: 1 }), "{1}");
  strictEqual(fillTemplate("a }} b {{", {}), "a } b {");
});

Deno.test("fillTemplate keeps an unclosed brace as text", () => {
  strictEqual(fillTemplate("{value", { value: 1 }), "{value");
  strictEqual(fillTemplate("a}b", {}), "a}b");
});

Deno.test("fillTemplate prints values as the old engine", () => {
  strictEqual(fillTemplate("{value}", { value: new Float(7) }), "7.0");
  strictEqual(fillTemplate("{value}", { value: 7 }), "7");
  strictEqual(fillTemplate("{value}", { value: new Float(1e-5) }), "1e-05");
  strictEqual(fillTemplate("{value}", { value: true }), "True");
  strictEqual(fillTemplate("[{value}]", { value: null }), "[]");
  strictEqual(fillTemplate("{value}", { value: [1, new Float(2)] }), "[1,2.0]");
  strictEqual(fillTemplate("{value}", { value: { k: "v" } }), '{"k":"v"}');
});

Deno.test("fillTemplate fills a placeholder whose value is undefined", () => {
  strictEqual(fillTemplate("[{value}]", { value: undefined }), "[]");
});

Deno.test("missing placeholder is a TemplateError naming it", () => {
  const error = templateError("hi {nope}", { value: 1, other: 2 });

  strictEqual(error.name, "TemplateError");
  strictEqual(
    error.message,
    `template "hi {nope}" uses {nope}, which nothing fills ` +
      `(available: {value}, {other}; write {{ and }} for literal braces)`,
  );
});

Deno.test("missing placeholder with no values says none", () => {
  const error = templateError("{value}", {});

  ok(error.message.includes("(available: none;"), error.message);
});

Deno.test("missing placeholder is reported each time", () => {
  templateError("{gone}", { value: 1 });
  templateError("{gone}", { value: 1 });
});
