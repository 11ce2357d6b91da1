/**
 * The daemon's configuration: where the file is looked for, reading it, and
 * the checks of its sections and keys that stop the daemon at start on a bad
 * value. The keys themselves and the parsing of each value are in
 * `config_keys.ts`.
 *
 * @module
 */

import { CONFIG_KEYS, parseValue } from "./config_keys.ts";
import { ConfigError, describeError } from "./errors.ts";
import { type IniDocument, parseIni } from "./ini.ts";

export { CONFIG_KEYS, type ConfigKeySpec } from "./config_keys.ts";

/** Everything the daemon reads from its configuration file. Durations are in milliseconds. */
export interface DaemonConfig {
  /** Path of the file the configuration came from. */
  file: string;
  /** Base URL of Pollux, without a trailing slash (`[pollux] host`). */
  host: string;
  /** API key sent as `X-API-KEY` (`[pollux] key`); never logged. */
  key: string;
  /** Time after which a request to Pollux is abandoned (`[pollux] request_timeout`). */
  requestTimeout: number;
  /** First delay before retrying a failed request (`[pollux] retry_initial_delay`). */
  retryInitialDelay: number;
  /** Cap on the delay between retries (`[pollux] retry_max_delay`). */
  retryMaxDelay: number;
  /** Name of the machine shown in Pollux (`[daemon] machine_name`). */
  machineName: string;
  /** Maximum number of runs in progress at once (`[daemon] concurrent_execution_limit`). */
  concurrencyLimit: number;
  /** Whether modules are checked for a new version before each run (`[daemon] auto_reload`). */
  autoReload: boolean;
  /** Delay between two polls when no run was handed out (`[daemon] poll_interval`). */
  pollInterval: number;
  /** Delay between two progress reports of a run (`[daemon] update_interval`). */
  updateInterval: number;
  /** Time runs in progress get to finish after a stop request (`[daemon] shutdown_grace_period`). */
  shutdownGracePeriod: number;
  /** Time spent delivering final reports after the runs ended (`[daemon] shutdown_report_timeout`). */
  shutdownReportTimeout: number;
  /** Bound on the log lines kept for one run, or for the daemon, while Pollux is unreachable. */
  maxBufferedLogLines: number;
  /** The `[sandbox]` section as it is, for the module sandbox. */
  sandbox: Record<string, string>;
  /** The `[modules]` section as it is (such as `cache_dir`), for the module cache. */
  modules: Record<string, string>;
  /** Keys and sections that were ignored, one sentence each, to log at start. */
  warnings: string[];
}

/** Sections whose keys are kept as they are for the modules layer. */
const RAW_SECTIONS = ["sandbox", "modules"] as const;

/** The spelling of the limit key found in existing configuration files. */
const LEGACY_LIMIT_KEY = "concurent_execution_limit";

/**
 * Returns the files looked at, in order, when `--config` is not given:
 * `$CASTOR_CONFIG` when set, then `$XDG_CONFIG_HOME/castor/config.ini`
 * (`$HOME/.config/castor/config.ini` when `XDG_CONFIG_HOME` is unset), then
 * `/etc/castor/config.ini`.
 */
export function defaultConfigPaths(env: (name: string) => string | undefined): string[] {
  const paths: string[] = [];
  const explicit = env("CASTOR_CONFIG");
  if (explicit) paths.push(explicit);

  const xdg = env("XDG_CONFIG_HOME");
  const home = env("HOME");
  if (xdg) paths.push(`${xdg}/castor/config.ini`);
  else if (home) paths.push(`${home}/.config/castor/config.ini`);

  paths.push("/etc/castor/config.ini");
  return paths;
}

/**
 * Reads and checks the configuration file.
 *
 * @param file Path of the INI file.
 * @param hostname Default for `machine_name`.
 * @throws {ConfigError} When the file cannot be read, or on any problem
 * {@linkcode parseConfig} reports.
 */
export async function loadConfig(file: string, hostname: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "The file does not exist; create it from config.ini.sample or pass --config FILE."
      : `The file cannot be read: ${describeError(error)}.`;
    throw new ConfigError(reason, { file, cause: error });
  }
  return parseConfig(text, file, hostname);
}

/**
 * Checks configuration text and fills in the defaults of {@linkcode CONFIG_KEYS}.
 *
 * Durations are a number followed by `ms`, `s` or `m` (`250ms`, `1.5s`,
 * `2m`); a bare number is in seconds. Booleans are `true`/`false`,
 * `yes`/`no`, `on`/`off` or `1`/`0`. Unknown keys of `[pollux]` and
 * `[daemon]`, and unknown sections, are ignored and listed in `warnings`.
 *
 * @param text Contents of the INI file.
 * @param file Path shown in error messages.
 * @param hostname Default for `machine_name`.
 * @throws {ConfigError} On a missing [pollux] section or required key, or a value of
 * the wrong kind; the error names the file, section, key and line.
 */
export function parseConfig(text: string, file: string, hostname: string): DaemonConfig {
  const ini = parseIni(text, file);
  const warnings: string[] = [];

  // Every key of [daemon] has a default, so only [pollux] (host and key) must be there.
  if (!ini.has("pollux")) {
    throw new ConfigError(
      "The section [pollux] is missing; see config.ini.sample for its keys.",
      { file, section: "pollux" },
    );
  }
  for (const [name, section] of ini) {
    if (
      name === "pollux" || name === "daemon" || (RAW_SECTIONS as readonly string[]).includes(name)
    ) {
      continue;
    }
    warnings.push(`${file}:${section.line}: the section [${name}] is not used and was ignored.`);
  }
  for (const section of ["pollux", "daemon"] as const) {
    const known = CONFIG_KEYS.filter((spec) => spec.section === section).map((spec) => spec.key);
    if (section === "daemon") known.push(LEGACY_LIMIT_KEY);
    for (const [key, entry] of ini.get(section)?.entries ?? []) {
      if (known.includes(key)) continue;
      warnings.push(
        `${file}:${entry.line}: [${section}] ${key} is not a known key and was ignored ` +
          `(known keys: ${known.join(", ")}).`,
      );
    }
  }

  const read = (section: "pollux" | "daemon", key: string) =>
    readKey(ini, file, section, key, hostname);

  const retryInitialDelay = read("pollux", "retry_initial_delay") as number;
  const retryMaxDelay = read("pollux", "retry_max_delay") as number;
  if (retryMaxDelay < retryInitialDelay) {
    throw new ConfigError(
      `The maximum retry delay (${retryMaxDelay} ms) is shorter than retry_initial_delay ` +
        `(${retryInitialDelay} ms); raise it or lower retry_initial_delay.`,
      {
        file,
        section: "pollux",
        key: "retry_max_delay",
        line: ini.get("pollux")?.entries.get("retry_max_delay")?.line,
      },
    );
  }

  return {
    file,
    host: read("pollux", "host") as string,
    key: read("pollux", "key") as string,
    requestTimeout: read("pollux", "request_timeout") as number,
    retryInitialDelay,
    retryMaxDelay,
    machineName: read("daemon", "machine_name") as string,
    concurrencyLimit: readLimit(ini, file),
    autoReload: read("daemon", "auto_reload") as boolean,
    pollInterval: read("daemon", "poll_interval") as number,
    updateInterval: read("daemon", "update_interval") as number,
    shutdownGracePeriod: read("daemon", "shutdown_grace_period") as number,
    shutdownReportTimeout: read("daemon", "shutdown_report_timeout") as number,
    maxBufferedLogLines: read("daemon", "max_buffered_log_lines") as number,
    sandbox: rawSection(ini, "sandbox"),
    modules: rawSection(ini, "modules"),
    warnings,
  };
}

function readKey(
  ini: IniDocument,
  file: string,
  section: "pollux" | "daemon",
  key: string,
  hostname: string,
): string | number | boolean {
  const spec = CONFIG_KEYS.find((candidate) =>
    candidate.section === section && candidate.key === key
  );
  if (!spec) throw new Error(`No specification for [${section}] ${key}.`);

  const entry = ini.get(section)?.entries.get(key);
  if (!entry) {
    if (spec.default === undefined) {
      throw new ConfigError(
        `The required key '${key}' is missing. Add it as in config.ini.sample: ${spec.description}`,
        {
          file,
          section,
          key,
        },
      );
    }
    if (key === "machine_name") return hostname;
    return parseValue(spec, { value: spec.default, line: 0 }, file);
  }
  return parseValue(spec, entry, file);
}

function readLimit(ini: IniDocument, file: string): number {
  const entries = ini.get("daemon")?.entries;
  const modern = entries?.get("concurrent_execution_limit");
  const legacy = entries?.get(LEGACY_LIMIT_KEY);
  if (modern && legacy) {
    throw new ConfigError(
      `Both '${LEGACY_LIMIT_KEY}' (line ${legacy.line}) and 'concurrent_execution_limit' are set; keep only one.`,
      { file, section: "daemon", key: "concurrent_execution_limit", line: modern.line },
    );
  }
  const spec = CONFIG_KEYS.find((candidate) => candidate.key === "concurrent_execution_limit");
  if (!spec) throw new Error("No specification for concurrent_execution_limit.");
  if (legacy) return parseValue({ ...spec, key: LEGACY_LIMIT_KEY }, legacy, file) as number;
  return parseValue(spec, modern ?? { value: spec.default ?? "1", line: 0 }, file) as number;
}

function rawSection(ini: IniDocument, name: string): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [key, entry] of ini.get(name)?.entries ?? []) raw[key] = entry.value;
  return raw;
}
