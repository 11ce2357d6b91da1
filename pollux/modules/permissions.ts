/**
 * A module's declared `permissions`, checked against the operator's
 * {@linkcode SandboxPolicy} and turned into the permissions of its worker.
 *
 * @module
 */

import { isAbsolute, normalize } from "node:path";
import { ModuleError } from "./errors.ts";
import type { SandboxPolicy } from "./sandbox_config.ts";

/** Permissions a module may declare, each a list in Deno's terms. */
export interface DeclaredPermissions {
  /** Hosts, `host` or `host:port`. */
  net: string[];
  /** Absolute paths to read. */
  read: string[];
  /** Absolute paths to write. */
  write: string[];
  /** Environment variable names. */
  env: string[];
}

/** Permission names a module may declare. */
const GRANTABLE = ["net", "read", "write", "env"] as const;
type Grantable = typeof GRANTABLE[number];

const CONFIG_KEY: Readonly<Record<Grantable, string>> = {
  net: "allow_net",
  read: "allow_read",
  write: "allow_write",
  env: "allow_env",
};

/**
 * Checks the `permissions` export of a module (any value, since it comes
 * from untrusted code) and returns it as lists.
 *
 * @throws {ModuleError} when the value is not an object of string lists, or
 * names a permission that modules can never get (`run`, `ffi`, `sys`, ...).
 */
export function parseDeclaredPermissions(moduleId: string, value: unknown): DeclaredPermissions {
  const declared: DeclaredPermissions = { net: [], read: [], write: [], env: [] };
  if (value === undefined || value === null) return declared;
  const fail = (detail: string): never => {
    throw new ModuleError(`Module '${moduleId}' has invalid permissions: ${detail}`, {
      kind: "module",
      id: moduleId,
    });
  };
  if (typeof value !== "object" || Array.isArray(value)) {
    fail('export an object such as { net: ["api.example.org:443"] }.');
  }
  for (const [name, entries] of Object.entries(value as Record<string, unknown>)) {
    if (!(GRANTABLE as readonly string[]).includes(name)) {
      fail(
        `'${name}' cannot be granted to a module; only ${GRANTABLE.join(", ")} can. ` +
          `Remove it from the module's permissions.`,
      );
    }
    if (entries === false || entries === undefined) continue;
    if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== "string")) {
      fail(
        `'${name}' must be a list of strings, such as ${name}: ["..."]; 'true' is not accepted.`,
      );
    }
    const list = (entries as string[]).map((entry) => entry.trim());
    // A comma would split one entry into two when the list becomes a --allow-* flag.
    const bad = list.find((entry) => entry === "" || entry.includes(","));
    if (bad !== undefined) {
      fail(`${name} entry ${JSON.stringify(bad)} is empty or contains a comma.`);
    }
    declared[name as Grantable] = list;
  }
  return declared;
}

/**
 * Checks that every declared permission lies within the operator's policy,
 * and returns the permissions of the module's worker: the declared lists,
 * and nothing else (`run`, `ffi`, `sys`, `import` always off).
 *
 * @throws {ModuleError} naming the first permission the policy does not
 * allow, the module, and the `[sandbox]` key to change.
 */
export function grantPermissions(
  moduleId: string,
  declared: DeclaredPermissions,
  policy: SandboxPolicy,
): Deno.PermissionOptionsObject {
  for (const name of GRANTABLE) {
    for (const entry of declared[name]) {
      if (!isAllowed(name, entry, policy[name])) {
        throw new ModuleError(
          `Module '${moduleId}' asks for ${name} access to "${entry}", which the operator does ` +
            `not allow. To grant it, add it to [sandbox] ${
              CONFIG_KEY[name]
            } in the configuration file.`,
          { kind: "module", id: moduleId },
        );
      }
    }
  }
  const list = (entries: string[]) => entries.length > 0 ? entries : false;
  return {
    net: list(declared.net),
    read: list(declared.read.map(normalizePath)),
    write: list(declared.write.map(normalizePath)),
    env: list(declared.env),
    run: false,
    ffi: false,
    sys: false,
    import: false,
  };
}

function isAllowed(name: Grantable, entry: string, allowed: readonly string[]): boolean {
  switch (name) {
    case "net":
      return allowed.some((rule) => netWithin(entry.toLowerCase(), rule));
    case "read":
    case "write":
      if (!isAbsolute(entry)) return false;
      return allowed.some((rule) => pathWithin(normalizePath(entry), rule));
    case "env":
      return allowed.includes(entry);
  }
}

/** `host:port` is within `host` and within `host:port`; `host` is within `host` only. */
function netWithin(entry: string, rule: string): boolean {
  if (entry === rule) return true;
  const port = /:(\d+)$/.exec(entry);
  return port !== null && entry.slice(0, port.index) === rule;
}

function pathWithin(path: string, rule: string): boolean {
  return rule === "/" || path === rule || path.startsWith(rule + "/");
}

function normalizePath(path: string): string {
  const normalized = normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}
