/**
 * Exponential backoff with jitter between retries of a failed request, and
 * a sleep that an abort signal cuts short.
 *
 * @module
 */

/** Options of {@linkcode Backoff}. */
export interface BackoffOptions {
  /** Delay in ms before the first retry, before jitter. */
  initialDelay: number;
  /** Cap in ms on the delay, before jitter. */
  maxDelay: number;
  /** Source of randomness in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * Delays between the retries of one failing request: the base delay starts
 * at `initialDelay`, doubles after each failure and stops at `maxDelay`.
 * Each delay is drawn uniformly between half the base and the base ("equal
 * jitter"), so that daemons that lost Pollux together do not retry in step,
 * while each still waits at least half the base.
 *
 * @example
 * ```ts
 * import { Backoff } from "./backoff.ts";
 *
 * const backoff = new Backoff({ initialDelay: 500, maxDelay: 30_000, random: () => 0.999 });
 * console.log(backoff.next(), backoff.next(), backoff.failures); // 500 1000 2 (about)
 * backoff.reset();
 * ```
 */
export class Backoff {
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  readonly #random: () => number;
  #failures = 0;

  /** Creates a backoff with no failure counted yet. */
  constructor(options: BackoffOptions) {
    if (!(options.initialDelay > 0) || !(options.maxDelay >= options.initialDelay)) {
      throw new RangeError(
        `Backoff needs 0 < initialDelay <= maxDelay, found initialDelay ${options.initialDelay} ` +
          `and maxDelay ${options.maxDelay}.`,
      );
    }
    this.#initialDelay = options.initialDelay;
    this.#maxDelay = options.maxDelay;
    this.#random = options.random ?? Math.random;
  }

  /** Number of failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts one more failure and returns the delay in ms to wait before retrying. */
  next(): number {
    const exponent = Math.min(this.#failures, 52);
    this.#failures += 1;
    const base = Math.min(this.#maxDelay, this.#initialDelay * 2 ** exponent);
    return Math.round(base / 2 + this.#random() * (base / 2));
  }

  /** Forgets the failures after a success, so the next failure waits `initialDelay` again. */
  reset(): void {
    this.#failures = 0;
  }
}

/**
 * Waits `milliseconds`, or less when `signal` aborts; never rejects. The
 * timer is cleared on abort, so nothing is left pending.
 */
export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener("abort", done, { once: true });
  });
}
