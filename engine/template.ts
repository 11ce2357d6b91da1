/**
 * Templates with `{name}` placeholders, as in `Hello {value}!`.
 *
 * @module
 */

import { toText } from "./values.ts";

/** A template that names a placeholder no value fills. */
export class TemplateError extends Error {
  /** Creates the error; the message names the placeholder and the names available. */
  constructor(template: string, placeholder: string, names: readonly string[]) {
    const available = names.length > 0 ? names.map((n) => `{${n}}`).join(", ") : "none";
    super(
      `template ${JSON.stringify(template)} uses {${placeholder}}, which nothing fills ` +
        `(available: ${available}; write {{ and }} for literal braces)`,
    );
    this.name = "TemplateError";
  }
}

type Part = string | { name: string };

const parsedTemplates = new Map<string, Part[]>();

function parse(template: string): Part[] {
  const cached = parsedTemplates.get(template);
  if (cached) return cached;
  const parts: Part[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    const next = template[i + 1];
    if ((char === "{" && next === "{") || (char === "}" && next === "}")) {
      text += char;
      i++;
    } else if (char === "{") {
      const end = template.indexOf("}", i + 1);
      if (end === -1) {
        text += template.slice(i);
        break;
      }
      if (text) parts.push(text);
      text = "";
      parts.push({ name: template.slice(i + 1, end) });
      i = end;
    } else {
      text += char;
    }
  }
  if (text) parts.push(text);
  // Templates come from flows; a daemon running many different ones must not grow forever.
  if (parsedTemplates.size > 1000) parsedTemplates.clear();
  parsedTemplates.set(template, parts);
  return parts;
}

/**
 * Fills a template: each `{name}` becomes the text of `values[name]`, and
 * `{{`/`}}` become literal braces. A `{` without a closing `}` is kept as
 * text.
 *
 * @throws {TemplateError} when a placeholder has no value.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, unknown>>): string {
  const parts = parse(template);
  let result = "";
  for (const part of parts) {
    if (typeof part === "string") {
      result += part;
    } else if (Object.hasOwn(values, part.name)) {
      result += toText(values[part.name]);
    } else {
      throw new TemplateError(template, part.name, Object.keys(values));
    }
  }
  return result;
}
