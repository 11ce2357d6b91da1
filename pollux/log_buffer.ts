/**
 * Log lines waiting to be accepted by Pollux, with a bound on memory while
 * Pollux is unreachable.
 *
 * @module
 */

import type { PolluxLogLine } from "./client.ts";

/** Lines taken for one request, to commit once Pollux has accepted them. */
export interface LogBatch {
  /** The lines to send, oldest first. */
  readonly lines: readonly PolluxLogLine[];
  /** Removes these lines from the buffer; call only after Pollux accepted the request. */
  commit(): void;
}

/**
 * A queue of log lines for one run, or for the daemon itself.
 *
 * {@linkcode LogBuffer.take} hands out every pending line; the lines stay
 * in the buffer until the batch is committed, so a failed request sends them
 * again with the next one, and a successful one never sends them twice.
 * Callers must commit or drop one batch before taking the next.
 *
 * While the buffer contains `maxLines` lines, new lines are dropped and
 * counted. The count becomes one notice line, placed where the lines are
 * missing, so the buffer contains at most `maxLines + 1` lines.
 *
 * @example
 * ```ts
 * import { LogBuffer } from "./log_buffer.ts";
 *
 * const buffer = new LogBuffer(1000);
 * buffer.push({ time: Date.now(), message: "Hello" });
 * const batch = buffer.take();
 * // ... send batch.lines; once Pollux accepted them:
 * batch.commit();
 * ```
 */
export class LogBuffer {
  readonly #maxLines: number;
  #lines: PolluxLogLine[] = [];
  #dropped = 0;
  #firstDropTime = 0;
  /** Index in `#lines` of the last drop notice, or -1; later drops merge into it while it is last. */
  #noticeIndex = -1;
  #noticeCount = 0;
  /** Number of lines at the start of `#lines` handed out by the last `take()` and not committed. */
  #batchSize = 0;

  /** Creates an empty buffer holding at most `maxLines` lines (plus one drop notice). */
  constructor(maxLines: number) {
    if (!Number.isSafeInteger(maxLines) || maxLines < 1) {
      throw new RangeError(`LogBuffer needs a positive integer maxLines, found ${maxLines}.`);
    }
    this.#maxLines = maxLines;
  }

  /** Number of lines waiting, the drop notice included. */
  get size(): number {
    return this.#lines.length;
  }

  /** Number of lines dropped so far that no notice line reports yet. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a line, or counts it as dropped when the buffer is full. */
  push(line: PolluxLogLine): void {
    if (this.#lines.length >= this.#maxLines) {
      if (this.#dropped === 0) this.#firstDropTime = line.time;
      this.#dropped += 1;
      return;
    }
    this.#writeNotice(false);
    this.#lines.push(line);
  }

  /**
   * Returns every pending line as a batch to send. The previous batch must
   * have been committed, or its request must have failed.
   */
  take(): LogBatch {
    this.#writeNotice(true);
    const size = this.#lines.length;
    this.#batchSize = size;
    return {
      lines: this.#lines.slice(),
      commit: () => {
        this.#lines.splice(0, size);
        this.#noticeIndex = this.#noticeIndex >= size ? this.#noticeIndex - size : -1;
        this.#batchSize = 0;
      },
    };
  }

  /**
   * Turns the dropped count into a notice line. The count is merged into the
   * last line when that line is a notice that no pending request carries.
   * Inside `take()`, any earlier request has failed, so the merge is safe.
   */
  #writeNotice(taking: boolean): void {
    if (this.#dropped === 0) return;

    const last = this.#lines.length - 1;
    const mergeable = this.#noticeIndex === last &&
      (taking || this.#noticeIndex >= this.#batchSize);
    if (mergeable) {
      this.#noticeCount += this.#dropped;
      const previous = this.#lines[last];
      this.#lines[last] = {
        time: previous?.time ?? this.#firstDropTime,
        message: dropNotice(this.#noticeCount, this.#maxLines),
      };
    } else {
      this.#noticeCount = this.#dropped;
      this.#lines.push({
        time: this.#firstDropTime,
        message: dropNotice(this.#dropped, this.#maxLines),
      });
      this.#noticeIndex = this.#lines.length - 1;
    }
    this.#dropped = 0;
  }
}

function dropNotice(count: number, maxLines: number): string {
  return `${count} log line${count === 1 ? " was" : "s were"} dropped here because Pollux ` +
    `could not be reached and ${maxLines} lines were already waiting (max_buffered_log_lines).`;
}
