import { Backoff, sleep } from "../../pollux/backoff.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

Deno.test("Backoff doubles the delay up to the cap", () => {
  const highest = new Backoff({ initialDelay: 100, maxDelay: 1000, random: () => 1 });
  assertEquals([1, 2, 3, 4, 5, 6].map(() => highest.next()), [100, 200, 400, 800, 1000, 1000]);
  assertEquals(highest.failures, 6);

  const lowest = new Backoff({ initialDelay: 100, maxDelay: 1000, random: () => 0 });
  assertEquals([1, 2, 3, 4, 5].map(() => lowest.next()), [50, 100, 200, 400, 500]);
});

Deno.test("Backoff draws delays between half and all of the base", () => {
  const backoff = new Backoff({ initialDelay: 1000, maxDelay: 1000 });
  for (let i = 0; i < 200; i++) {
    const delay = backoff.next();
    assert(delay >= 500, `delay ${delay} at least 500`);
    assert(delay <= 1000, `delay ${delay} at most 1000`);
  }
});

Deno.test("Backoff starts over after reset", () => {
  const backoff = new Backoff({ initialDelay: 10, maxDelay: 10_000, random: () => 1 });
  backoff.next();
  backoff.next();
  backoff.reset();
  assertEquals(backoff.failures, 0);
  assertEquals(backoff.next(), 10);
});

Deno.test("Backoff stays finite after many failures", () => {
  const backoff = new Backoff({ initialDelay: 1, maxDelay: 30_000, random: () => 1 });
  for (let i = 0; i < 2000; i++) backoff.next();
  assertEquals(backoff.next(), 30_000);
});

Deno.test("Backoff rejects inconsistent delays", () => {
  assertThrows(() => new Backoff({ initialDelay: 0, maxDelay: 10 }), RangeError);
  assertThrows(() => new Backoff({ initialDelay: 20, maxDelay: 10 }), RangeError);
});

Deno.test("sleep() ends early on abort", async () => {
  const controller = new AbortController();
  const sleeping = sleep(60_000, controller.signal);
  controller.abort();
  await sleeping;

  await sleep(60_000, controller.signal);
});
