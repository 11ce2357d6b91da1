/**
 * End-to-end tests of `castor daemon` taking runs from the Pollux double:
 * registration, runs and their reports, the concurrency limit, rejected
 * flows, commands, cancellation from Pollux, and several daemons at once.
 *
 * @module
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { DaemonProcess, FLOWS, registered, TEST_KEY } from "./_daemon_process.ts";
import { PolluxDouble } from "./double.ts";

function finished(double: PolluxDouble, ids: string[]): Promise<true> {
  return double.waitFor(`${ids.length} runs to end`, () =>
    ids.every((id) => {
      const state = double.instances.get(id)?.state;
      return state === "state_completed" || state === "state_error";
    }) || undefined);
}

Deno.test("daemon registers with name, domain, machine and limit", async () => {
  await using double = await PolluxDouble.start();
  await using _daemon = await DaemonProcess.start(double, { name: "build-2", domain: "nightly" });

  const record = await registered(double, "build-2");
  const start = double.requestsTo("/api/daemons/start")[0];
  assert(start, "a registration request");
  assertEquals(start.method, "POST");
  assertEquals(start.headers["content-type"], "application/x-www-form-urlencoded");
  assertEquals(start.headers["x-api-key"], TEST_KEY);
  assertEquals(start.form.name, "build-2");
  assertEquals(start.form.domain, "nightly");
  assertEquals(start.form.machine_name, "Test machine");
  assertMatch(start.form.machine ?? "", /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assertEquals(JSON.parse(start.form.settings ?? ""), { concurrent_execution_limit: 2 });
  assertEquals(record.domain, "nightly");

  const poll = await double.waitFor(
    "a poll with a status",
    () =>
      double.requestsTo("/fetch", `/api/daemons/i/${record.id}`).find((request) =>
        request.form.status
      ),
  );
  const status = JSON.parse(poll.form.status ?? "");
  assertEquals(status.flow_instances, 0);
  assert(Array.isArray(status.logs), "the status carries the daemon's log lines");
  assertEquals(poll.headers["x-api-key"], TEST_KEY);

  await double.waitFor(
    "the daemon's start line in Pollux",
    () => record.logs.some((line) => line.message.includes("Registered with Pollux")),
  );
  const messages = record.logs.map((line) => line.message);
  assertEquals(
    messages.length,
    new Set(messages.map((m, i) => `${record.logs[i]?.time}${m}`)).size,
    "each line once",
  );
});

Deno.test("daemon runs a queued flow and reports logs and environment", async () => {
  await using double = await PolluxDouble.start();
  await using _daemon = await DaemonProcess.start(double);
  await registered(double);

  const flow = {
    nodes: [
      { id: "who", component: "system.Get", variable_name: "who" },
      { id: "log", component: "system.Log", template: "Hello {value}" },
      { id: "set", component: "system.Set", variable_name: "done", inputs: { value: "yes" } },
    ],
    links: [{ source: "who:value", targets: ["log:value"] }],
  };
  const id = double.queueRun(flow, { environment: { who: "world" } });
  await finished(double, [id]);

  const instance = double.instances.get(id);
  assertEquals(instance?.state, "state_completed");
  assertEquals(instance?.completions, 1);
  assertEquals(instance?.errors, []);
  assertEquals(double.runLogs(id), ["Hello world"]);
  assertEquals(JSON.parse(instance?.environment ?? "null"), { who: "world", done: "yes" });
});

Deno.test("daemon keeps to its limit with more runs than slots", async () => {
  await using double = await PolluxDouble.start();
  await using _daemon = await DaemonProcess.start(double, {
    config: { daemon: { concurent_execution_limit: "2" } },
  });
  const record = await registered(double);

  const ids = Array.from({ length: 5 }, () => double.queueRun(FLOWS.slow(0.3)));
  await finished(double, ids);

  for (const id of ids) {
    assertEquals(double.instances.get(id)?.state, "state_completed", `run ${id}`);
    assertEquals(double.instances.get(id)?.completions, 1, `completions of ${id}`);
    assertEquals(double.runLogs(id), ["begin", "end done"], `logs of ${id}`);
  }
  assertEquals(record.maxRunning, 2, "most runs at once");
  assert(Math.max(...record.reportedFlowInstances) <= 2, "flow_instances never above the limit");
});

Deno.test("daemon reports a rejected flow as an error", async () => {
  await using double = await PolluxDouble.start();
  await using _daemon = await DaemonProcess.start(double);
  await registered(double);

  const unknownComponent = double.queueRun({
    nodes: [{ id: "a", component: "acme.Nope" }],
    links: [],
  });
  const notAFlow = double.queueRun("this is not a flow");
  await finished(double, [unknownComponent, notAFlow]);

  const first = double.instances.get(unknownComponent);
  assertEquals(first?.state, "state_error");
  assertEquals(first?.errors.length, 1);
  assertStringIncludes(first?.errors[0] ?? "", "nodes[0].component");
  assertStringIncludes(first?.errors[0] ?? "", "acme.Nope");
  assertEquals(double.instances.get(notAFlow)?.state, "state_error");
  assertEquals(double.instances.get(notAFlow)?.errors.length, 1);

  const after = double.queueRun(FLOWS.trivial);
  await finished(double, [after]);
  assertEquals(double.instances.get(after)?.state, "state_completed", "the daemon carries on");
});

Deno.test("daemon obeys stop and reload and ignores unknown commands", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double);
  const record = await registered(double);

  double.queueCommand(record.id, "reload");
  double.queueCommand(record.id, "frobnicate");
  await double.waitFor(
    "the reload and unknown-command lines in Pollux",
    () =>
      record.logs.some((line) => line.message.includes("Reloading modules")) &&
      record.logs.some((line) => line.message.includes("unknown command 'frobnicate'")),
  );

  const afterReload = double.queueRun(FLOWS.trivial);
  await finished(double, [afterReload]);
  assertEquals(double.instances.get(afterReload)?.state, "state_completed");

  double.queueCommand(record.id, "stop");
  assertEquals(await daemon.exitCode(), 0);
  assertEquals(record.state, "state_dead");
  const stop = double.requestsTo("/stop", `/api/daemons/i/${record.id}`);
  assertEquals(stop.length, 1);
  const lastLines = JSON.parse(stop[0]?.form.status ?? "").logs.map((line: { message: string }) =>
    line.message
  );
  assert(
    lastLines.some((message: string) => message.includes("stop command")),
    "the stop reason goes with /stop",
  );
});

Deno.test("daemon cancels a run that Pollux ended", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double);
  const record = await registered(double);

  const id = double.queueRun(FLOWS.slow(30));
  await double.waitFor(
    "an update carrying the first line",
    () => double.runLogs(id).includes("begin"),
  );
  double.endInstance(id, "state_completed");

  await daemon.waitForLog(
    "the cancellation",
    (line) => line.message.startsWith(`Run ${id} was cancelled`),
  );
  await double.waitFor(
    "a poll that counts no run in progress",
    () => record.reportedFlowInstances.at(-1) === 0 || undefined,
  );
  const instance = double.instances.get(id);
  assertEquals(instance?.state, "state_completed");
  assertEquals(instance?.completions, 0, "no /complete for a run Pollux ended");
  assertEquals(instance?.errors, [], "no /error for a run Pollux ended");
  assertEquals(double.runLogs(id), ["begin"]);
});

Deno.test("daemons on one machine keep apart", async () => {
  await using double = await PolluxDouble.start();
  await using alpha1 = await DaemonProcess.start(double, { name: "alpha-1", domain: "alpha" });
  await using alpha2 = await DaemonProcess.start(double, { name: "alpha-2", domain: "alpha" });
  await using beta = await DaemonProcess.start(double, { name: "beta-1", domain: "beta" });
  const alphaIds = [
    (await registered(double, "alpha-1")).id,
    (await registered(double, "alpha-2")).id,
  ];
  const betaId = (await registered(double, "beta-1")).id;

  const alphaRuns = Array.from(
    { length: 6 },
    () => double.queueRun(FLOWS.slow(0.1), { domain: "alpha" }),
  );
  const betaRuns = Array.from(
    { length: 3 },
    () => double.queueRun(FLOWS.slow(0.1), { domain: "beta" }),
  );
  await finished(double, [...alphaRuns, ...betaRuns]);

  for (const id of alphaRuns) {
    const instance = double.instances.get(id);
    assert(alphaIds.includes(instance?.daemonId ?? ""), `run ${id} went to an alpha daemon`);
    assertEquals(instance?.completions, 1, `completions of ${id}`);
  }
  for (const id of betaRuns) {
    assertEquals(double.instances.get(id)?.daemonId, betaId, `run ${id} went to the beta daemon`);
    assertEquals(double.instances.get(id)?.completions, 1, `completions of ${id}`);
  }

  for (const daemon of [alpha1, alpha2, beta]) daemon.kill("SIGTERM");
  for (const daemon of [alpha1, alpha2, beta]) assertEquals(await daemon.exitCode(), 0);
  for (const id of [...alphaIds, betaId]) {
    assertEquals(
      double.requestsTo("/stop", `/api/daemons/i/${id}`).length,
      1,
      `daemon ${id} unregistered once`,
    );
  }
});
