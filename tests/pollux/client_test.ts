import { PolluxClient } from "../../pollux/client.ts";
import { PolluxError } from "../../pollux/errors.ts";
import {
  assert,
  assertEquals,
  assertNotIncludes,
  assertRejects,
  assertStringIncludes,
} from "./_assert.ts";
import { PolluxDouble } from "./double.ts";

const KEY = "client-test-key-91c2";

function clientFor(double: PolluxDouble, timeout = 2000): PolluxClient {
  return new PolluxClient({ host: double.url + "/", key: KEY, timeout });
}

const REGISTRATION = {
  name: "build-2",
  domain: "default",
  machine: "02:00:00:00:00:01",
  machineName: "Build server 2",
  concurrencyLimit: 3,
};

Deno.test("PolluxClient registers and polls with form fields", async () => {
  await using double = await PolluxDouble.start();
  const client = clientFor(double);

  const id = await client.register(REGISTRATION);
  const daemon = double.daemons.get(id);
  assertEquals(daemon?.name, "build-2");
  assertEquals(daemon?.machineName, "Build server 2");
  assertEquals(daemon?.settings, { concurrent_execution_limit: 3 });
  assertEquals(double.requests[0]?.headers["x-api-key"], KEY);

  const runId = double.queueRun({ nodes: [], links: [] }, { environment: { who: "world" } });
  double.queueCommand(id, "reload");
  const response = await client.poll(id, {
    flowInstances: 0,
    logs: [{ time: 1, message: "Daemon started" }],
  });
  assertEquals(response, {
    state: "state_running",
    runs: [{ id: runId, flow: { nodes: [], links: [] }, environment: { who: "world" } }],
    commands: [{ command: "reload", settings: [] }],
  });
  assertEquals(JSON.parse(double.requests[1]?.form.status ?? ""), {
    flow_instances: 0,
    logs: [{ time: 1, message: "Daemon started" }],
  });
  assertEquals(daemon?.logs, [{ time: 1, message: "Daemon started" }]);

  await client.unregister(id, { flowInstances: 0, logs: [] });
  assertEquals(daemon?.state, "state_dead");
});

Deno.test("PolluxClient sends the environment as JSON text inside the status", async () => {
  await using double = await PolluxDouble.start();
  const client = clientFor(double);
  const id = await client.register(REGISTRATION);
  const runId = double.queueRun({ nodes: [], links: [] });
  await client.poll(id, { flowInstances: 0, logs: [] });

  const state = await client.updateRun(runId, {
    environment: { a: "é/1" },
    logs: [{ time: 5, message: "m" }],
  });
  assertEquals(state, "state_running");
  const status = JSON.parse(double.requests.at(-1)?.form.status ?? "");
  assertEquals(typeof status.environment, "string");
  assertEquals(JSON.parse(status.environment), { a: "é/1" });

  await client.failRun(runId, { environment: {}, logs: [] }, "Node 'a' failed");
  assertEquals(double.instances.get(runId)?.errors, ["Node 'a' failed"]);
  assertEquals(double.instances.get(runId)?.state, "state_error");

  await client.completeRun(runId, { environment: { done: true }, logs: [] });
  assertEquals(double.instances.get(runId)?.environment, '{"done":true}');
  assertEquals(await client.updateRun(runId, { environment: {}, logs: [] }), "state_completed");
});

Deno.test("PolluxClient reads modules and libraries", async () => {
  await using double = await PolluxDouble.start();
  const client = clientFor(double);
  double.modules.set("demo.hello", "source of demo.hello");
  double.libs.set("demo_lib", "source of demo_lib");

  assertEquals(await client.exists("module", "demo.hello"), true);
  assertEquals(await client.exists("module", "demo"), false);
  assertEquals(await client.exists("lib", "demo_lib"), true);
  assertEquals(await client.hash("module", "demo.hello"), await sha1("source of demo.hello"));
  assertEquals(await client.hash("lib", "missing"), null);
  assertEquals(await client.download("lib", "demo_lib"), "source of demo_lib");
  assertEquals(await client.download("module", "missing"), null);
  assertEquals(double.requests[0]?.query, { module_id: "demo.hello" });
});

Deno.test("PolluxClient turns failures into PolluxError", async (t) => {
  await using double = await PolluxDouble.start();
  const client = clientFor(double, 300);
  const id = await client.register(REGISTRATION);
  const poll = () => client.poll(id, { flowInstances: 0, logs: [] });

  await t.step("unknown id", async () => {
    const error = await assertRejects(
      () => client.poll("f".repeat(40), { flowInstances: 0, logs: [] }),
      PolluxError,
    );
    assertEquals(error.status, 404);
    assert(error.isUnknownId, "a 404 from Pollux means the id is unknown");
    assertStringIncludes(error.message, "Aucune instance ne correspond");
    assertEquals(error.endpoint, `/api/daemons/i/${"f".repeat(40)}/fetch`);
  });

  const cases: [Parameters<PolluxDouble["fail"]>[0], number | undefined, string][] = [
    ["error500", 500, "rejected POST"],
    ["html", 502, "a body that is not JSON: '<html>"],
    ["hang", undefined, "timed out after 300 ms"],
    ["refuse", undefined, "failed"],
  ];
  for (const [mode, status, message] of cases) {
    await t.step(mode, async () => {
      await double.fail(mode);
      try {
        const error = await assertRejects(poll, PolluxError);
        assertEquals(error.status, status);
        assertEquals(error.isUnknownId, false);
        assertStringIncludes(error.message, message);
        assertNotIncludes(error.message, KEY);
      } finally {
        await double.recover();
      }
    });
  }

  await t.step("unknown route", async () => {
    const wrong = new PolluxClient({ host: double.url + "/nowhere", key: KEY });
    const error = await assertRejects(() => wrong.register(REGISTRATION), PolluxError);
    assertEquals(error.status, 404);
    assertEquals(error.isUnknownId, false, "an HTML 404 is not Pollux rejecting an id");
    assertStringIncludes(error.message, "'Not Found'");
  });
});

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
