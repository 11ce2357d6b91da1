/**
 * The transform that turns a module's source into code a sandbox can
 * evaluate without `import()`: TypeScript types are removed and ES module
 * syntax becomes CommonJS (`require`, `exports`), in one pass of Sucrase.
 *
 * `import()` cannot be used because an executable made by `deno compile`
 * cannot import code that was not part of it when it was compiled.
 *
 * @module
 */

import { transform } from "sucrase";
import { LIBRARY_PREFIX } from "./worker_protocol.ts";

/** A module or library source after the transform. */
export interface CompiledCode {
  /** The function body, reading `exports`, `require` and `module`. */
  code: string;
  /** Library ids the code imports statically (`import x from "lib:acme.http"`). */
  libraryImports: string[];
}

const LIBRARY_REQUIRE = new RegExp(
  String.raw`\brequire\((['"])${LIBRARY_PREFIX}([^'"]+)\1\)`,
  "g",
);

/**
 * Transforms TypeScript or JavaScript ES module source into a CommonJS
 * function body, and lists the libraries it imports.
 *
 * @throws {SyntaxError} with the line and column when the source does not parse.
 */
export function compileSource(id: string, source: string): CompiledCode {
  let code: string;
  try {
    code = transform(source, {
      transforms: ["typescript", "imports"],
      filePath: `${id}.ts`,
      disableESTransforms: true,
    }).code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(message);
  }
  const libraryImports = new Set<string>();
  for (const match of code.matchAll(LIBRARY_REQUIRE)) {
    if (match[2] !== undefined) libraryImports.add(match[2]);
  }
  return { code, libraryImports: [...libraryImports] };
}
