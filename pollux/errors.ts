/**
 * Errors of the Pollux platform and of Castor's configuration, and the text
 * of any caught value for log and error messages.
 *
 * @module
 */

/**
 * A request to Pollux that failed: unreachable host, timeout, an HTTP error,
 * or a response that is not the JSON Pollux sends.
 */
export class PolluxError extends Error {
  /** Path of the request, such as `/api/daemons/start`; never the key. */
  readonly endpoint: string;
  /** HTTP status, or `undefined` when no response arrived. */
  readonly status: number | undefined;
  /**
   * The `message` of a JSON error response from Pollux itself (in French), or
   * `undefined` when the failure came from the network, a proxy or a body
   * that is not Pollux's JSON.
   */
  readonly serverMessage: string | undefined;

  /** Creates the error for one request. */
  constructor(
    message: string,
    options: { endpoint: string; status?: number; serverMessage?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "PolluxError";
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
  }

  /**
   * Whether Pollux itself rejected the id in the path (a JSON response with
   * HTTP 404): sending the same request again cannot succeed.
   */
  get isUnknownId(): boolean {
    return this.status === 404 && this.serverMessage !== undefined;
  }
}

/**
 * A configuration file that cannot be used, naming the file, the section and
 * the key at fault.
 */
export class ConfigError extends Error {
  /** Path of the configuration file. */
  readonly file: string;
  /** Section at fault, such as `pollux`, when there is one. */
  readonly section: string | undefined;
  /** Key at fault, such as `host`, when there is one. */
  readonly key: string | undefined;
  /** Line number (from 1) at fault, when the problem is on one line. */
  readonly line: number | undefined;

  /** Creates the error; the message starts with the file, line, section and key. */
  constructor(
    detail: string,
    options: { file: string; section?: string; key?: string; line?: number; cause?: unknown },
  ) {
    const place = [
      options.line !== undefined ? `${options.file}:${options.line}` : options.file,
      options.section !== undefined ? `[${options.section}]` : undefined,
      options.key,
    ].filter((part) => part !== undefined).join(" ");
    super(`${place}: ${detail}`, { cause: options.cause });
    this.name = "ConfigError";
    this.file = options.file;
    this.section = options.section;
    this.key = options.key;
    this.line = options.line;
  }
}

/** Returns the message of a caught `Error`, or the caught value as text when it is not one. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
