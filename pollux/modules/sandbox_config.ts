/**
 * The operator's `[sandbox]` section: what downloaded modules may be granted,
 * and the limits of their sandbox.
 *
 * @module
 */

import { isAbsolute, normalize } from "node:path";
import { ConfigError } from "../errors.ts";

/**
 * Operator's limits on modules: the permissions they may get, and the limits of each sandbox. A module
 * receives the permissions it declares, each of which must lie within these
 * lists; nothing declared means nothing granted.
 */
export interface SandboxPolicy {
  /** Hosts a module may connect to, `host` (any port) or `host:port` (`[sandbox] allow_net`). */
  net: readonly string[];
  /** Absolute paths a module may read, with everything below them (`[sandbox] allow_read`). */
  read: readonly string[];
  /** Absolute paths a module may write, with everything below them (`[sandbox] allow_write`). */
  write: readonly string[];
  /** Environment variable names a module may read (`[sandbox] allow_env`). */
  env: readonly string[];
  /** Time one component call may take before its sandbox is stopped, in milliseconds (`[sandbox] call_timeout`). */
  callTimeoutMs: number;
  /** V8 heap limit of each sandbox, in MiB (`[sandbox] memory_limit_mb`). */
  memoryLimitMb: number;
  /** Largest module or library source accepted, in bytes of UTF-8 (`[sandbox] max_source_kb`). */
  maxSourceBytes: number;
}

/** Default `[sandbox] call_timeout`: 30 seconds. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Default `[sandbox] memory_limit_mb`: 256 MiB of V8 heap per sandbox. */
export const DEFAULT_MEMORY_LIMIT_MB = 256;
/** Default `[sandbox] max_source_kb`: 1024 KiB. */
export const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
/** Smallest `[sandbox] memory_limit_mb` accepted; V8 cannot start a worker in much less. */
export const MIN_MEMORY_LIMIT_MB = 16;

/** The policy with no `[sandbox]` section: nothing can be granted. */
export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = Object.freeze({
  net: [],
  read: [],
  write: [],
  env: [],
  callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
  memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB,
  maxSourceBytes: DEFAULT_MAX_SOURCE_BYTES,
});

/** Keys of the `[sandbox]` section, with what each one sets, for messages and docs. */
export const SANDBOX_KEYS: Readonly<Record<string, string>> = {
  allow_net: "comma-separated hosts modules may connect to, host or host:port",
  allow_read: "comma-separated absolute paths modules may read",
  allow_write: "comma-separated absolute paths modules may write",
  allow_env: "comma-separated environment variable names modules may read",
  call_timeout: "time one component call may take: a number with ms, s or m (default 30s)",
  memory_limit_mb:
    `heap limit of each module's sandbox in MiB (default ${DEFAULT_MEMORY_LIMIT_MB})`,
  max_source_kb: "largest module or library source accepted, in KiB (default 1024)",
};

/** Permissions that no configuration can grant, with the reason given to the operator. */
const NEVER_GRANTED: Readonly<Record<string, string>> = {
  allow_run: "running programs would let a module escape its sandbox",
  allow_ffi: "loading native libraries would let a module escape its sandbox",
  allow_sys: "modules are not given system information",
  allow_import: "modules load no code from the network; use libraries instead",
  allow_all: "each permission must be listed on its own",
};

const SECTION = "sandbox";
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the raw `[sandbox]` section of a configuration file into a
 * {@linkcode SandboxPolicy}. An absent section, or an empty record, gives
 * {@linkcode DEFAULT_SANDBOX_POLICY}.
 *
 * @param section Keys (in lower case) and values of the section, as the INI parser read them.
 * @param file Path of the configuration file, for messages.
 * @throws {ConfigError} On an unknown key, a value of the wrong kind, or a
 * permission that can never be granted (`allow_run`, `allow_ffi`, ...).
 *
 * @example
 * ```ts
 * import { parseSandboxPolicy } from "./sandbox_config.ts";
 *
 * const policy = parseSandboxPolicy(
 *   { allow_net: "api.example.org:443, 127.0.0.1", call_timeout: "5s" },
 *   "/etc/castor/config.ini",
 * );
 * console.log(policy.net, policy.callTimeoutMs); // ["api.example.org:443", "127.0.0.1"] 5000
 * ```
 */
export function parseSandboxPolicy(
  section: Readonly<Record<string, string>> | undefined,
  file: string,
): SandboxPolicy {
  const policy = { ...DEFAULT_SANDBOX_POLICY };
  for (const [rawKey, value] of Object.entries(section ?? {})) {
    const key = rawKey.toLowerCase();
    const fail = (detail: string): never => {
      throw new ConfigError(detail, { file, section: SECTION, key });
    };
    const never = NEVER_GRANTED[key];
    if (never !== undefined) {
      fail(`this permission cannot be granted to modules: ${never}. Remove the key.`);
    }
    switch (key) {
      case "allow_net":
        policy.net = parseList(value).map((entry) => checkNetEntry(entry, fail));
        break;
      case "allow_read":
      case "allow_write": {
        const paths = parseList(value).map((entry) => checkPath(entry, fail));
        if (key === "allow_read") policy.read = paths;
        else policy.write = paths;
        break;
      }
      case "allow_env":
        policy.env = parseList(value).map((name) =>
          ENV_NAME.test(name) ? name : fail(`invalid environment variable name "${name}".`)
        );
        break;
      case "call_timeout":
        policy.callTimeoutMs = parseDuration(value, fail);
        break;
      case "memory_limit_mb":
        policy.memoryLimitMb = parseWholeNumber(value, MIN_MEMORY_LIMIT_MB, fail);
        break;
      case "max_source_kb":
        policy.maxSourceBytes = parseWholeNumber(value, 1, fail) * 1024;
        break;
      default:
        fail(`unknown key. Known keys: ${Object.keys(SANDBOX_KEYS).join(", ")}.`);
    }
  }
  return Object.freeze(policy);
}

function parseList(value: string): string[] {
  return value.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

/** Checks `host` or `host:port` (`[v6]:port` for IPv6) and returns it with the host in lower case. */
function checkNetEntry(entry: string, fail: (detail: string) => never): string {
  const match = /^(.*?)(?::(\d+))?$/.exec(entry);
  const host = match?.[1] ?? "";
  const port = match?.[2];
  if (!HOST.test(host)) {
    fail(`invalid host "${entry}": write a host name or IP address, optionally followed by :port.`);
  }
  if (port !== undefined) {
    const number = Number(port);
    if (number < 1 || number > 65535) fail(`invalid port in "${entry}": use 1 to 65535.`);
  }
  return port === undefined ? host.toLowerCase() : `${host.toLowerCase()}:${Number(port)}`;
}

function checkPath(entry: string, fail: (detail: string) => never): string {
  if (!isAbsolute(entry)) fail(`invalid path "${entry}": paths must be absolute.`);
  const normalized = normalize(entry);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

function parseDuration(value: string, fail: (detail: string) => never): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!match) {
    return fail(`invalid duration "${value}": write a number followed by ms, s or m, such as 30s.`);
  }
  const amount = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
  const milliseconds = amount * (factor[unit] ?? 1000);
  if (milliseconds < 1) fail(`the duration "${value}" is too short: use at least 1ms.`);
  return Math.round(milliseconds);
}

function parseWholeNumber(value: string, min: number, fail: (detail: string) => never): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < min) {
    fail(`invalid value "${value}": write a whole number of at least ${min}.`);
  }
  return Number(text);
}
