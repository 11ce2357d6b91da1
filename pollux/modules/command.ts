/**
 * `castor modules`: lists, describes and clears the cache of downloaded
 * modules and libraries.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { builtinProvider } from "../../nodes/mod.ts";
import { defaultConfigPaths } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { parseIni } from "../ini.ts";
import { ModuleCache } from "./cache.ts";
import { ModuleError } from "./errors.ts";
import { checkId } from "./ids.ts";
import { ModuleManager, type PreparedModule } from "./manager.ts";
import { parseSandboxPolicy, type SandboxPolicy } from "./sandbox_config.ts";
import { cacheDirFrom } from "./setup.ts";

/** Exit codes of `castor modules`. */
export const MODULES_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Help text of `castor modules`. */
export const MODULES_HELP = `Usage: castor modules list | show ID | clear [options]

Shows or clears the cache of modules and libraries downloaded from Pollux.

  list        Lists cached modules and libraries: id, SHA-1, size, permissions asked.
  show ID     Describes a module's components (ports and settings), as the editor needs them.
  clear       Deletes every cached module and library.

Options:
  --cache-dir DIR   Cache directory (default: [modules] cache_dir of the configuration,
                    else $XDG_CACHE_HOME/castor/modules or ~/.cache/castor/modules).
  --config FILE     Configuration file to read [modules] and [sandbox] from (default: the
                    first of $CASTOR_CONFIG, ~/.config/castor/config.ini,
                    /etc/castor/config.ini that exists).
  --modules DIR     With show: look for the module in this directory first.
  --json            Print one JSON object per line.
  -h, --help        Show this help.
`;

/** Output and environment of {@linkcode runModulesCommand}; the defaults use the console and `Deno.env`. */
export interface ModulesCommandIo {
  /** Writes a line of output. */
  out?: (line: string) => void;
  /** Writes a line of error. */
  err?: (line: string) => void;
  /** Reads an environment variable. */
  env?: (name: string) => string | undefined;
}

class UsageError extends Error {}

/**
 * Runs `castor modules` with its arguments (without the word `modules`) and
 * returns the exit code: 0 on success, 2 for bad arguments or configuration,
 * 1 when a module cannot be described.
 *
 * @example
 * ```ts ignore
 * import { runModulesCommand } from "./command.ts";
 *
 * Deno.exit(await runModulesCommand(["list", "--json"]));
 * ```
 */
export async function runModulesCommand(
  args: string[],
  io: ModulesCommandIo = {},
): Promise<number> {
  // deno-lint-ignore no-console
  const out = io.out ?? ((line: string) => console.log(line));
  // deno-lint-ignore no-console
  const err = io.err ?? ((line: string) => console.error(line));
  const env = io.env ?? ((name: string) => Deno.env.get(name));
  try {
    const { values, positionals } = parse(args);
    if (values.help) {
      out(MODULES_HELP);
      return MODULES_EXIT.ok;
    }
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const settings = await readSettings(values, env);
    const json = values.json === true;
    switch (action) {
      case "list":
        if (id !== undefined) throw new UsageError(`'list' takes no argument, got '${id}'`);
        return await list(settings, json, out, err);
      case "show":
        if (id === undefined) {
          throw new UsageError("'show' needs a module id, such as acme.network");
        }
        return await show(checkId("module", id), settings, values.modules, json, out);
      case "clear": {
        if (id !== undefined) throw new UsageError(`'clear' takes no argument, got '${id}'`);
        const removed = await new ModuleCache(settings.cacheDir).clear();
        out(
          json
            ? JSON.stringify({ cleared: removed, cacheDir: settings.cacheDir })
            : `Removed ${removed} cached file(s) from ${settings.cacheDir}.`,
        );
        return MODULES_EXIT.ok;
      }
      case undefined:
        throw new UsageError("missing action: list, show ID or clear");
      default:
        throw new UsageError(`unknown action '${action}': use list, show ID or clear`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`castor modules: ${error.message}. Run "castor modules --help" for the options.`);
      return MODULES_EXIT.usage;
    }
    if (error instanceof ConfigError) {
      err(`castor modules: ${error.message}`);
      return MODULES_EXIT.usage;
    }
    if (error instanceof ModuleError && /^Invalid (module|library) id/.test(error.message)) {
      err(`castor modules: ${error.message}`);
      return MODULES_EXIT.usage;
    }
    err(`castor modules: ${error instanceof Error ? error.message : String(error)}`);
    return MODULES_EXIT.failed;
  }
}

interface Values {
  "cache-dir"?: string;
  config?: string;
  modules?: string;
  json?: boolean;
  help?: boolean;
}

function parse(args: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        "cache-dir": { type: "string" },
        config: { type: "string" },
        modules: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\.$/, ""));
  }
}

interface Settings {
  cacheDir: string;
  policy: SandboxPolicy;
}

/** Reads `[modules]` and `[sandbox]` from `--config`, else from the first default file that exists. */
async function readSettings(
  values: Values,
  env: (name: string) => string | undefined,
): Promise<Settings> {
  let file = values.config;
  if (file === undefined) {
    for (const candidate of defaultConfigPaths(env)) {
      if (await Deno.stat(candidate).then((info) => info.isFile, () => false)) {
        file = candidate;
        break;
      }
    }
  }
  let modules: Record<string, string> = {};
  let sandbox: Record<string, string> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new ConfigError(`The file cannot be read: ${(error as Error).message}.`, {
        file,
        cause: error,
      });
    }
    const ini = parseIni(text, file);
    const section = (name: string) =>
      Object.fromEntries([...(ini.get(name)?.entries ?? [])].map(([k, e]) => [k, e.value]));
    modules = section("modules");
    sandbox = section("sandbox");
  }
  const configFile = file ?? "(no configuration file)";
  return {
    cacheDir: values["cache-dir"] ?? cacheDirFrom(modules, configFile, env),
    policy: parseSandboxPolicy(sandbox, configFile),
  };
}

async function list(
  settings: Settings,
  json: boolean,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const entries = await new ModuleCache(settings.cacheDir).list();
  const manager = new ModuleManager({ cacheDir: settings.cacheDir, policy: settings.policy });
  if (!json) {
    out(
      entries.length === 0 ? `No module in ${settings.cacheDir}.` : `Cache: ${settings.cacheDir}`,
    );
  }
  let status: number = MODULES_EXIT.ok;
  for (const entry of entries) {
    let permissions = "";
    let problem: string | undefined;
    if (entry.kind === "module") {
      try {
        permissions = formatPermissions(await manager.prepare(entry.id));
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
        status = MODULES_EXIT.failed;
      }
    }
    if (json) {
      out(JSON.stringify({
        kind: entry.kind,
        id: entry.id,
        hash: entry.hash,
        size: entry.size,
        ...(entry.kind === "module" && !problem ? { permissions: permissions || "none" } : {}),
        ...(problem ? { error: problem } : {}),
      }));
    } else {
      const kind = entry.kind === "module" ? "module " : "library";
      let requested = "";
      if (entry.kind === "module") requested = problem ? "cannot load" : permissions || "none";
      const size = `${String(entry.size).padStart(8)} B`;
      out(`${kind}  ${entry.id.padEnd(28)}  ${entry.hash}  ${size}  ${requested}`);
      if (problem) err(`  ${problem}`);
    }
  }
  return status;
}

async function show(
  id: string,
  settings: Settings,
  modulesDir: string | undefined,
  json: boolean,
  out: (line: string) => void,
): Promise<number> {
  const manager = new ModuleManager({
    builtins: builtinProvider,
    cacheDir: settings.cacheDir,
    localDir: modulesDir,
    policy: settings.policy,
  });
  const prepared = await manager.prepare(id);
  const components = [...prepared.components.values()];
  if (json) {
    out(JSON.stringify({
      id,
      hash: prepared.hash,
      origin: prepared.origin,
      size: prepared.size,
      requires: prepared.requires,
      permissions: prepared.permissions,
      components: components.map((spec) => ({ id: `${id}.${spec.name}`, ...spec })),
    }));
    return MODULES_EXIT.ok;
  }
  out(`Module ${id} (${prepared.origin}, ${prepared.size} B, SHA-1 ${prepared.hash})`);
  out(`  requires: ${prepared.requires.length > 0 ? prepared.requires.join(", ") : "nothing"}`);
  out(`  permissions: ${formatPermissions(prepared) || "none"}`);
  for (const spec of components) {
    out("");
    out(`${id}.${spec.name}${spec.description ? ` - ${spec.description}` : ""}`);
    for (const [title, ports] of [["inputs", spec.inputs], ["outputs", spec.outputs]] as const) {
      out(`  ${title}:${ports.length === 0 ? " none" : ""}`);
      for (const port of ports) {
        out(`    ${port.name}: ${port.type}${port.description ? `  ${port.description}` : ""}`);
      }
    }
    if (spec.settings.length > 0) {
      out("  settings:");
      for (const setting of spec.settings) {
        out(
          `    ${setting.name}: ${setting.type}${
            setting.description ? `  ${setting.description}` : ""
          }`,
        );
      }
    }
  }
  if (components.length === 0) out("  (no components)");
  return MODULES_EXIT.ok;
}

function formatPermissions(prepared: PreparedModule): string {
  return Object.entries(prepared.permissions)
    .filter(([, entries]) => entries.length > 0)
    .map(([name, entries]) => `${name}: ${entries.join(", ")}`)
    .join("; ");
}
