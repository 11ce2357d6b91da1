/**
 * Modules and libraries read from a local directory, for development:
 * `castor run --modules DIR` reads `DIR/acme/network.ts` for `acme.network`.
 *
 * @module
 */

import { join } from "node:path";
import type { ModuleKind } from "../module_source.ts";
import { sha1Hex, type SourceRecord } from "./cache.ts";
import { checkId } from "./ids.ts";

/** Extensions tried, in this order, for each id. */
const EXTENSIONS = [".ts", ".js"] as const;

/**
 * A directory of module files. The id's dots become folders: module
 * `acme.network` is `acme/network.ts` (or `.js`); library `acme.http` is
 * `lib/acme/http.ts`.
 */
export class LocalModules {
  /** The directory. */
  readonly dir: string;

  /** Reads from `dir`. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Returns the candidate paths of an id, after checking it. */
  pathsOf(kind: ModuleKind, id: string): string[] {
    const parts = checkId(kind, id).split(".");
    const base = kind === "lib" ? join(this.dir, "lib", ...parts) : join(this.dir, ...parts);
    return EXTENSIONS.map((extension) => base + extension);
  }

  /** Reads a module or library, or returns `null` when no file has its name. */
  async read(kind: ModuleKind, id: string): Promise<SourceRecord | null> {
    for (const path of this.pathsOf(kind, id)) {
      try {
        const source = await Deno.readTextFile(path);
        return { kind, id, source, hash: await sha1Hex(source) };
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return null;
  }
}
