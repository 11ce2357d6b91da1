/**
 * Runs the real `castor` command line in a subprocess, as a user would.
 *
 * @module
 */

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** What a finished `castor` process printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Each stdout line parsed as JSON (for `--json`). */
  lines: Record<string, unknown>[];
}

/** Runs `castor ARGS` to its end. */
export async function castor(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", CLI, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  const lines = args.includes("--json")
    ? stdout.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line))
    : [];
  return { code: output.code, stdout, stderr, lines };
}

/** Starts `castor ARGS` and returns the running process, for signal tests. */
export function spawnCastor(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", CLI, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

/** Path of a file in the project, from the project's root. */
export function projectPath(relative: string): string {
  return new URL(`../${relative}`, import.meta.url).pathname;
}

/**
 * Reads a running `castor --json` process's standard output line by line,
 * calling `onLine` with each parsed object as it arrives, and returns them all.
 */
export async function readJsonLines(
  child: Deno.ChildProcess,
  onLine: (line: Record<string, unknown>) => void = () => {},
): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      onLine(line);
    }
  }
  return lines;
}

/** Writes a flow document to a new temporary file and returns its path. */
export async function writeFlow(flow: unknown): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(flow));
  return file;
}
