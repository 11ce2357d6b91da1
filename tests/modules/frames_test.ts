import { deepEqual, equal, ok } from "node:assert/strict";
import { decodeBody, encodeFrame, isJsonExact } from "../../pollux/modules/frames.ts";

function roundTrip(value: unknown): { first: number | undefined; decoded: unknown } {
  const frame = encodeFrame(value);
  const length = new DataView(frame.buffer).getUint32(0);
  equal(length, frame.length - 4, "the prefix is the body length");
  const body = frame.subarray(4);
  return { first: body[0], decoded: decodeBody(body) };
}

Deno.test("encodeFrame() sends JSON-exact values as JSON", () => {
  const message = {
    type: "call",
    call: 3,
    inputs: { value: { i: 1.5, text: "caf\u00e9 \ud800", list: [1, "two", null, true] } },
    settings: Object.assign(Object.create(null), { prefix: "x" }),
    environment: {},
  };
  const { first, decoded } = roundTrip(message);
  equal(first, 0x7b, "the body is JSON text");
  deepEqual(decoded, structuredClone(message));
});

Deno.test("encodeFrame() falls back to V8 for the rest", async (t) => {
  const shared = { n: 1 };
  const sparse = [1, , 3];
  const extra = Object.assign([1, 2], { label: "x" });
  class Point {
    x = 1;
  }
  const cases: [string, Record<string, unknown>][] = [
    ["undefined property", { value: undefined }],
    ["negative zero", { value: -0 }],
    ["NaN", { value: NaN }],
    ["Infinity", { value: Infinity }],
    ["bigint", { value: 10n }],
    ["Date", { value: new Date(0) }],
    ["Map", { value: new Map([[1, 2]]) }],
    ["Uint8Array", { value: new Uint8Array([1, 2, 3]) }],
    ["shared reference", { a: shared, b: shared }],
    ["sparse array", { value: sparse }],
    ["array with a property", { value: extra }],
    ["class instance", { value: new Point() }],
  ];
  for (const [name, value] of cases) {
    await t.step(name, () => {
      equal(isJsonExact(value, new Set()), false);
      const { first, decoded } = roundTrip(value);
      equal(first, 0xff, "the body is a V8 serialization");
      deepEqual(decoded, structuredClone(value));
    });
  }
});

Deno.test("decodeBody() keeps shared references and -0", () => {
  const shared = { n: 1 };
  const decoded = roundTrip({ a: shared, b: shared, zero: -0 }).decoded as {
    a: object;
    b: object;
    zero: number;
  };
  ok(decoded.a === decoded.b, "both keys name one object");
  ok(Object.is(decoded.zero, -0), "-0 stays -0");
});
