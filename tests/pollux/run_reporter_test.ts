import { Float } from "../../engine/values.ts";
import { PolluxClient } from "../../pollux/client.ts";
import { type LogRecord, StreamLogger } from "../../pollux/logger.ts";
import { RunReporter, type RunReporterOptions } from "../../pollux/run_reporter.ts";
import { assertEquals, assertMatch } from "./_assert.ts";
import { PolluxDouble } from "./double.ts";

/** Registers a daemon with the double and hands a run out to it; returns the run id and a client. */
async function runningInstance(
  double: PolluxDouble,
): Promise<{ runId: string; client: PolluxClient }> {
  const client = new PolluxClient({ host: double.url, key: "k", timeout: 1000 });
  const daemonId = await client.register({
    name: "reporter-test",
    domain: "default",
    machine: "02:00:00:00:00:01",
    machineName: "m",
    concurrencyLimit: 1,
  });
  const runId = double.queueRun({ nodes: [], links: [] });
  await client.poll(daemonId, { flowInstances: 0, logs: [] });
  return { runId, client };
}

function reporterFor(
  runId: string,
  client: PolluxClient,
  overrides: Partial<RunReporterOptions> = {},
): { reporter: RunReporter; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = new StreamLogger({ write: () => {}, level: "debug" });
  logger.addListener((record) => records.push(record));
  const reporter = new RunReporter({
    runId,
    api: client,
    logger,
    updateInterval: 20,
    maxBufferedLogLines: 1000,
    retry: { initialDelay: 10, maxDelay: 50 },
    onEndedInPollux: () => {},
    ...overrides,
  });
  return { reporter, records };
}

const line = (message: string) => ({ time: Date.now(), message });
const failedRequests = (double: PolluxDouble, suffix: string) =>
  double.requestsTo(suffix).filter((request) => request.status >= 500).length;

Deno.test("RunReporter sends each line once across failed updates", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { reporter } = reporterFor(runId, client);
  let environment: Record<string, unknown> = { step: 1 };

  reporter.log(line("one"));
  reporter.log(line("two"));
  reporter.startUpdates(() => environment);
  await double.waitFor(
    "an update with the first lines",
    () => double.runLogs(runId).length === 2 || undefined,
  );

  await double.fail("error500");
  reporter.log(line("three"));
  environment = { step: 2 };
  await double.waitFor(
    "two failed updates",
    () => failedRequests(double, "/update") >= 2 || undefined,
  );
  await double.recover();
  reporter.log(line("four"));
  await double.waitFor(
    "an update after the outage",
    () => double.runLogs(runId).includes("three") || undefined,
  );

  reporter.log(line("five"));
  assertEquals(
    await reporter.finish({ kind: "complete" }, { step: 3 }, new AbortController().signal),
    "delivered",
  );
  assertEquals(double.runLogs(runId), ["one", "two", "three", "four", "five"]);
  assertEquals(double.instances.get(runId)?.completions, 1);
  assertEquals(double.instances.get(runId)?.environment, '{"step":3}');
});

Deno.test("RunReporter retries the final report until accepted", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { reporter, records } = reporterFor(runId, client);

  reporter.log(line("only line"));
  await double.fail("error500");
  const finishing = reporter.finish(
    { kind: "error", message: "Node 'a' failed" },
    {},
    new AbortController().signal,
  );
  await double.waitFor(
    "three failed final reports",
    () => failedRequests(double, "/error") >= 3 || undefined,
  );
  await double.recover();

  assertEquals(await finishing, "delivered");
  assertEquals(double.instances.get(runId)?.errors, ["Node 'a' failed"]);
  assertEquals(double.runLogs(runId), ["only line"]);
  const warnings = records.filter((record) => record.level === "warn");
  assertEquals(warnings.length, 1, "one warning per outage, the rest at debug");
  assertMatch(
    records.at(-1)?.message ?? "",
    /accepted the final report .* after \d+ failed attempt\(s\)/,
  );
});

Deno.test("RunReporter bounds its lines and says how many it dropped", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { reporter } = reporterFor(runId, client, { maxBufferedLogLines: 5 });

  await double.fail("html");
  for (let n = 1; n <= 20; n++) reporter.log(line(`line ${n}`));
  const finishing = reporter.finish({ kind: "complete" }, {}, new AbortController().signal);
  await double.waitFor(
    "a failed final report",
    () => failedRequests(double, "/complete") >= 1 || undefined,
  );
  await double.recover();

  assertEquals(await finishing, "delivered");
  const logs = double.runLogs(runId);
  assertEquals(logs.slice(0, 5), ["line 1", "line 2", "line 3", "line 4", "line 5"]);
  assertEquals(logs.length, 6);
  assertMatch(logs[5] ?? "", /^15 log lines were dropped here because Pollux could not be reached/);
});

Deno.test("RunReporter gives up on an unknown run", async () => {
  await using double = await PolluxDouble.start();
  const { client } = await runningInstance(double);
  const { reporter, records } = reporterFor("f".repeat(40), client);
  assertEquals(
    await reporter.finish({ kind: "complete" }, {}, new AbortController().signal),
    "unknown-run",
  );
  assertMatch(records.at(-1)?.message ?? "", /has no run f{40} any more/);
});

Deno.test("RunReporter makes one attempt once abandoned", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { reporter } = reporterFor(runId, client);
  await double.fail("error500");
  const abandon = new AbortController();
  abandon.abort();

  assertEquals(await reporter.finish({ kind: "complete" }, {}, abandon.signal), "abandoned");
  assertEquals(failedRequests(double, "/complete"), 1);
});

Deno.test("RunReporter reports a run that Pollux ended", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { promise: ended, resolve } = Promise.withResolvers<string>();
  const { reporter } = reporterFor(runId, client, { onEndedInPollux: resolve });

  reporter.startUpdates(() => ({}));
  double.endInstance(runId, "state_completed");
  assertEquals(await ended, "Pollux reports the run as state_completed");

  reporter.log(line("last words"));
  assertEquals(
    await reporter.finish({ kind: "update" }, {}, new AbortController().signal),
    "delivered",
  );
  assertEquals(double.runLogs(runId), ["last words"]);
  assertEquals(double.instances.get(runId)?.completions, 0);
});

Deno.test("RunReporter keeps floats as 7.0 in the environment", async () => {
  await using double = await PolluxDouble.start();
  const { runId, client } = await runningInstance(double);
  const { reporter } = reporterFor(runId, client);
  assertEquals(
    await reporter.finish(
      { kind: "complete" },
      { total: new Float(7), count: 3 },
      new AbortController().signal,
    ),
    "delivered",
  );
  const status = JSON.parse(double.requestsTo("/complete")[0]?.form.status ?? "{}");
  assertEquals(status.environment, '{"total":7.0,"count":3}');
});
