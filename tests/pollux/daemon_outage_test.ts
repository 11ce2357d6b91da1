/**
 * End-to-end tests of `castor daemon` when things go wrong: Pollux down or
 * misbehaving, Pollux declaring the daemon dead, and stop signals.
 *
 * @module
 */

import { assert, assertEquals, assertNotIncludes, assertStringIncludes } from "./_assert.ts";
import { DaemonProcess, FLOWS, registered, TEST_KEY } from "./_daemon_process.ts";
import { type FailureMode, PolluxDouble } from "./double.ts";

Deno.test("daemon delivers every report once after an outage", async (t) => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double);
  const record = await registered(double);

  const modes: FailureMode[] = ["refuse", "error500", "html", "hang"];
  for (const mode of modes) {
    await t.step(`Pollux failing with ${mode}`, async () => {
      const id = double.queueRun(FLOWS.slow(0.4));
      await double.waitFor(
        "an update carrying the first line",
        () => double.runLogs(id).includes("begin"),
      );
      await double.fail(mode);

      await daemon.waitForLog(
        "the end of the run",
        (line) => line.message.startsWith(`Run ${id} completed`),
      );
      await daemon.waitForLog(
        "a failed final report",
        (line) => line.message.startsWith(`Sending the final report of run ${id} failed`),
      );
      await double.recover();

      await double.waitFor(
        "the completion",
        () => double.instances.get(id)?.completions === 1 || undefined,
      );
      const polls = record.reportedFlowInstances.length;
      await double.waitFor(
        "a later poll with no run in progress",
        () =>
          (record.reportedFlowInstances.length > polls &&
            record.reportedFlowInstances.at(-1) === 0) || undefined,
      );
      const instance = double.instances.get(id);
      assertEquals(instance?.state, "state_completed");
      assertEquals(instance?.completions, 1);
      assertEquals(instance?.errors, []);
      assertEquals(double.runLogs(id), ["begin", "end done"]);
    });
  }

  await t.step("the daemon's own lines arrive once", () => {
    const keys = record.logs.map((line) => `${line.time} ${line.message}`);
    assertEquals(keys.length, new Set(keys).size);
    assert(
      record.logs.some((line) => line.message.startsWith("Polling Pollux failed")),
      "outage lines arrive later",
    );
  });

  await t.step("the API key appears in no log", () => {
    assertStringIncludes(daemon.stderr, "502", "the HTML response was logged");
    assertNotIncludes(daemon.stderr, TEST_KEY);
    for (const line of record.logs) assertNotIncludes(line.message, TEST_KEY);
  });
});

Deno.test("daemon waits for Pollux at start", async () => {
  await using double = await PolluxDouble.start();
  await double.fail("refuse");
  await using daemon = await DaemonProcess.start(double);

  await daemon.waitForLog(
    "a failed registration",
    (line) => line.message.startsWith("Registering with Pollux failed"),
  );
  await double.recover();
  const record = await registered(double);

  const id = double.queueRun(FLOWS.trivial);
  await double.waitFor(
    "the run to complete",
    () => double.instances.get(id)?.completions === 1 || undefined,
  );
  assertEquals(double.instances.get(id)?.daemonId, record.id);
});

Deno.test("daemon registers again after state_dead", async () => {
  await using double = await PolluxDouble.start();
  await using _daemon = await DaemonProcess.start(double);
  const first = await registered(double);

  const id = double.queueRun(FLOWS.slow(30));
  await double.waitFor(
    "an update carrying the first line",
    () => double.runLogs(id).includes("begin"),
  );
  double.setDaemonState(first.id, "state_dead");

  const second = await registered(double, "test-daemon", 2);
  assert(second.id !== first.id, "a new instance id");
  await double.waitFor(
    "the error report of the cancelled run",
    () => double.instances.get(id)?.errors.length,
  );
  assertStringIncludes(double.instances.get(id)?.errors[0] ?? "", "dead");
  assertEquals(double.instances.get(id)?.completions, 0);

  const next = double.queueRun(FLOWS.trivial);
  await double.waitFor(
    "a run on the new instance",
    () => double.instances.get(next)?.completions === 1 || undefined,
  );
  assertEquals(double.instances.get(next)?.daemonId, second.id);
});

Deno.test("SIGTERM lets a run finish within the grace period", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double, {
    config: { daemon: { concurent_execution_limit: "1", shutdown_grace_period: "20s" } },
  });
  const record = await registered(double);

  const id = double.queueRun(FLOWS.slow(0.5));
  const waiting = double.queueRun(FLOWS.trivial);
  await double.waitFor("the run to start", () => double.runLogs(id).includes("begin"));
  daemon.kill("SIGTERM");

  assertEquals(await daemon.exitCode(), 0);
  assertEquals(double.instances.get(id)?.state, "state_completed");
  assertEquals(double.runLogs(id), ["begin", "end done"]);
  assertEquals(
    double.instances.get(waiting)?.state,
    "state_queued",
    "no run taken after the signal",
  );
  const paths = double.requests.map((request) => request.path);
  const completeAt = paths.indexOf(`/api/instances/${id}/complete`);
  const stopAt = paths.indexOf(`/api/daemons/i/${record.id}/stop`);
  assert(completeAt >= 0, "the run's report arrived");
  assert(stopAt > completeAt, "the daemon unregisters after the run's report");
});

Deno.test("SIGTERM cancels a run past the grace period", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double, {
    config: { daemon: { shutdown_grace_period: "200ms" } },
  });
  const record = await registered(double);

  const id = double.queueRun(FLOWS.slow(30));
  await double.waitFor("the run to start", () => double.runLogs(id).includes("begin"));
  daemon.kill("SIGTERM");

  assertEquals(await daemon.exitCode(), 0);
  const instance = double.instances.get(id);
  assertEquals(instance?.state, "state_error");
  assertEquals(instance?.errors.length, 1);
  assertStringIncludes(instance?.errors[0] ?? "", "stopped");
  assertStringIncludes(instance?.errors[0] ?? "", "SIGTERM");
  assertEquals(double.runLogs(id), ["begin"]);
  assertEquals(double.requestsTo("/stop", `/api/daemons/i/${record.id}`).length, 1);
});

Deno.test("second SIGTERM cancels at once", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double, {
    config: { daemon: { shutdown_grace_period: "10m" } },
  });
  await registered(double);

  const id = double.queueRun(FLOWS.slow(600));
  await double.waitFor("the run to start", () => double.runLogs(id).includes("begin"));
  daemon.kill("SIGTERM");
  await daemon.waitForLog("the first stop", (line) => line.message.startsWith("Stopping because"));
  daemon.kill("SIGTERM");

  assertEquals(await daemon.exitCode(), 0);
  assertEquals(double.instances.get(id)?.state, "state_error");
  assertStringIncludes(double.instances.get(id)?.errors[0] ?? "", "stopped");
});

Deno.test("SIGTERM during a poll reports the run it brings", async () => {
  await using double = await PolluxDouble.start();
  await using daemon = await DaemonProcess.start(double);
  const record = await registered(double);
  await double.waitFor("a first poll", () => record.reportedFlowInstances.length > 0 || undefined);

  double.hold((path) => path.endsWith("/fetch"));
  const id = double.queueRun(FLOWS.trivial);
  await double.waitFor("a poll in flight", () => double.heldRequests > 0 || undefined);
  daemon.kill("SIGTERM");
  await daemon.waitForLog("the stop", (line) => line.message.startsWith("Stopping because"));
  double.release();

  assertEquals(await daemon.exitCode(), 0);
  const instance = double.instances.get(id);
  assertEquals(instance?.daemonId, record.id, "the held poll handed the run out");
  assertEquals(instance?.state, "state_error");
  assertStringIncludes(instance?.errors[0] ?? "", "was stopping");
});
