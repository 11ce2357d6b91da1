import { startRun } from "../../engine/run.ts";
import type { ComponentProvider } from "../../engine/types.ts";
import { builtinProvider } from "../../nodes/mod.ts";
import { PolluxClient } from "../../pollux/client.ts";
import { Daemon, type DaemonModules, type DaemonOptions } from "../../pollux/daemon.ts";
import { type LogRecord, StreamLogger } from "../../pollux/logger.ts";
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { FLOWS } from "./_daemon_process.ts";
import { PolluxDouble } from "./double.ts";

const builtins: DaemonModules = { providerFor: () => builtinProvider, reload: () => {} };

/** Runs a daemon in this process against the double; `stop()` stops it and waits for the end. */
function startDaemon(double: PolluxDouble, overrides: Partial<DaemonOptions> = {}) {
  const records: LogRecord[] = [];
  const logger = new StreamLogger({ write: () => {}, level: "debug" });
  logger.addListener((record) => records.push(record));
  const daemon = new Daemon({
    api: new PolluxClient({ host: double.url, key: "k", timeout: 1000 }),
    registration: {
      name: "in-process",
      domain: "default",
      machine: "02:00:00:00:00:01",
      machineName: "m",
      concurrencyLimit: 10,
    },
    logger,
    startRun,
    modules: builtins,
    // Ten minutes: any progress within a test comes from polling at once, never from the interval.
    pollInterval: 600_000,
    updateInterval: 50,
    shutdownGracePeriod: 1000,
    shutdownReportTimeout: 1000,
    maxBufferedLogLines: 100,
    retry: { initialDelay: 10, maxDelay: 50 },
    ...overrides,
  });
  const running = daemon.run();
  return {
    daemon,
    records,
    async stop() {
      daemon.stop("the test ended");
      await running;
    },
  };
}

function completed(double: PolluxDouble, ids: string[]): Promise<true> {
  return double.waitFor(
    `${ids.length} completed runs`,
    () => ids.every((id) => double.instances.get(id)?.completions === 1) || undefined,
  );
}

Deno.test("Daemon polls again at once while runs keep coming", async () => {
  await using double = await PolluxDouble.start();
  const ids = Array.from({ length: 30 }, () => double.queueRun(FLOWS.trivial));
  const { stop } = startDaemon(double);

  await completed(double, ids);
  await stop();
  for (const id of ids) assertEquals(double.runLogs(id), ["hi"]);
});

Deno.test("Daemon at its limit polls when a slot frees", async () => {
  await using double = await PolluxDouble.start();
  const ids = Array.from({ length: 4 }, () => double.queueRun(FLOWS.slow(0.05)));
  const { stop } = startDaemon(double, {
    registration: {
      name: "one-slot",
      domain: "default",
      machine: "02:00:00:00:00:01",
      machineName: "m",
      concurrencyLimit: 1,
    },
  });

  await completed(double, ids);
  await stop();
  const daemon = double.daemonsNamed("one-slot")[0];
  assertEquals(daemon?.maxRunning, 1);
  assert(
    Math.max(...(daemon?.reportedFlowInstances ?? [])) <= 1,
    "flow_instances never above the limit",
  );
});

Deno.test("Daemon counts a run until Pollux accepts its report", async () => {
  await using double = await PolluxDouble.start();
  await double.fail("error500", (path) => path.endsWith("/complete"));
  const id = double.queueRun(FLOWS.trivial);
  const { stop } = startDaemon(double, { pollInterval: 20 });

  const daemon = await double.waitFor("a registration", () => double.daemonsNamed("in-process")[0]);
  await double.waitFor(
    "a failed report",
    () => double.requestsTo("/complete").some((r) => r.status === 500) || undefined,
  );
  const polls = daemon.reportedFlowInstances.length;
  await double.waitFor(
    "a poll during the outage",
    () => daemon.reportedFlowInstances.length > polls || undefined,
  );
  assertEquals(daemon.reportedFlowInstances.at(-1), 1, "the unreported run still counts");

  await double.recover();
  await completed(double, [id]);
  await double.waitFor(
    "a poll with the slot free",
    () => daemon.reportedFlowInstances.at(-1) === 0 || undefined,
  );
  await stop();
});

Deno.test("Daemon reloads modules on the reload command", async () => {
  await using double = await PolluxDouble.start();
  let reloads = 0;
  const { stop } = startDaemon(double, {
    pollInterval: 20,
    modules: { providerFor: () => builtinProvider, reload: () => void reloads++ },
  });
  const daemon = await double.waitFor("a registration", () => double.daemonsNamed("in-process")[0]);

  double.queueCommand(daemon.id, "reload");
  await double.waitFor(
    "the reload line",
    () => daemon.logs.some((line) => line.message.startsWith("Reloading")),
  );
  await stop();
  assertEquals(reloads, 1);
});

Deno.test("Daemon reports a run whose modules fail to load", async () => {
  await using double = await PolluxDouble.start();
  const failing: ComponentProvider = {
    open: () => Promise.reject(new Error("module acme could not be downloaded")),
  };
  const { stop } = startDaemon(double, {
    modules: {
      providerFor: (flow) => {
        if (JSON.stringify(flow).includes("acme")) {
          throw new Error("module 'acme' is not in Pollux");
        }
        return failing;
      },
      reload: () => {},
    },
  });

  const missing = double.queueRun({ nodes: [{ id: "a", component: "acme.Widget" }], links: [] });
  const broken = double.queueRun(FLOWS.trivial);
  await double.waitFor(
    "two errors",
    () =>
      [missing, broken].every((id) => double.instances.get(id)?.errors.length === 1) || undefined,
  );
  await stop();
  assertStringIncludes(
    double.instances.get(missing)?.errors[0] ?? "",
    "module 'acme' is not in Pollux",
  );
  assertStringIncludes(
    double.instances.get(broken)?.errors[0] ?? "",
    "module acme could not be downloaded",
  );
});

Deno.test("Daemon logs state_unknown once and carries on", async () => {
  await using double = await PolluxDouble.start();
  const { stop, records } = startDaemon(double, { pollInterval: 10 });
  const daemon = await double.waitFor("a registration", () => double.daemonsNamed("in-process")[0]);

  double.setDaemonState(daemon.id, "state_unknown");
  const polls = daemon.reportedFlowInstances.length;
  await double.waitFor(
    "five more polls",
    () => daemon.reportedFlowInstances.length >= polls + 5 || undefined,
  );
  const id = double.queueRun(FLOWS.trivial);
  await completed(double, [id]);
  await stop();

  const unknown = records.filter((record) => record.message.includes("state_unknown"));
  assertEquals(unknown.length, 1);
  assertEquals(unknown[0]?.level, "warn");
});
