/**
 * HTTP transport to Pollux: one request with its timeout, the form or query
 * encoding, and the checks of Pollux's JSON response. Every failure becomes a
 * {@linkcode PolluxError} whose message never contains the API key.
 *
 * @module
 */

import { isRecord, parseJson } from "../engine/values.ts";
import { describeError, PolluxError } from "./errors.ts";

/** Options of `PolluxClient`, which passes them on to {@linkcode PolluxTransport}. */
export interface PolluxClientOptions {
  /** Base URL, such as `https://pollux.example.org`; a trailing slash is ignored. */
  host: string;
  /** API key sent as `X-API-KEY`; it never appears in an error message. */
  key: string;
  /** Time in ms after which a request is abandoned; default 10 000. */
  timeout?: number;
  /** HTTP implementation; default the global `fetch`. */
  fetch?: typeof fetch;
}

const BODY_EXCERPT_LENGTH = 200;

/** Body and query of one request to Pollux. */
export interface PolluxRequestOptions {
  /** Fields sent as an `application/x-www-form-urlencoded` body. */
  form?: Record<string, string>;
  /** Fields added to the URL as a query string. */
  query?: Record<string, string>;
  /** Aborts the request; the abort error is thrown as it is, not as a `PolluxError`. */
  signal?: AbortSignal;
}

/**
 * Sends requests to one Pollux server with its API key. It does not retry,
 * and it does not know the endpoints: `PolluxClient` does.
 */
export class PolluxTransport {
  readonly #host: string;
  readonly #key: string;
  readonly #timeout: number;
  readonly #fetch: typeof fetch;

  /** Creates the transport; nothing is sent until {@linkcode PolluxTransport.request}. */
  constructor(options: PolluxClientOptions) {
    this.#host = options.host.replace(/\/+$/, "");
    this.#key = options.key;
    this.#timeout = options.timeout ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * Sends one request and returns the `payload` of Pollux's success response,
   * or `null` when it has none.
   *
   * @throws {PolluxError} On no response within the timeout, a network error,
   * a body that is not Pollux's JSON, or an error response.
   */
  async request(
    method: "GET" | "POST",
    endpoint: string,
    options: PolluxRequestOptions,
  ): Promise<unknown> {
    const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
    // A timer cleared after each response, rather than AbortSignal.timeout(), whose
    // timer stays pending for the whole timeout after every request.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeout);
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeout.signal])
      : timeout.signal;
    const headers: Record<string, string> = {
      "X-API-KEY": this.#key,
      "Accept": "application/json",
    };
    if (options.form) headers["Content-Type"] = "application/x-www-form-urlencoded";

    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(this.#host + endpoint + query, {
        method,
        headers,
        body: options.form ? new URLSearchParams(options.form).toString() : undefined,
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.signal.aborted) {
        throw new PolluxError(
          `Request ${method} ${endpoint} to Pollux timed out after ${this.#timeout} ms; ` +
            "check that the host is reachable, or raise request_timeout.",
          { endpoint, cause: error },
        );
      }
      if (options.signal?.aborted) throw error;
      throw new PolluxError(
        `The request ${method} ${endpoint} to Pollux failed: ${
          this.#redact(describeError(error))
        }.`,
        { endpoint, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }

    let body: unknown;
    try {
      // Floats written as 7.0 (in flows and environments) stay floats.
      body = parseJson(text);
    } catch {
      throw new PolluxError(
        `Pollux responded to ${method} ${endpoint} with HTTP ${status} and a body that is not JSON: ` +
          `'${this.#excerpt(text)}'.`,
        { endpoint, status },
      );
    }
    if (!isRecord(body) || typeof body.success !== "boolean") {
      throw new PolluxError(
        `Pollux responded to ${method} ${endpoint} with HTTP ${status} and JSON without 'success': ` +
          `'${this.#excerpt(text)}'.`,
        { endpoint, status },
      );
    }
    if (!body.success || status < 200 || status > 299) {
      const serverMessage = typeof body.message === "string" ? this.#redact(body.message) : "";
      throw new PolluxError(
        `Pollux rejected ${method} ${endpoint} with HTTP ${status}: '${serverMessage}'.`,
        { endpoint, status, serverMessage },
      );
    }
    return body.payload ?? null;
  }

  /** Returns the error for a success response whose `payload` is not what `expected` describes. */
  unexpected(endpoint: string, expected: string, payload: unknown): PolluxError {
    let payloadText: string;
    try {
      payloadText = JSON.stringify(payload) ?? String(payload);
    } catch {
      payloadText = String(payload);
    }
    return new PolluxError(
      `Pollux responded to ${endpoint} with a payload that is not ${expected}: '${
        this.#excerpt(payloadText)
      }'.`,
      { endpoint, status: 200 },
    );
  }

  /** Returns the start of a body, on one line, without the key (a proxy page may echo headers). */
  #excerpt(text: string): string {
    const oneLine = this.#redact(text).replace(/\s+/g, " ").trim();
    return oneLine.length > BODY_EXCERPT_LENGTH
      ? `${oneLine.slice(0, BODY_EXCERPT_LENGTH)}...`
      : oneLine;
  }

  #redact(text: string): string {
    return this.#key === "" ? text : text.replaceAll(this.#key, "[redacted]");
  }
}
