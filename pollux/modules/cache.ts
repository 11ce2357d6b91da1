/**
 * The on-disk cache of downloaded modules and libraries: one file per id,
 * written atomically so that daemons sharing a cache never read half a file.
 *
 * @module
 */

import { join } from "node:path";
import type { ModuleKind } from "../module_source.ts";
import { checkId } from "./ids.ts";

/** A module or library source text with its SHA-1. */
export interface SourceRecord {
  /** Module or library. */
  kind: ModuleKind;
  /** Its id, such as `acme.network`. */
  id: string;
  /** The source text, TypeScript or JavaScript. */
  source: string;
  /** SHA-1 of the UTF-8 source text, lower-case hex, as Pollux reports it. */
  hash: string;
}

/** One cached file, as `castor modules list` shows it. */
export interface CacheEntry {
  /** Module or library. */
  kind: ModuleKind;
  /** Its id. */
  id: string;
  /** SHA-1 of the source text. */
  hash: string;
  /** Size of the source in bytes. */
  size: number;
  /** Path of the cached file. */
  path: string;
}

/** Extension of cached files; the transform reads TypeScript and JavaScript alike. */
const EXTENSION = ".ts";

/**
 * Returns the default cache directory: `$XDG_CACHE_HOME/castor/modules`,
 * else `$HOME/.cache/castor/modules`, else `.castor-cache/modules` in the
 * working directory when neither variable is set.
 */
export function defaultCacheDir(env: (name: string) => string | undefined): string {
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "castor", "modules");
  const home = env("HOME");
  if (home) return join(home, ".cache", "castor", "modules");
  return join(".castor-cache", "modules");
}

/** Returns the SHA-1 of the UTF-8 encoding of `text`, in lower-case hex. */
export function sha1Hex(text: string): Promise<string> {
  return sha1OfBytes(new TextEncoder().encode(text));
}

async function sha1OfBytes(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The cache directory. Modules are stored as `DIR/module/ID.ts` and
 * libraries as `DIR/lib/ID.ts`; every id is checked before it names a file.
 *
 * @example
 * ```ts
 * import { ModuleCache } from "./cache.ts";
 *
 * const cache = new ModuleCache(await Deno.makeTempDir());
 * await cache.write("module", "acme.network", "export const Ping = {};");
 * console.log((await cache.read("module", "acme.network"))?.hash.length); // 40
 * ```
 */
export class ModuleCache {
  /** The cache directory. */
  readonly dir: string;

  /** Uses `dir`, which is created on the first write. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Returns the path of the file that contains `id`, after checking the id. */
  pathOf(kind: ModuleKind, id: string): string {
    return join(this.dir, kind, checkId(kind, id) + EXTENSION);
  }

  /** Reads a cached source, or returns `null` when it is not cached. */
  async read(kind: ModuleKind, id: string): Promise<SourceRecord | null> {
    let source: string;
    try {
      source = await Deno.readTextFile(this.pathOf(kind, id));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    return { kind, id, source, hash: await sha1Hex(source) };
  }

  /**
   * Stores a source: writes a temporary file beside the final one, then
   * renames it, so a reader sees the old text or the new one, never a mix.
   */
  async write(kind: ModuleKind, id: string, source: string): Promise<SourceRecord> {
    const path = this.pathOf(kind, id);
    await Deno.mkdir(join(this.dir, kind), { recursive: true });
    const temporary = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.writeTextFile(temporary, source);
      await Deno.rename(temporary, path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
    return { kind, id, source, hash: await sha1Hex(source) };
  }

  /** Lists every cached module and library, modules first, each sorted by id. */
  async list(): Promise<CacheEntry[]> {
    const entries: CacheEntry[] = [];
    for (const kind of ["module", "lib"] as const) {
      const names: string[] = [];
      try {
        for await (const entry of Deno.readDir(join(this.dir, kind))) {
          if (entry.isFile && entry.name.endsWith(EXTENSION)) names.push(entry.name);
        }
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      for (const name of names.sort()) {
        const id = name.slice(0, -EXTENSION.length);
        const path = join(this.dir, kind, name);
        const bytes = await Deno.readFile(path);
        const hash = await sha1OfBytes(bytes);
        entries.push({ kind, id, hash, size: bytes.length, path });
      }
    }
    return entries;
  }

  /** Deletes every cached module and library; returns how many files were removed. */
  async clear(): Promise<number> {
    const entries = await this.list();
    for (const kind of ["module", "lib"] as const) {
      await Deno.remove(join(this.dir, kind), { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    return entries.length;
  }
}
