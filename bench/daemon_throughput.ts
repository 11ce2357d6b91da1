/**
 * Measures how many runs per second one `castor daemon` takes through the
 * Pollux test double, and the daemon's memory after 1,000 and 10,000 runs.
 *
 * Run with
 * `deno run -A --unstable-worker-options --v8-flags=--expose-gc bench/daemon_throughput.ts [RUNS]`
 * (default 10,000 runs).
 *
 * Part 1 starts the daemon as a subprocess with a limit of 10 runs at once,
 * the default poll interval (1 s), and logs at `info` level, as deployed.
 * The flow logs one line (`system.Log`). Memory is the resident set size
 * (RSS) of the daemon's process, read from `/proc/PID/status`, so it needs
 * Linux. RSS includes the heap space V8 reserves as it warms up. So part 2
 * runs the same daemon in this process and prints the JavaScript heap in use
 * after a full garbage collection: any state kept per run would make it grow.
 * Part 2 needs `--v8-flags=--expose-gc` and is skipped without it. Its
 * figure includes the double's own, small, state.
 *
 * @module
 */

import { startRun } from "../engine/run.ts";
import { builtinProvider } from "../nodes/mod.ts";
import { PolluxClient } from "../pollux/client.ts";
import { Daemon } from "../pollux/daemon.ts";
import { StreamLogger } from "../pollux/logger.ts";
import { FLOWS, iniText, testConfig } from "../tests/pollux/_daemon_process.ts";
import { type DaemonRecord, PolluxDouble } from "../tests/pollux/double.ts";

/** Prints one result line; this script's output is its report. */
function print(line: string): void {
  // deno-lint-ignore no-console
  console.log(line);
}

const total = Number(Deno.args[0] ?? 10_000);
const checkpoints = [1_000, 5_000, 10_000, 20_000, 50_000].filter((count) => count <= total);
const batch = 1_000;

const double = await PolluxDouble.start();
double.recordRequests = false;
const directory = await Deno.makeTempDir({ prefix: "castor-bench-" });
const configPath = `${directory}/config.ini`;
await Deno.writeTextFile(
  configPath,
  iniText(testConfig(double, {
    daemon: {
      concurent_execution_limit: "10",
      poll_interval: "1s",
      update_interval: "5s",
      shutdown_grace_period: "10s",
    },
    pollux: { request_timeout: "10s", retry_initial_delay: "500ms", retry_max_delay: "30s" },
  })),
);

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--unstable-worker-options",
    new URL("../cli.ts", import.meta.url).pathname,
    "daemon",
    "--name",
    "bench",
    "--config",
    configPath,
  ],
  stdin: "null",
  stdout: "null",
  stderr: "piped",
}).spawn();
// Drain the daemon's log lines so that a full pipe never slows it down.
let logLines = 0;
const draining = (async () => {
  for await (const chunk of child.stderr) for (const byte of chunk) if (byte === 10) logLines++;
})();

function residentKiB(): number {
  const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
}

const daemon = await double.waitFor(
  "the daemon's registration",
  () => double.daemonsNamed("bench")[0],
  30_000,
);
await double.waitFor("a first poll", () => daemon.reportedFlowInstances.length > 0 || undefined);
print(`Daemon registered; RSS ${(residentKiB() / 1024).toFixed(1)} MiB before any run.`);

const elapsed = await runBatches(
  daemon,
  () => `daemon RSS ${(residentKiB() / 1024).toFixed(1)} MiB`,
);
print(
  `Overall: ${total} runs in ${elapsed.toFixed(1)} s, ${
    (total / elapsed).toFixed(0)
  } runs/s; max at once ${daemon.maxRunning}.`,
);

child.kill("SIGTERM");
const status = await child.status;
await draining;
print(`Daemon exited with code ${status.code} after ${logLines} log lines.`);
await double.close();
await Deno.remove(directory, { recursive: true });

const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  print("\nPart 2: the same daemon in this process, heap in use after garbage collection.");
  await using inProcess = await PolluxDouble.start();
  inProcess.recordRequests = false;
  const daemon = new Daemon({
    api: new PolluxClient({ host: inProcess.url, key: "bench-key" }),
    registration: {
      name: "bench",
      domain: "default",
      machine: "02:00:00:00:00:01",
      machineName: "bench",
      concurrencyLimit: 10,
    },
    logger: new StreamLogger({ write: () => {}, level: "info" }),
    startRun,
    modules: { providerFor: () => builtinProvider, reload: () => {} },
    pollInterval: 1000,
    updateInterval: 5000,
    shutdownGracePeriod: 10_000,
    shutdownReportTimeout: 10_000,
    maxBufferedLogLines: 10_000,
    retry: { initialDelay: 500, maxDelay: 30_000 },
  });
  const running = daemon.run();
  const record = await inProcess.waitFor(
    "the registration",
    () => inProcess.daemonsNamed("bench")[0],
  );
  await runBatches(record, () => {
    gc();
    return `heap used ${(Deno.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MiB after GC`;
  }, inProcess);
  daemon.stop("the benchmark ended");
  await running;
} else {
  print(
    "\nPart 2 skipped: run with --v8-flags=--expose-gc to see the heap after garbage collection.",
  );
}

/**
 * Queues `total` trivial runs in batches of 1,000, waits for each batch,
 * prints its rate and, at each checkpoint, what `measure` returns.
 * Returns the elapsed seconds.
 */
async function runBatches(
  daemon: DaemonRecord,
  measure: () => string,
  target: PolluxDouble = double,
): Promise<number> {
  let done = 0;
  const started = performance.now();
  while (done < total) {
    const size = Math.min(batch, total - done);
    const ids = Array.from({ length: size }, () => target.queueRun(FLOWS.trivial));
    const batchStart = performance.now();
    await target.waitFor(
      `${size} completed runs`,
      () => ids.every((id) => target.instances.get(id)?.state === "state_completed") || undefined,
      120_000,
    );
    const seconds = (performance.now() - batchStart) / 1000;
    done += size;
    // Free the double's memory: only the daemon's is measured.
    for (const id of ids) target.instances.delete(id);
    target.flows.clear();
    daemon.logs.length = 0;
    daemon.reportedFlowInstances.length = 0;

    const line = `${done} runs: last ${size} at ${(size / seconds).toFixed(0)} runs/s`;
    if (checkpoints.includes(done)) {
      print(`${line}; ${measure()}`);
    } else {
      print(line);
    }
  }
  return (performance.now() - started) / 1000;
}
