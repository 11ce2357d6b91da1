/**
 * `castor daemon`: parses the options, loads the configuration, runs the
 * daemon until it stops, and returns the exit code.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startRun } from "../engine/run.ts";
import { builtinProvider } from "../nodes/mod.ts";
import { PolluxClient } from "./client.ts";
import { CONFIG_KEYS, type DaemonConfig, defaultConfigPaths, loadConfig } from "./config.ts";
import { Daemon, type DaemonModules, type ObservableLogger, type StartRun } from "./daemon.ts";
import { ConfigError, describeError } from "./errors.ts";
import { LOG_LEVELS, type LogLevel, StreamLogger } from "./logger.ts";
import { findMacAddress } from "./mac.ts";

/** Exit code of a daemon that stopped normally (signal or `stop` command). */
export const EXIT_STOPPED = 0;
/** Exit code of a daemon that stopped on an unexpected internal error (a bug). */
export const EXIT_INTERNAL_ERROR = 1;
/** Exit code of a bad configuration file or bad command-line arguments. */
export const EXIT_USAGE = 2;

/** Inputs from which the modules layer builds the daemon's {@linkcode DaemonModules}. */
export interface ModulesContext {
  /** The loaded configuration, with its raw `sandbox` and `modules` sections. */
  config: DaemonConfig;
  /** Client of the configured Pollux; it implements `ModuleSource`. */
  client: PolluxClient;
  /** The daemon's logger. */
  logger: ObservableLogger;
}

/** Hooks of {@linkcode runDaemonCommand}, for the modules layer and for tests. */
export interface DaemonCommandOptions {
  /** Builds the modules hook; default: built-in components only, and `reload` does nothing. */
  modules?: (context: ModulesContext) => DaemonModules | Promise<DaemonModules>;
  /** Starts a run; default: the engine's `startRun`. */
  startRun?: StartRun;
  /** Writes help text; default: stdout. */
  print?: (text: string) => void;
  /** Writes one log line; default: stderr. */
  writeLog?: (line: string) => void;
  /** Reads an environment variable; default: `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

const OPTIONS = {
  name: { type: "string" },
  domain: { type: "string", default: "default" },
  config: { type: "string" },
  "log-level": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/**
 * Runs `castor daemon` with its arguments (without the word `daemon`) and
 * returns the exit code: {@linkcode EXIT_STOPPED} once the daemon stopped,
 * {@linkcode EXIT_USAGE} for bad arguments or configuration, and
 * {@linkcode EXIT_INTERNAL_ERROR} when the daemon stopped on a bug. SIGINT and
 * SIGTERM stop the daemon gracefully; a second signal cancels the runs at once.
 *
 * @example
 * ```ts ignore
 * import { runDaemonCommand } from "./daemon_command.ts";
 *
 * Deno.exit(await runDaemonCommand(["--name", "build-2", "--config", "/etc/castor/config.ini"]));
 * ```
 */
export async function runDaemonCommand(
  args: string[],
  options: DaemonCommandOptions = {},
): Promise<number> {
  const print = options.print ?? writeToStdout;
  const env = options.env ?? ((name: string) => Deno.env.get(name));

  let values;
  try {
    values = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    return usageError(describeError(error).replace(/\.?$/, "."), options.writeLog);
  }
  if (values.help) {
    print(helpText(defaultConfigPaths(env)));
    return EXIT_STOPPED;
  }

  const level = values["log-level"] ?? env("CASTOR_LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return usageError(
      `Invalid log level '${level}'; use one of ${LOG_LEVELS.join(", ")}.`,
      options.writeLog,
    );
  }
  const format = values.json ? "json" : "text";
  const startupLogger = new StreamLogger({
    level: level as LogLevel,
    format,
    write: options.writeLog,
  });

  if (values.name === undefined || values.name.trim() === "") {
    startupLogger.error(
      "Missing --name: give the daemon a name, such as --name build-2, to tell it apart in Pollux.",
    );
    return EXIT_USAGE;
  }
  if (values.domain.trim() === "") {
    startupLogger.error(
      "The --domain value is empty; pass the domain whose runs to take, such as default.",
    );
    return EXIT_USAGE;
  }

  const file = await findConfigFile(values.config, env);
  if (typeof file !== "string") {
    startupLogger.error(
      `No configuration file found; looked in ${file.searched.join(", ")}. ` +
        "Pass --config FILE, or create one of these from config.ini.sample.",
    );
    return EXIT_USAGE;
  }
  let config: DaemonConfig;
  try {
    config = await loadConfig(file, hostname());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    startupLogger.error(`Invalid configuration: ${error.message}`, {
      file: error.file,
      section: error.section,
      configKey: error.key,
      line: error.line,
    });
    return EXIT_USAGE;
  }

  const logger = new StreamLogger({
    level: level as LogLevel,
    format,
    write: options.writeLog,
    secrets: [config.key],
  });
  return await runConfiguredDaemon(values.name, values.domain, config, logger, options);
}

async function runConfiguredDaemon(
  name: string,
  domain: string,
  config: DaemonConfig,
  logger: StreamLogger,
  options: DaemonCommandOptions,
): Promise<number> {
  logger.info(`Read the configuration from ${config.file}; Pollux is at ${config.host}.`);
  for (const warning of config.warnings) logger.warn(warning);

  const mac = findMacAddress();
  if (mac.fallbackReason !== undefined) {
    logger.warn(`Registering with the MAC address ${mac.address} because ${mac.fallbackReason}.`);
  } else {
    logger.debug(`Using the MAC address ${mac.address} of interface ${mac.interfaceName}.`);
  }

  const client = new PolluxClient({
    host: config.host,
    key: config.key,
    timeout: config.requestTimeout,
  });
  let modules: DaemonModules = builtinModules;
  if (options.modules) {
    try {
      modules = await options.modules({ config, client, logger });
    } catch (error) {
      // The modules layer reads [sandbox] and [modules]; their mistakes are configuration errors too.
      if (!(error instanceof ConfigError)) throw error;
      logger.error(`Invalid configuration: ${error.message}`, {
        file: error.file,
        section: error.section,
        configKey: error.key,
      });
      return EXIT_USAGE;
    }
  }

  const daemon = new Daemon({
    api: client,
    registration: {
      name,
      domain,
      machine: mac.address,
      machineName: config.machineName,
      concurrencyLimit: config.concurrencyLimit,
    },
    logger,
    startRun: options.startRun ?? startRun,
    modules,
    pollInterval: config.pollInterval,
    updateInterval: config.updateInterval,
    shutdownGracePeriod: config.shutdownGracePeriod,
    shutdownReportTimeout: config.shutdownReportTimeout,
    maxBufferedLogLines: config.maxBufferedLogLines,
    retry: { initialDelay: config.retryInitialDelay, maxDelay: config.retryMaxDelay },
  });

  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((signal) => {
    const handler = () => daemon.stop(`it received ${signal}`);
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  try {
    await daemon.run();
  } catch (error) {
    logger.error(
      `The daemon stopped on an internal error, without unregistering: ${
        error instanceof Error ? error.stack ?? error.message : String(error)
      }`,
    );
    return EXIT_INTERNAL_ERROR;
  } finally {
    for (const remove of handlers) remove();
  }
  return EXIT_STOPPED;
}

/** Built-in components only; `reload` has nothing to forget. */
const builtinModules: DaemonModules = {
  providerFor: () => builtinProvider,
  reload: () => {},
};

async function findConfigFile(
  explicit: string | undefined,
  env: (name: string) => string | undefined,
): Promise<string | { searched: string[] }> {
  if (explicit !== undefined) return explicit;

  const searched = defaultConfigPaths(env);
  for (const path of searched) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return { searched };
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    // Without --allow-sys the host name is unknown; machine_name can still be set.
    return "unknown host";
  }
}

function usageError(message: string, writeLog: ((line: string) => void) | undefined): number {
  new StreamLogger({ write: writeLog }).error(
    `${message} Run 'castor daemon --help' for the options.`,
  );
  return EXIT_USAGE;
}

/** Returns the `--help` text, listing the options and every configuration key with its default. */
export function helpText(configPaths: readonly string[]): string {
  const keys = CONFIG_KEYS.map((spec) => {
    const fallback = spec.default === undefined ? "required" : `default: ${spec.default}`;
    return `  [${spec.section}] ${spec.key} (${fallback})\n      ${spec.description}`;
  });
  return [
    "Usage: castor daemon --name NAME [--domain DOMAIN] [--config FILE] [--log-level LEVEL] [--json]",
    "",
    "Registers with Pollux, runs the queued runs of DOMAIN (up to the configured limit at once)",
    "and reports them back, until SIGINT, SIGTERM or a stop command from Pollux. After a stop",
    "request, runs in progress get the grace period to finish; a second signal cancels them at once.",
    "",
    "Options:",
    "  --name NAME        Name of this daemon in Pollux (required).",
    "  --domain DOMAIN    Domain whose queued runs this daemon takes (default: default).",
    "  --config FILE      Configuration file (INI). Without it, the first file found of:",
    ...configPaths.map((path) => `                       ${path}`),
    "  --log-level LEVEL  Least severe level logged: debug, info, warn or error",
    "                     (default: $CASTOR_LOG_LEVEL, else info).",
    "  --json             Log one JSON object per line instead of text.",
    "  -h, --help         Show this help.",
    "",
    "Logs go to stderr, one line per event with time and level; the API key never appears.",
    "",
    "Configuration keys (durations: 500ms, 2s, 1m; a bare number is seconds):",
    ...keys,
    "  [sandbox], [modules]",
    "      Passed as they are to the module sandbox and the module cache (such as cache_dir).",
    "",
    "Exit codes: 0 stopped normally, 1 internal error, 2 bad arguments or configuration.",
  ].join("\n");
}

function writeToStdout(text: string): void {
  const bytes = new TextEncoder().encode(text + "\n");
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}
