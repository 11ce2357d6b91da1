/**
 * Sources of modules and libraries, searched in order: the local modules
 * directory, the cache, then Pollux (search, hash, download), with every
 * download checked against its hash and size before it is cached.
 *
 * @module
 */

import type { ModuleKind, ModuleSource } from "../module_source.ts";
import type { Logger } from "../logger.ts";
import { type ModuleCache, sha1Hex, type SourceRecord } from "./cache.ts";
import { kindName, ModuleError } from "./errors.ts";
import { checkId } from "./ids.ts";
import type { LocalModules } from "./local.ts";

/** A source with where it was found. */
export interface LocatedSource extends SourceRecord {
  /** `local` (the modules directory), `cache`, or `pollux` (downloaded now). */
  origin: "local" | "cache" | "pollux";
}

/** Options of {@linkcode SourceStore}. */
export interface SourceStoreOptions {
  /** The on-disk cache. */
  cache: ModuleCache;
  /** The local modules directory, searched first. */
  local?: LocalModules;
  /** Pollux, when one is configured. */
  source?: ModuleSource;
  /** Largest source accepted, in bytes of UTF-8. */
  maxSourceBytes: number;
  /** Receives warnings, such as Pollux unreachable while a cached copy is used. */
  logger?: Logger;
}

/** Finds module and library sources, downloading and caching them as needed. */
export class SourceStore {
  readonly #options: SourceStoreOptions;

  /** Creates the store. */
  constructor(options: SourceStoreOptions) {
    this.#options = options;
  }

  /**
   * Returns the source of a module or library, or `null` when it is found
   * nowhere. With `checkForUpdate`, a cached copy is compared with the hash
   * Pollux reports and downloaded again when it differs. When Pollux cannot
   * be reached, the cached copy is used as it is.
   *
   * @throws {ModuleError} for an invalid id, an oversized download, or a
   * download that does not match its hash.
   */
  async find(
    kind: ModuleKind,
    id: string,
    checkForUpdate: boolean,
    signal?: AbortSignal,
  ): Promise<LocatedSource | null> {
    checkId(kind, id);
    const { cache, local, source, logger } = this.#options;
    const localRecord = await local?.read(kind, id);
    if (localRecord) return { ...localRecord, origin: "local" };

    const cached = await cache.read(kind, id);
    if (cached && (!source || !checkForUpdate)) return { ...cached, origin: "cache" };
    if (!source) return null;

    let expected: string | null;
    try {
      if (!cached && !(await source.exists(kind, id, signal))) return null;
      expected = await source.hash(kind, id, signal);
    } catch (error) {
      if (!cached) throw error;
      logger?.warn(
        `Could not check ${kindName(kind)} '${id}' for an update; using the cached copy.`,
        {
          id,
          error: error instanceof Error ? error.message : String(error),
        },
      );
      return { ...cached, origin: "cache" };
    }
    if (expected === null) {
      if (!cached) return null;
      logger?.warn(`Pollux no longer has ${kindName(kind)} '${id}'; using the cached copy.`, {
        id,
      });
      return { ...cached, origin: "cache" };
    }
    if (cached && cached.hash === expected.toLowerCase()) return { ...cached, origin: "cache" };
    return {
      ...(await this.#download(kind, id, expected.toLowerCase(), signal)),
      origin: "pollux",
    };
  }

  /** Places searched for an id, for the message of a component that was not found. */
  describePlaces(kind: ModuleKind, id: string): string {
    const { cache, local, source } = this.#options;
    const places: string[] = [];
    if (local) places.push(`the modules directory (${local.pathsOf(kind, id).join(" or ")})`);
    places.push(`the cache (${cache.pathOf(kind, id)})`);
    places.push(source ? "Pollux" : "Pollux (none is configured)");
    return places.join(", ");
  }

  async #download(
    kind: ModuleKind,
    id: string,
    expected: string,
    signal?: AbortSignal,
  ): Promise<SourceRecord> {
    const { cache, source, maxSourceBytes, logger } = this.#options;
    const text = await source!.download(kind, id, signal);
    if (text === null) {
      throw new ModuleError(
        `Pollux reported a hash for ${
          kindName(kind)
        } '${id}' but could not send its source; try again later.`,
        { kind, id },
      );
    }
    const size = new TextEncoder().encode(text).length;
    if (size > maxSourceBytes) {
      throw new ModuleError(
        `The ${kindName(kind)} '${id}' downloaded from Pollux is ${size} bytes, more than the ` +
          `${maxSourceBytes} allowed; it was not used. Raise [sandbox] max_source_kb if it is expected.`,
        { kind, id },
      );
    }
    const actual = await sha1Hex(text);
    if (actual !== expected) {
      throw new ModuleError(
        `The ${kindName(kind)} '${id}' downloaded from Pollux does not match its hash ` +
          `(expected ${expected}, got ${actual}); it was not used. Try again, and check what ` +
          `stands between Castor and Pollux if it happens again.`,
        { kind, id },
      );
    }
    const record = await cache.write(kind, id, text);
    logger?.info(`Downloaded ${kindName(kind)} '${id}'.`, { id, hash: actual, size });
    return record;
  }
}
