/**
 * Throughput of the scheduler against two baselines doing the same
 * arithmetic in the same run: plain function calls, and one hand-written
 * async FIFO queue per hop. Run with `deno task bench`.
 *
 * @module
 */

import { runFlow } from "../mod.ts";

const VALUES = 100_000;
const HOPS = 10;

/** Builds a source that fires VALUES times, then HOPS additions in a chain (non-single mode). */
function chainFlow(): unknown {
  const nodes: unknown[] = [
    { id: "source", component: "math.Addition", inputs: { a: "0", b: "1" }, execution: VALUES },
  ];
  const links: unknown[] = [];
  let previous = "source";
  for (let hop = 1; hop <= HOPS; hop++) {
    nodes.push({ id: `add${hop}`, component: "math.Addition", inputs: { b: "1" } });
    links.push({ source: `${previous}:a+b`, targets: [`add${hop}:a`] });
    previous = `add${hop}`;
  }
  nodes.push({ id: "last", component: "system.Set", variable_name: "last" });
  links.push({ source: `${previous}:a+b`, targets: ["last:value"] });
  return { nodes, links, settings: { exec_mode: "multiple" } };
}

/** Builds the same source feeding HOPS additions at once. */
function fanOutFlow(): unknown {
  const nodes: unknown[] = [
    { id: "source", component: "math.Addition", inputs: { a: "0", b: "1" }, execution: VALUES },
  ];
  const targets: string[] = [];
  for (let branch = 1; branch <= HOPS; branch++) {
    nodes.push({ id: `add${branch}`, component: "math.Addition", inputs: { b: "1" } });
    targets.push(`add${branch}:a`);
  }
  return { nodes, links: [{ source: "source:a+b", targets }], settings: { exec_mode: "multiple" } };
}

/** One async FIFO queue between two stages, resolving waiting readers directly. */
class AsyncQueue {
  #items: number[] = [];
  #head = 0;
  #waiting: ((value: number) => void) | undefined;

  push(value: number): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting(value);
    } else {
      this.#items.push(value);
    }
  }

  take(): Promise<number> | number {
    if (this.#head < this.#items.length) return this.#items[this.#head++]!;
    return new Promise((resolve) => this.#waiting = resolve);
  }
}

async function asyncQueueChain(): Promise<number> {
  const queues = Array.from({ length: HOPS + 1 }, () => new AsyncQueue());
  const stages = Array.from({ length: HOPS }, async (_, hop) => {
    for (let i = 0; i < VALUES; i++) queues[hop + 1]!.push((await queues[hop]!.take()) + 1);
  });
  for (let i = 0; i < VALUES; i++) queues[0]!.push(i);
  await Promise.all(stages);
  let last = 0;
  for (let i = 0; i < VALUES; i++) last = await queues[HOPS]!.take();
  return last;
}

function plainChain(): number {
  const add = (a: number, b: number) => a + b;
  let last = 0;
  for (let i = 0; i < VALUES; i++) {
    let value = i;
    for (let hop = 0; hop < HOPS; hop++) value = add(value, 1);
    last = value;
  }
  return last;
}

const chain = chainFlow();
const fanOut = fanOutFlow();

Deno.bench({
  name: "plain function calls, 10 hops",
  group: "chain",
  fn: () => {
    plainChain();
  },
});

Deno.bench({
  name: "async FIFO queue per hop, 10 hops",
  group: "chain",
  baseline: true,
  fn: async () => {
    await asyncQueueChain();
  },
});

Deno.bench({
  name: "castor: 10 math.Addition in a chain",
  group: "chain",
  fn: async () => {
    const result = await runFlow(chain, { keepLogs: false });
    if (result.outcome !== "completed") throw new Error(`chain run ended ${result.outcome}`);
  },
});

Deno.bench({
  name: "async FIFO queue per hop, 1 to 10 fan-out",
  group: "fan-out",
  baseline: true,
  fn: async () => {
    const queues = Array.from({ length: HOPS }, () => new AsyncQueue());
    const branches = queues.map(async (queue) => {
      for (let i = 0; i < VALUES; i++) (await queue.take()) + 1;
    });
    for (let i = 0; i < VALUES; i++) for (const queue of queues) queue.push(i);
    await Promise.all(branches);
  },
});

Deno.bench({
  name: "castor: 1 to 10 fan-out of math.Addition",
  group: "fan-out",
  fn: async () => {
    const result = await runFlow(fanOut, { keepLogs: false });
    if (result.outcome !== "completed") throw new Error(`fan-out run ended ${result.outcome}`);
  },
});
