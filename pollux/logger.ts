/**
 * The daemon's logger: one line per event with time and level, as text or
 * as JSON lines, written through an injected function.
 *
 * @module
 */

/** Severity of a log record, from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Every level, from the most to the least verbose. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Extra data of a record: ids, counts, delays. Printed after the message. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** One event, as the logger hands it to listeners. */
export interface LogRecord {
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** Severity. */
  level: LogLevel;
  /** A full sentence, with secrets already replaced by `[redacted]`. */
  message: string;
  /** Extra data, with secrets already replaced. */
  fields: LogFields;
}

/** Levelled logging, the only way the daemon reports what it does. */
export interface Logger {
  /** Logs details useful when tracking down a problem. */
  debug(message: string, fields?: LogFields): void;
  /** Logs a normal event: start, stop, a run started or ended. */
  info(message: string, fields?: LogFields): void;
  /** Logs a problem the daemon works around, such as a failed request it retries. */
  warn(message: string, fields?: LogFields): void;
  /** Logs a problem that lost or refused something. */
  error(message: string, fields?: LogFields): void;
}

/** Options of {@linkcode StreamLogger}. */
export interface StreamLoggerOptions {
  /** Minimum level written; default `info`. */
  level?: LogLevel;
  /** `text` (default) for `TIME LEVEL message key=value`, `json` for one JSON object per line. */
  format?: "text" | "json";
  /** Receives each line, without its newline; default writes to stderr. */
  write?: (line: string) => void;
  /** Strings replaced by `[redacted]` wherever they appear, such as the API key. */
  secrets?: readonly string[];
  /** Clock in milliseconds since the Unix epoch; default `Date.now`. */
  now?: () => number;
}

const REDACTED = "[redacted]";
const encoder = new TextEncoder();

/**
 * Writes every record at or above a level to stderr (or another writer),
 * after removing the configured secrets, and passes it on to listeners.
 *
 * @example Capturing lines in a test
 * ```ts
 * import { StreamLogger } from "./logger.ts";
 *
 * const lines: string[] = [];
 * const logger = new StreamLogger({ write: (line) => lines.push(line), secrets: ["s3cret"] });
 * logger.warn("Request with key s3cret failed", { attempt: 2 });
 * console.assert(!lines[0]?.includes("s3cret"));
 * ```
 */
export class StreamLogger implements Logger {
  readonly #threshold: number;
  readonly #format: "text" | "json";
  readonly #write: (line: string) => void;
  readonly #secrets: string[];
  readonly #now: () => number;
  readonly #listeners = new Set<(record: LogRecord) => void>();

  /** Creates a logger; see {@linkcode StreamLoggerOptions} for the defaults. */
  constructor(options: StreamLoggerOptions = {}) {
    this.#threshold = LOG_LEVELS.indexOf(options.level ?? "info");
    this.#format = options.format ?? "text";
    this.#write = options.write ?? writeToStderr;
    this.#secrets = (options.secrets ?? []).filter((secret) => secret !== "");
    this.#now = options.now ?? Date.now;
  }

  /**
   * Calls `listener` with every record written from now on.
   * Returns a function that removes it.
   */
  addListener(listener: (record: LogRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Logs at `debug`. */
  debug(message: string, fields?: LogFields): void {
    this.#log("debug", message, fields);
  }

  /** Logs at `info`. */
  info(message: string, fields?: LogFields): void {
    this.#log("info", message, fields);
  }

  /** Logs at `warn`. */
  warn(message: string, fields?: LogFields): void {
    this.#log("warn", message, fields);
  }

  /** Logs at `error`. */
  error(message: string, fields?: LogFields): void {
    this.#log("error", message, fields);
  }

  #log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (LOG_LEVELS.indexOf(level) < this.#threshold) return;

    const clean: LogFields = {};
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      clean[name] = typeof value === "string" ? this.#redact(value) : value;
    }
    const record: LogRecord = {
      time: this.#now(),
      level,
      message: this.#redact(message),
      fields: clean,
    };

    this.#write(this.#format === "json" ? formatJson(record) : formatText(record));
    for (const listener of this.#listeners) listener(record);
  }

  #redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.replaceAll(secret, REDACTED);
    return result;
  }
}

/** A logger that drops everything, for tests and embedders that do not want output. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

function formatText(record: LogRecord): string {
  const time = new Date(record.time).toISOString();
  const level = record.level.toUpperCase().padEnd(5);
  const fields = Object.entries(record.fields).map(([name, value]) =>
    `${name}=${typeof value === "string" && /[\s"=]/.test(value) ? JSON.stringify(value) : value}`
  );
  return [time, level, record.message, ...fields].join(" ");
}

function formatJson(record: LogRecord): string {
  return JSON.stringify({
    time: new Date(record.time).toISOString(),
    level: record.level,
    message: record.message,
    ...record.fields,
  });
}

function writeToStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let written = 0;
  while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
}
