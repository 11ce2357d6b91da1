/**
 * A small INI parser for the daemon's configuration file, keeping the line
 * of every value so that errors can point at it.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";

/** One `key = value` line of an INI file. */
export interface IniEntry {
  /** The value, without surrounding quotes or whitespace. */
  value: string;
  /** Line number, from 1. */
  line: number;
}

/** One `[section]` of an INI file. */
export interface IniSection {
  /** Line number of the section's first header, from 1. */
  line: number;
  /** Entries by key, in lower case. */
  entries: Map<string, IniEntry>;
}

/** A parsed INI file: sections by name, in lower case, in file order. */
export type IniDocument = Map<string, IniSection>;

/**
 * Parses INI text: the common part of Python's `configparser` dialect, plus
 * quoted values.
 *
 * - `[section]` starts a section; a section that appears twice is merged.
 * - `key = value` or `key: value` sets a key. Keys contain no spaces.
 *   Section names and keys are case-insensitive and stored in lower case.
 * - A line whose first non-blank character is `;` or `#` is a comment.
 * - A value wrapped in matching `"` or `'` loses the quotes and may be
 *   followed by a comment. Quoted values have no escape sequences: a value
 *   that contains `"` is written between `'`. In an unquoted value, `;` and
 *   `#` are part of the value, as in `configparser`.
 *
 * @param text Contents of the file.
 * @param file Path shown in error messages.
 * @throws {ConfigError} On a line of another form, a key outside any
 * section, or a key set twice in one section. The error names the line.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 *
 * const ini = parseIni('[daemon]\nmachine_name = "Build 2"\n', "config.ini");
 * console.log(ini.get("daemon")?.entries.get("machine_name")?.value); // Build 2
 * ```
 */
export function parseIni(text: string, file: string): IniDocument {
  const document: IniDocument = new Map();
  let current: { name: string; section: IniSection } | undefined;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);

  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;

    const header = /^\[([^\]]*)\]\s*(?:[;#].*)?$/.exec(line);
    if (header) {
      const name = (header[1] ?? "").trim().toLowerCase();
      if (name === "") {
        throw new ConfigError("The section name between '[' and ']' is empty.", {
          file,
          line: lineNumber,
        });
      }
      let section = document.get(name);
      if (!section) {
        section = { line: lineNumber, entries: new Map() };
        document.set(name, section);
      }
      current = { name, section };
      continue;
    }

    const separator = line.search(/[=:]/);
    // Keys have no spaces, so that `host https://x` is an error and not the key `host https`.
    if (separator <= 0 || /\s/.test(line.slice(0, separator).trim())) {
      // The line is not quoted back: a mistyped line may contain the API key.
      throw new ConfigError(
        "The line is not 'key = value', '[section]' or a comment (';' or '#'); fix or remove it.",
        { file, line: lineNumber },
      );
    }
    const key = line.slice(0, separator).trim().toLowerCase();
    if (!current) {
      throw new ConfigError(
        `Key '${key}' comes before any '[section]' header; move it under its section.`,
        { file, line: lineNumber },
      );
    }
    const previous = current.section.entries.get(key);
    if (previous) {
      throw new ConfigError(
        `Key '${key}' is already set on line ${previous.line}; keep only one of the two lines.`,
        { file, section: current.name, key, line: lineNumber },
      );
    }
    const value = unquote(line.slice(separator + 1).trim(), {
      file,
      section: current.name,
      key,
      line: lineNumber,
    });
    current.section.entries.set(key, { value, line: lineNumber });
  }
  return document;
}

function unquote(
  value: string,
  where: { file: string; section: string; key: string; line: number },
): string {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;

  const end = value.indexOf(quote, 1);
  if (end === -1) {
    throw new ConfigError(`The value starts with ${quote} but has no closing ${quote}.`, where);
  }
  const rest = value.slice(end + 1).trim();
  if (rest !== "" && !rest.startsWith(";") && !rest.startsWith("#")) {
    throw new ConfigError(
      `The value has text after its closing ${quote}; put the whole value between the quotes.`,
      where,
    );
  }
  return value.slice(1, end);
}
