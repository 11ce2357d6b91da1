/**
 * Builds the module layer of `castor daemon` and `castor run` from the
 * command-line options and the configuration file.
 *
 * @module
 */

import type { ComponentProvider } from "../../engine/types.ts";
import { builtinComponents } from "../../nodes/mod.ts";
import { PolluxClient } from "../client.ts";
import { loadConfig } from "../config.ts";
import type { ModulesContext } from "../daemon_command.ts";
import type { DaemonModules } from "../daemon.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { defaultCacheDir } from "./cache.ts";
import { ModuleManager } from "./manager.ts";
import { parseSandboxPolicy } from "./sandbox_config.ts";

/** Module ids of the built-in components, such as `system`: never downloaded. */
export const BUILTIN_MODULES: readonly string[] = [
  ...new Set([...builtinComponents.keys()].map((id) => id.slice(0, id.lastIndexOf(".")))),
];

/**
 * Returns the cache directory: `[modules] cache_dir` when set, else
 * {@linkcode defaultCacheDir}.
 *
 * @throws {ConfigError} when `cache_dir` is empty, or when the section has another key.
 */
export function cacheDirFrom(
  modules: Readonly<Record<string, string>> | undefined,
  file: string,
  env: (name: string) => string | undefined,
): string {
  for (const key of Object.keys(modules ?? {})) {
    if (key !== "cache_dir") {
      throw new ConfigError("unknown key. The only key of [modules] is cache_dir.", {
        file,
        section: "modules",
        key,
      });
    }
  }
  const dir = modules?.cache_dir;
  if (dir === undefined) return defaultCacheDir(env);
  if (dir.trim() === "") {
    throw new ConfigError("the cache directory is empty: give a path or remove the key.", {
      file,
      section: "modules",
      key: "cache_dir",
    });
  }
  return dir;
}

/**
 * Builds the daemon's modules layer: Pollux as the source, the
 * configuration's `[sandbox]`, `[modules]` and `auto_reload`. Pass it as the
 * `modules` option of `runDaemonCommand`.
 *
 * @throws {ConfigError} on a bad `[sandbox]` or `[modules]` value.
 */
export function createDaemonModules(
  context: ModulesContext,
  builtins: ComponentProvider,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): DaemonModules {
  const { config, client, logger } = context;
  return new ModuleManager({
    builtins,
    builtinModules: BUILTIN_MODULES,
    source: client,
    cacheDir: cacheDirFrom(config.modules, config.file, env),
    policy: parseSandboxPolicy(config.sandbox, config.file),
    autoReload: config.autoReload,
    logger,
    env,
  });
}

/** Options of {@linkcode createRunProvider}. */
export interface RunProviderOptions {
  /** The built-in components, tried first. */
  builtins: ComponentProvider;
  /** `castor run --modules DIR`: local module files, searched before the cache. */
  modulesDir?: string;
  /** `castor run --config FILE`: Pollux to download from, `[sandbox]`, `[modules]`. */
  configFile?: string;
  /** Receives downloads and warnings. */
  logger?: Logger;
  /** Reads environment variables; default `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

/**
 * Builds the components of `castor run`: built-ins, then `--modules DIR`,
 * then the cache, then the Pollux of `--config FILE` when one is given.
 * Without either option it still reads modules already in the cache.
 *
 * @throws {ConfigError} when the configuration file is missing or invalid.
 */
export async function createRunProvider(options: RunProviderOptions): Promise<ComponentProvider> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  if (!options.configFile) {
    return new ModuleManager({
      builtins: options.builtins,
      builtinModules: BUILTIN_MODULES,
      cacheDir: defaultCacheDir(env),
      localDir: options.modulesDir,
      logger: options.logger,
      env,
    }).provider;
  }
  const config = await loadConfig(options.configFile, Deno.hostname());
  return new ModuleManager({
    builtins: options.builtins,
    builtinModules: BUILTIN_MODULES,
    source: new PolluxClient({
      host: config.host,
      key: config.key,
      timeout: config.requestTimeout,
    }),
    cacheDir: cacheDirFrom(config.modules, config.file, env),
    localDir: options.modulesDir,
    policy: parseSandboxPolicy(config.sandbox, config.file),
    autoReload: true,
    logger: options.logger,
    env,
  }).provider;
}
