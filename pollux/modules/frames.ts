/**
 * Length-prefixed frames of values over a byte stream: the wire between
 * Castor and a sandbox process. A body is either JSON text, when JSON gives
 * exactly what a structured clone gives, or the V8 serialization (a
 * structured clone). A V8 serialization starts with the version tag 0xFF,
 * and a JSON body here always starts with `{` or `[`, so the decoder
 * chooses by the first byte.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** Largest frame accepted; a longer length prefix means the stream is corrupt. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a value as one frame: a 4-byte big-endian length, then the body.
 * JSON is used where it is exact because, in Deno 2.9, `node:v8` `serialize`
 * and `deserialize` took 10 to 20 µs each for a call message, against 2 to 4
 * µs for JSON.
 */
export function encodeFrame(value: unknown): Uint8Array {
  const body = typeof value === "object" && value !== null && isJsonExact(value, new Set())
    ? encoder.encode(JSON.stringify(value))
    : serialize(value);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Decodes a frame body written by {@linkcode encodeFrame}. */
export function decodeBody(body: Uint8Array): unknown {
  return body[0] === OPEN_BRACE || body[0] === OPEN_BRACKET
    ? JSON.parse(decoder.decode(body))
    // A copy, because deserialize returns typed arrays that share the bytes it is given.
    : deserialize(body.slice());
}

/**
 * Returns whether `JSON.parse(JSON.stringify(value))` equals a structured
 * clone of `value`: strings, booleans, null, finite numbers other than -0,
 * plain objects and dense arrays without extra properties, each object
 * reached once (a clone keeps shared references and cycles, JSON does not).
 *
 * NOTE: like JSON.stringify, it reads getters and cannot see a Proxy, so it
 * is used only for values built by Castor, never for values a module returns.
 */
export function isJsonExact(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isJsonExact(value[i], seen)) return false;
        }
        // Every index is present, so any further key is an extra property.
        return Object.keys(value).length === value.length;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key of Object.keys(value)) {
        if (!isJsonExact((value as Record<string, unknown>)[key], seen)) return false;
      }
      return true;
    }
    default:
      // undefined, bigint, symbol and function.
      return false;
  }
}

/** Size of the read buffer; it grows when one frame needs more. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Reads frames from a byte stream one at a time. It reads from the stream
 * only while no whole frame is buffered, so after a frame is returned the
 * stream can be handed to another reader with {@linkcode FrameReader.release}.
 *
 * It reads with a BYOB reader into one buffer that it reuses, rather than
 * letting the stream allocate a chunk per read, because a sandbox call makes
 * one read per reply.
 */
export class FrameReader {
  readonly #reader: ReadableStreamBYOBReader;
  /** Bytes `[#start, #end)` are read but not yet decoded. */
  #buffer: Uint8Array<ArrayBufferLike> = new Uint8Array(READ_BUFFER_BYTES);
  #view: DataView<ArrayBufferLike> = new DataView(this.#buffer.buffer);
  #start = 0;
  #end = 0;

  /** Locks `stream`, which must be a byte stream, until {@linkcode FrameReader.release}. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader({ mode: "byob" });
  }

  /**
   * Returns the next decoded value, or `undefined` at the end of the stream.
   *
   * @throws {Error} when a length prefix exceeds {@linkcode MAX_FRAME_BYTES},
   * a frame does not decode, or the stream ends inside a frame.
   */
  async next(): Promise<unknown> {
    while (true) {
      const available = this.#end - this.#start;
      let needed = 4;
      if (available >= 4) {
        const length = this.#view.getUint32(this.#start);
        if (length > MAX_FRAME_BYTES) {
          throw new Error(`invalid frame length ${length}; the stream is corrupt`);
        }
        needed = 4 + length;
        if (available >= needed) {
          const body = this.#buffer.subarray(this.#start + 4, this.#start + needed);
          this.#start += needed;
          return decodeBody(body);
        }
      }
      this.#makeRoom(needed);
      const { value, done } = await this.#reader.read(this.#buffer.subarray(this.#end));
      // The read transfers the buffer, and `value` is a view of the transferred memory.
      if (value) this.#setBuffer(new Uint8Array(value.buffer));
      if (done) {
        if (this.#end > this.#start) throw new Error("the stream ended inside a frame");
        return undefined;
      }
      this.#end += value!.length;
    }
  }

  /** Unlocks the stream and returns the bytes read but not yet decoded. */
  release(): Uint8Array {
    this.#reader.releaseLock();
    return this.#buffer.slice(this.#start, this.#end);
  }

  /** Moves the undecoded bytes to the front, and grows the buffer to hold `frameBytes`. */
  #makeRoom(frameBytes: number): void {
    const pending = this.#end - this.#start;
    if (frameBytes > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(frameBytes, 2 * this.#buffer.length));
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#setBuffer(grown);
    } else if (this.#start > 0) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    }
    this.#start = 0;
    this.#end = pending;
  }

  #setBuffer(buffer: Uint8Array<ArrayBufferLike>): void {
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer);
  }
}
