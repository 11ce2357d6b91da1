/**
 * Source of module and library text: Pollux's module API, or a test's
 * stand-in.
 *
 * @module
 */

/** Modules hold components; libraries hold code that modules require. */
export type ModuleKind = "module" | "lib";

/**
 * Read access to the modules and libraries stored in Pollux
 * (`/api/modules/...` and `/api/lib/...`).
 */
export interface ModuleSource {
  /** Returns whether Pollux has this id (the `search` endpoint). */
  exists(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<boolean>;
  /** Returns the SHA-1 (hex) Pollux reports for the source text, or `null` on 404. */
  hash(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null>;
  /** Returns the source text, or `null` on 404. */
  download(kind: ModuleKind, id: string, signal?: AbortSignal): Promise<string | null>;
}
