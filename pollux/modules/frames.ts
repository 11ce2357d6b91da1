/**
 * Length-prefixed frames of V8-serialized values (structured clones) over a
 * byte stream: the wire between Castor and a sandbox process.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** Largest frame accepted; a longer length prefix means the stream is corrupt. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Encodes a value as one frame: a 4-byte big-endian length, then the V8 serialization. */
export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/**
 * Reads frames from a byte stream one at a time. It reads from the stream
 * only while no whole frame is buffered, so after a frame is returned the
 * stream can be handed to another reader with {@linkcode FrameReader.release}.
 */
export class FrameReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);

  /** Locks `stream` until {@linkcode FrameReader.release}. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * Returns the next decoded value, or `undefined` at the end of the stream.
   *
   * @throws {Error} when a length prefix exceeds {@linkcode MAX_FRAME_BYTES},
   * a frame does not decode, or the stream ends inside a frame.
   */
  async next(): Promise<unknown> {
    while (true) {
      if (this.#buffer.length >= 4) {
        const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, 4);
        const length = view.getUint32(0);
        if (length > MAX_FRAME_BYTES) {
          throw new Error(`invalid frame length ${length}; the stream is corrupt`);
        }
        if (this.#buffer.length >= 4 + length) {
          const body = this.#buffer.subarray(4, 4 + length);
          this.#buffer = this.#buffer.subarray(4 + length);
          return deserialize(body);
        }
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        if (this.#buffer.length > 0) throw new Error("the stream ended inside a frame");
        return undefined;
      }
      this.#buffer = concat(this.#buffer, value);
    }
  }

  /** Unlocks the stream and returns the bytes read but not yet decoded. */
  release(): Uint8Array {
    this.#reader.releaseLock();
    return this.#buffer;
  }
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.length === 0) return tail;
  const merged = new Uint8Array(head.length + tail.length);
  merged.set(head);
  merged.set(tail, head.length);
  return merged;
}
