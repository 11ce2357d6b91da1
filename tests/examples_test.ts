import { deepStrictEqual, equal } from "node:assert/strict";
import { castor, projectPath } from "./_cli.ts";

async function runExample(name: string, extra: string[] = []) {
  const result = await castor([
    "run",
    "--flow",
    projectPath(`examples/${name}.json`),
    "--json",
    ...extra,
  ]);
  const logs = result.lines.filter((l) => l.type === "log").map((l) => l.message);
  const notices = result.lines.filter((l) => l.type === "notice").map((l) => l.message);
  return { ...result, logs, notices, final: result.lines.at(-1)! };
}

Deno.test("example hello greets from the environment", async () => {
  const run = await runExample("hello", ["--environment", '{"who": "world"}']);
  equal(run.code, 0);
  deepStrictEqual(run.logs, ["Hello world!"]);
  deepStrictEqual(run.final.environment, { who: "world", greeting: "Hello world!" });
});

Deno.test("example arithmetic prints floats as the editor expects", async () => {
  const run = await runExample("arithmetic");
  equal(run.code, 0);
  deepStrictEqual(run.logs, ["(7 + 2.5) * 4 / 2 = 19.0; 100 - that = 81.0"]);
  deepStrictEqual(run.final.environment, { result: 19 });
});

Deno.test("example decision takes the branch of the temperature", async () => {
  const hot = await runExample("decision", ["--environment", '{"temperature": 31}']);
  deepStrictEqual(hot.logs, ["It is hot (31 °C)"]);
  equal((hot.final.environment as Record<string, unknown>).alert, "alert: 31 °C is too hot");
  const mild = await runExample("decision", ["--environment", '{"temperature": "18"}']);
  deepStrictEqual(mild.logs, ["It is mild (18 °C)", "18 °C is within limits"]);
  deepStrictEqual(mild.final.environment, { temperature: "18" });
});

Deno.test("example countdown loops until system.Exit", async () => {
  const run = await runExample("countdown");
  equal(run.code, 0);
  deepStrictEqual(run.logs, ["T-minus 4.0", "T-minus 3.0", "T-minus 2.0", "T-minus 1.0"]);
  equal(run.notices.at(-1), "exit: liftoff after 0.0 left");
  deepStrictEqual(run.final.environment, { laps: 5 });
});

Deno.test("example retry restarts keeping its counter", async () => {
  const run = await runExample("retry", [
    "--environment-file",
    projectPath("examples/retry.env.json"),
  ]);
  equal(run.code, 0);
  deepStrictEqual(run.logs, [
    "attempt after 0 earlier tries",
    "attempt after 1 earlier tries",
    "attempt after 2 earlier tries",
  ]);
  deepStrictEqual(run.notices, [
    "restart (environment kept): try 0 failed, retrying",
    "restart (environment kept): try 1 failed, retrying",
  ]);
  deepStrictEqual(run.final.environment, { attempts: 3, outcome: "succeeded after 2 retries" });
});
