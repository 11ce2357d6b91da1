/**
 * The keys of the daemon's configuration file: their kinds, defaults and
 * descriptions, and the parsing of one value with the checks that reject a
 * bad one.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import type { IniEntry } from "./ini.ts";

type ValueKind = "url" | "text" | "secret" | "positive-integer" | "duration" | "boolean";

/** Description of one configuration key, used to parse it and to document it. */
export interface ConfigKeySpec {
  /** Section name, in lower case. */
  section: "pollux" | "daemon";
  /** Key name, in lower case. */
  key: string;
  /** Kind of value expected. */
  kind: ValueKind;
  /** Default written as in the file, or `undefined` when the key is required. */
  default: string | undefined;
  /** One-line description for `--help`, the sample file and the docs. */
  description: string;
  /** For durations: whether `0` is accepted (it is not unless set). */
  allowZero?: boolean;
}

/** Every key the daemon reads, in the order of `config.ini.sample`. */
export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
  {
    section: "pollux",
    key: "host",
    kind: "url",
    default: undefined,
    description: "Base URL of Pollux, http:// or https://.",
  },
  {
    section: "pollux",
    key: "key",
    kind: "secret",
    default: undefined,
    description: "API key sent to Pollux in the X-API-KEY header.",
  },
  {
    section: "pollux",
    key: "request_timeout",
    kind: "duration",
    default: "10s",
    description: "Time after which a request to Pollux is abandoned and retried.",
  },
  {
    section: "pollux",
    key: "retry_initial_delay",
    kind: "duration",
    default: "500ms",
    description: "Delay before the first retry of a failed request; it doubles on each failure.",
  },
  {
    section: "pollux",
    key: "retry_max_delay",
    kind: "duration",
    default: "30s",
    description: "Maximum delay between two retries.",
  },
  {
    section: "daemon",
    key: "machine_name",
    kind: "text",
    default: "the host name",
    description: "Name of this machine shown in Pollux.",
  },
  {
    section: "daemon",
    key: "concurrent_execution_limit",
    kind: "positive-integer",
    default: "1",
    description:
      "Maximum number of runs in progress at once; also read as concurent_execution_limit.",
  },
  {
    section: "daemon",
    key: "auto_reload",
    kind: "boolean",
    default: "true",
    description: "Check Pollux for a newer version of each module before each run.",
  },
  {
    section: "daemon",
    key: "poll_interval",
    kind: "duration",
    default: "1s",
    description: "Delay between two polls of Pollux when no run was handed out.",
  },
  {
    section: "daemon",
    key: "update_interval",
    kind: "duration",
    default: "5s",
    description: "Delay between two progress reports (environment and logs) of a run.",
  },
  {
    section: "daemon",
    key: "shutdown_grace_period",
    kind: "duration",
    default: "30s",
    description: "Time runs in progress get to finish after SIGTERM or a stop command.",
    allowZero: true,
  },
  {
    section: "daemon",
    key: "shutdown_report_timeout",
    kind: "duration",
    default: "10s",
    description: "Time spent delivering final reports and unregistering before exiting anyway.",
    allowZero: true,
  },
  {
    section: "daemon",
    key: "max_buffered_log_lines",
    kind: "positive-integer",
    default: "10000",
    description: "Log lines kept per run (and for the daemon) while Pollux is unreachable.",
  },
];

/**
 * Parses one value as the kind `spec` gives: a URL, a text, a secret, a
 * positive integer, a duration in milliseconds or a boolean.
 *
 * @param spec The key the value belongs to.
 * @param entry The value and its line; line `0` means a default, which is
 * reported without a line.
 * @param file Path shown in error messages.
 * @throws {ConfigError} When the value is not of the expected kind.
 */
export function parseValue(
  spec: ConfigKeySpec,
  entry: IniEntry,
  file: string,
): string | number | boolean {
  const fail = (detail: string) =>
    new ConfigError(detail, {
      file,
      section: spec.section,
      key: spec.key,
      line: entry.line > 0 ? entry.line : undefined,
    });
  const value = entry.value;

  switch (spec.kind) {
    case "url":
      return parseHost(value, fail);
    case "secret":
      if (value === "") throw fail("The value is empty; set the API key Pollux gave you.");
      return value;
    case "text":
      if (value === "") throw fail("The value is empty; remove the line to use the default.");
      return value;
    case "positive-integer": {
      if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
        throw fail(`Expected a positive integer such as 4, found '${value}'.`);
      }
      return Number(value);
    }
    case "duration": {
      const milliseconds = parseDuration(value, fail);
      if (milliseconds === 0 && !spec.allowZero) {
        throw fail(`Expected a duration greater than zero, found '${value}'.`);
      }
      return milliseconds;
    }
    case "boolean": {
      const lower = value.toLowerCase();
      if (["true", "yes", "on", "1"].includes(lower)) return true;
      if (["false", "no", "off", "0"].includes(lower)) return false;
      throw fail(`Expected true or false, found '${value}'.`);
    }
  }
}

function parseHost(value: string, fail: (detail: string) => ConfigError): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(
      `Expected an http:// or https:// URL such as https://pollux.example.org, found '${value}'.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fail(
      `Expected an http:// or https:// URL, found the scheme '${url.protocol}' in '${value}'.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw fail("The URL contains a user name or password; put the API key in 'key' instead.");
  }
  if (url.search !== "" || url.hash !== "") {
    throw fail(`The URL must not have a query or a fragment, found '${value}'.`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Parses a duration such as `250ms`, `1.5s` or `2m` (a bare number is in
 * seconds) into milliseconds.
 */
function parseDuration(value: string, fail: (detail: string) => ConfigError): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!match) {
    throw fail(`Expected a duration such as 500ms, 2s or 1m, found '${value}'.`);
  }
  const amount = Number(match[1]);
  const millisecondsPerUnit: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
  return Math.round(amount * (millisecondsPerUnit[match[2] ?? "s"] ?? 1000));
}
