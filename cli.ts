/**
 * The `castor` command line: `run`, `validate`, `daemon` and `modules`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoConfig from "./deno.json" with { type: "json" };
import { FlowError } from "./engine/errors.ts";
import { loadFlow } from "./engine/flow.ts";
import { runFlow, validateFlow } from "./engine/run.ts";
import type { Environment, LogEntry, Problem, RunResult } from "./engine/types.ts";
import { isRecord, parseJson, toJsonText } from "./engine/values.ts";
import type { ComponentProvider } from "./engine/types.ts";
import { componentIdsOf } from "./engine/validate.ts";
import { builtinComponents, builtinProvider } from "./nodes/mod.ts";
import { ConfigError } from "./pollux/errors.ts";

/** Exit codes of every `castor` command. */
export const EXIT = {
  /** The run completed (an exit counts), the flow is valid, the daemon stopped normally. */
  ok: 0,
  /** The run failed: a node error. */
  failed: 1,
  /** The flow, the arguments or the configuration were rejected. */
  rejected: 2,
  /** The run was cancelled by Ctrl-C (SIGINT) or SIGTERM. */
  cancelled: 130,
} as const;

const VERSION: string = denoConfig.version;

const MAIN_HELP = `castor ${VERSION}: runs Pollux flows.

Usage:
  castor run --flow FILE [--environment JSON] [--environment-file FILE]
             [--modules DIR] [--config FILE] [--json]
  castor validate --flow FILE [--modules DIR] [--config FILE] [--json]
  castor daemon --name NAME [--domain DOMAIN] [--config FILE]
  castor modules list | show ID | clear
  castor --help | --version

Commands:
  run        Runs one flow on this machine and prints its log and final environment.
  validate   Checks a flow without running it and lists every problem.
  daemon     Registers with Pollux and runs the queued runs of a domain.
  modules    Shows or clears the cache of downloaded modules.

Run "castor COMMAND --help" for the options of a command.

Exit codes:
  0    completed (an exit counts as completed), valid, or stopped normally
  1    the run failed: a node error
  2    the flow, the arguments or the configuration were rejected
  130  cancelled by Ctrl-C or SIGTERM
`;

const RUN_HELP = `Usage: castor run --flow FILE [options]

Runs one flow and prints each log line as it is written (time, node, message),
then the outcome and the final environment.

Options:
  --flow FILE              Flow document as the Pollux editor saves it (required).
  --environment JSON       Initial environment: a JSON object, such as '{"who": "world"}'.
  --environment-file FILE  Initial environment read from a JSON file. With both,
                           the keys of --environment replace those of the file.
  --modules DIR            Load modules from local files (acme/network.ts for the
                           module acme.network), sandboxed like downloaded ones.
  --config FILE            Download missing modules from the Pollux of this
                           configuration file, with its [sandbox] limits.
  --json                   Print one JSON object per line instead: {"type":"log",...}
                           for each line a component wrote, {"type":"notice",...} for
                           the engine's own lines, and a last {"type":"result",...}.
  -h, --help               Show this help.

Exit codes: 0 completed, 1 a node failed, 2 flow or arguments rejected,
130 cancelled by Ctrl-C (the log so far and the environment are still printed).
`;

const VALIDATE_HELP = `Usage: castor validate --flow FILE [--modules DIR] [--config FILE] [--json]

Checks a flow without running it and lists every problem with its location
(such as nodes[3].component or links[1].targets[0]).

Options:
  --flow FILE  Flow document to check (required).
  --modules DIR, --config FILE
               Where modules come from, as for castor run.
  --json       Print {"type":"validation","valid":...,"problems":[...]} instead.
  -h, --help   Show this help.

Exit codes: 0 valid, 2 rejected.
`;

/** Destination of the command line's output; tests and embedders may replace it. */
export interface Output {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
}

const consoleOutput: Output = {
  // deno-lint-ignore no-console
  out: (line) => console.log(line),
  // deno-lint-ignore no-console
  err: (line) => console.error(line),
};

/** A command-line mistake, reported with exit code 2. */
class UsageError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Runs the command line and returns its exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["run", "--flow", "examples/hello.json"]));
 * ```
 */
export async function main(args: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "run":
      return await runCommand(rest, output);
    case "validate":
      return await validateCommand(rest, output);
    case "daemon": {
      // Loaded on demand, so that `castor run` does not pay for the daemon's code at start-up.
      const { runDaemonCommand } = await import("./pollux/daemon_command.ts");
      const { createDaemonModules } = await import("./pollux/modules/setup.ts");
      return await runDaemonCommand(rest, {
        modules: (context) => createDaemonModules(context, builtinProvider),
      });
    }
    case "modules": {
      const { runModulesCommand } = await import("./pollux/modules/command.ts");
      return await runModulesCommand(rest);
    }
    case "__sandbox": {
      // The sandbox process that runs one module; Castor starts it, users do not.
      const { runSandboxProcess } = await import("./pollux/modules/sandbox_process.ts");
      return await runSandboxProcess();
    }
    case undefined:
    case "help":
    case "-h":
    case "--help":
      output.out(MAIN_HELP);
      return command === undefined ? EXIT.rejected : EXIT.ok;
    case "-V":
    case "--version":
    case "version":
      output.out(`castor ${VERSION}`);
      return EXIT.ok;
    default:
      output.err(`castor: unknown command '${command}'. Run "castor --help" for the commands.`);
      return EXIT.rejected;
  }
}

type OptionSpecs = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

function parseOptions(
  args: string[],
  options: OptionSpecs,
): { values: Record<string, string | boolean | undefined> } {
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return { values: values as Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError("", (error as Error).message);
  }
}

async function runCommand(args: string[], output: Output): Promise<number> {
  const json = args.includes("--json");
  let flowPath = "";
  let environment: Environment = {};
  let sources: ModuleSources = {};
  try {
    const { values } = parseOptions(args, {
      flow: { type: "string" },
      environment: { type: "string" },
      "environment-file": { type: "string" },
      modules: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      output.out(RUN_HELP);
      return EXIT.ok;
    }
    flowPath = requireFlow(values.flow);
    environment = await readEnvironment(
      values["environment-file"] as string | undefined,
      values.environment as string | undefined,
    );
    sources = {
      modulesDir: values.modules as string | undefined,
      configFile: values.config as string | undefined,
    };
  } catch (error) {
    if (error instanceof UsageError) {
      return reject(
        output,
        json,
        flowPath,
        [{ path: error.path, message: error.message }],
        environment,
      );
    }
    throw error;
  }

  let flow;
  try {
    flow = await loadFlow(flowPath);
  } catch (error) {
    if (error instanceof FlowError) {
      return reject(output, json, flowPath, error.problems, environment);
    }
    throw error;
  }

  let components: ComponentProvider;
  try {
    components = await providerFor(flow, sources);
  } catch (error) {
    if (error instanceof ConfigError) {
      return reject(
        output,
        json,
        flowPath,
        [{ path: "--config", message: error.message }],
        environment,
      );
    }
    throw error;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) Deno.exit(EXIT.cancelled);
    controller.abort();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  let result: RunResult;
  try {
    result = await runFlow(flow, {
      environment,
      components,
      signal: controller.signal,
      keepLogs: false,
      onLog: (entry) => output.out(json ? toJsonText(entry) : formatEntry(entry)),
    });
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  }
  if (result.outcome === "refused") {
    return reject(output, json, flowPath, result.problems, environment);
  }
  printResult(output, json, result);
  switch (result.outcome) {
    case "completed":
      return EXIT.ok;
    case "error":
      return EXIT.failed;
    default:
      return EXIT.cancelled;
  }
}

async function validateCommand(args: string[], output: Output): Promise<number> {
  const json = args.includes("--json");
  let flowPath = "";
  let problems: Problem[];
  try {
    const { values } = parseOptions(args, {
      flow: { type: "string" },
      modules: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      output.out(VALIDATE_HELP);
      return EXIT.ok;
    }
    flowPath = requireFlow(values.flow);
    const flow = await loadFlow(flowPath);
    const components = await providerFor(flow, {
      modulesDir: values.modules as string | undefined,
      configFile: values.config as string | undefined,
    });
    problems = await validateFlow(flow, { components });
  } catch (error) {
    if (error instanceof UsageError) problems = [{ path: error.path, message: error.message }];
    else if (error instanceof ConfigError) {
      problems = [{ path: "--config", message: error.message }];
    } else if (error instanceof FlowError) problems = error.problems;
    else throw error;
  }
  if (json) {
    output.out(toJsonText({ type: "validation", valid: problems.length === 0, problems }));
  } else if (problems.length === 0) {
    output.out(`${flowPath} is valid.`);
  } else {
    printProblems(output, flowPath, problems, "validate");
  }
  return problems.length === 0 ? EXIT.ok : EXIT.rejected;
}

/** Sources of components beyond the built-ins, for `run` and `validate`. */
interface ModuleSources {
  modulesDir?: string;
  configFile?: string;
}

/**
 * Returns the component provider of a flow. A flow of built-in components
 * alone does not load the modules layer, which keeps `castor run` quick to
 * start.
 */
async function providerFor(flow: unknown, sources: ModuleSources): Promise<ComponentProvider> {
  const needsModules = componentIdsOf(flow).some((id) => !builtinComponents.has(id));
  if (!needsModules && !sources.configFile && !sources.modulesDir) return builtinProvider;
  const { createRunProvider } = await import("./pollux/modules/setup.ts");
  return await createRunProvider({ builtins: builtinProvider, ...sources });
}

function requireFlow(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new UsageError("--flow", "missing --flow FILE: the flow document to run");
  }
  return value;
}

async function readEnvironment(
  file: string | undefined,
  text: string | undefined,
): Promise<Environment> {
  const environment: Environment = {};
  if (file !== undefined) {
    let content: string;
    try {
      content = await Deno.readTextFile(file);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "no such file"
        : (error as Error).message;
      throw new UsageError(
        "--environment-file",
        `cannot read environment file '${file}': ${reason}`,
      );
    }
    Object.assign(environment, parseEnvironment(content, "--environment-file", `'${file}'`));
  }
  if (text !== undefined) {
    Object.assign(environment, parseEnvironment(text, "--environment", "--environment"));
  }
  return environment;
}

function parseEnvironment(text: string, path: string, name: string): Environment {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw new UsageError(path, `${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) {
    throw new UsageError(
      path,
      `${name} must be a JSON object such as {"who": "world"}, got ${
        Array.isArray(value) ? "a list" : toJsonText(value)
      }`,
    );
  }
  return value;
}

function reject(
  output: Output,
  json: boolean,
  flowPath: string,
  problems: Problem[],
  environment: Environment,
): number {
  if (json) {
    output.out(
      toJsonText({ type: "result", outcome: "refused", environment, error: null, problems }),
    );
  } else {
    printProblems(output, flowPath, problems);
  }
  return EXIT.rejected;
}

function printProblems(
  output: Output,
  flowPath: string,
  problems: Problem[],
  command: "run" | "validate" = "run",
): void {
  // Option mistakes are about the command line, not about the flow file.
  const aboutOptions = problems.every((problem) => problem.path.startsWith("--"));
  const subject = aboutOptions || !flowPath
    ? `castor ${command} cannot start`
    : command === "validate"
    ? `${flowPath} is invalid`
    : `${flowPath} cannot run`;
  output.err(`castor: ${subject}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  for (const problem of problems) {
    output.err(`  ${problem.path ? `${problem.path}: ` : ""}${problem.message}`);
  }
}

function formatTime(time: number): string {
  const date = new Date(time);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${
    pad(date.getMilliseconds(), 3)
  }`;
}

/** Formats one log line for people: time, node, then the message; engine notices are marked. */
export function formatEntry(entry: LogEntry): string {
  const node = entry.node ? `[${entry.node}]` : "[run]";
  const marker = entry.type === "notice" ? "· " : "";
  return `${formatTime(entry.time)} ${node} ${marker}${entry.message}`;
}

function printResult(output: Output, json: boolean, result: RunResult): void {
  if (json) {
    output.out(toJsonText({
      type: "result",
      outcome: result.outcome,
      environment: result.environment,
      error: result.error,
      problems: result.problems,
    }));
    return;
  }
  let summary: string = result.outcome;
  if (result.exit) {
    summary += ` (exit from '${result.exit.node}'${
      result.exit.message ? `: ${result.exit.message}` : ""
    })`;
  }
  if (result.outcome === "cancelled") {
    summary += " (interrupted; the log above is complete up to that point)";
  }
  if (result.error) output.err(`castor: ${result.error.message}`);
  output.out(`Outcome: ${summary}`);
  output.out(`Environment: ${JSON.stringify(result.environment, null, 2)}`);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
