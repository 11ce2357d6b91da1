/**
 * Length-prefixed frames of V8-serialized values over a byte stream: the
 * wire between Castor and a sandbox process.
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
 * Reads frames from a byte stream and yields the decoded values.
 *
 * @throws {Error} when a length prefix exceeds {@linkcode MAX_FRAME_BYTES},
 * when a frame does not decode, or when the stream ends inside a frame.
 */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let buffer = new Uint8Array(0);
  for await (const chunk of stream) {
    buffer = concat(buffer, chunk);
    while (buffer.length >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0);
      if (length > MAX_FRAME_BYTES) {
        throw new Error(`invalid frame length ${length}; the stream is corrupt`);
      }
      if (buffer.length < 4 + length) break;
      const body = buffer.subarray(4, 4 + length);
      buffer = buffer.subarray(4 + length);
      yield deserialize(body);
    }
  }
  if (buffer.length > 0) throw new Error("the stream ended inside a frame");
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.length === 0) return tail;
  const merged = new Uint8Array(head.length + tail.length);
  merged.set(head);
  merged.set(tail, head.length);
  return merged;
}
