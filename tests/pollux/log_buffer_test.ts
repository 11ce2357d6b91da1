import { LogBuffer } from "../../pollux/log_buffer.ts";
import { assertEquals, assertMatch, assertThrows } from "./_assert.ts";

const line = (n: number) => ({ time: n, message: `line ${n}` });

Deno.test("LogBuffer keeps lines until their batch is committed", () => {
  const buffer = new LogBuffer(10);
  buffer.push(line(1));
  buffer.push(line(2));

  const failed = buffer.take();
  assertEquals(failed.lines, [line(1), line(2)]);
  buffer.push(line(3));

  const retried = buffer.take();
  assertEquals(retried.lines, [line(1), line(2), line(3)], "a failed batch is sent again");
  buffer.push(line(4));
  retried.commit();

  assertEquals(buffer.take().lines, [line(4)], "a committed batch is never sent again");
});

Deno.test("LogBuffer counts dropped lines in one notice where they are missing", () => {
  const buffer = new LogBuffer(3);
  for (let n = 1; n <= 8; n++) buffer.push(line(n));
  assertEquals(buffer.size, 3);
  assertEquals(buffer.dropped, 5);

  const batch = buffer.take();
  assertEquals(batch.lines.slice(0, 3), [line(1), line(2), line(3)]);
  assertEquals(batch.lines.length, 4);
  assertMatch(batch.lines[3]?.message ?? "", /^5 log lines were dropped here/);
  assertEquals(batch.lines[3]?.time, 4, "the notice carries the time of the first dropped line");

  buffer.push(line(9));
  const again = buffer.take();
  assertMatch(
    again.lines[3]?.message ?? "",
    /^6 log lines were dropped here/,
    "later drops merge into the notice",
  );
  assertEquals(again.lines.length, 4, "the buffer holds at most maxLines plus the notice");
  again.commit();

  buffer.push(line(10));
  assertEquals(buffer.take().lines, [line(10)]);
});

Deno.test("LogBuffer reports drops during a request in a new notice", () => {
  const buffer = new LogBuffer(2);
  for (let n = 1; n <= 4; n++) buffer.push(line(n));
  const inFlight = buffer.take();
  assertEquals(inFlight.lines.length, 3);
  assertMatch(inFlight.lines[2]?.message ?? "", /^2 log lines were dropped here/);
  buffer.push(line(5));
  inFlight.commit();
  buffer.push(line(6));

  const next = buffer.take();
  assertEquals(next.lines.length, 2);
  assertMatch(next.lines[0]?.message ?? "", /^1 log line was dropped here/);
  assertEquals(next.lines[0]?.time, 5);
  assertEquals(next.lines[1], line(6));
});

Deno.test("LogBuffer rejects a bound that is not a positive integer", () => {
  assertThrows(() => new LogBuffer(0), RangeError);
  assertThrows(() => new LogBuffer(1.5), RangeError);
});
