/**
 * Node modules: components downloaded from Pollux or read from a local
 * directory, each run in a sandbox with only the permissions it declares and
 * the operator allows.
 *
 * @module
 */

export { defaultCacheDir, ModuleCache, sha1Hex } from "./cache.ts";
export type { CacheEntry, SourceRecord } from "./cache.ts";
export { MODULES_EXIT, MODULES_HELP, runModulesCommand } from "./command.ts";
export type { ModulesCommandIo } from "./command.ts";
export { ModuleError } from "./errors.ts";
export { checkId, isValidId, splitComponentId } from "./ids.ts";
export type { ComponentAddress } from "./ids.ts";
export { ModuleManager } from "./manager.ts";
export type { ModuleManagerOptions, PreparedLibrary, PreparedModule } from "./manager.ts";
export { DEFAULT_SANDBOX_POLICY, parseSandboxPolicy, SANDBOX_KEYS } from "./sandbox_config.ts";
export type { SandboxPolicy } from "./sandbox_config.ts";
export { runSandboxProcess, SANDBOX_SUBCOMMAND } from "./sandbox_process.ts";
export { BUILTIN_MODULES, cacheDirFrom, createDaemonModules, createRunProvider } from "./setup.ts";
export type { RunProviderOptions } from "./setup.ts";
