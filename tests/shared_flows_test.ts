/**
 * The reference flows kept beside the project (`../shared/flows`), each run
 * through `castor run --json` and compared with the outcome recorded in its
 * `castor.json`.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { castor, projectPath, readJsonLines, spawnCastor } from "./_cli.ts";

interface Expected {
  outcome: "completed" | "error" | "refused" | "cancelled_by_test";
  error_node: string | null;
  error_mentions: string[];
  user_logs: string[] | null;
  user_logs_order: "exact" | "any";
  user_log_patterns?: string[];
  user_logs_allowed?: string[];
  exit_value: unknown;
  environment: Record<string, unknown> | null;
  environment_patterns?: Record<string, string>;
  restart_limit: number | null;
}

const root = projectPath("../shared/flows");
const cases: string[] = [];
try {
  for (const entry of Deno.readDirSync(root)) {
    if (entry.isDirectory) cases.push(entry.name);
  }
} catch {
  // Without the shared folder there is nothing to compare, and the next test fails.
}
cases.sort();

function textOf(value: unknown): string {
  if (typeof value === "number" && Number.isInteger(value)) return `${value}`;
  if (typeof value === "number") return JSON.stringify(value);
  return String(value);
}

function sameNumberOrValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "number") return Number(actual) === expected;
  return JSON.stringify(actual) === JSON.stringify(expected);
}

Deno.test({
  name: "reference flows folder is present",
  fn: () => ok(cases.length > 0, `no flows found in ${root}`),
});

for (const name of cases) {
  Deno.test(`reference flow ${name} gives its recorded outcome`, async () => {
    const dir = `${root}/${name}`;
    const expected: Expected = JSON.parse(await Deno.readTextFile(`${dir}/castor.json`));
    if (expected.outcome === "cancelled_by_test") {
      await checkCancelled(dir, expected);
      return;
    }
    const args = ["run", "--flow", `${dir}/flow.json`, "--json"];
    try {
      await Deno.stat(`${dir}/env.json`);
      args.push("--environment-file", `${dir}/env.json`);
    } catch { /* no initial environment */ }
    const { code, lines, stderr } = await castor(args);
    const result = lines.at(-1) as Record<string, unknown>;
    equal(result?.type, "result", `last line is not the result; stderr: ${stderr}`);
    equal(result.outcome, expected.outcome);
    equal(code, { completed: 0, error: 1, refused: 2 }[expected.outcome]);

    const logs = lines.filter((l) => l.type === "log").map((l) => String(l.message));
    if (expected.user_logs) {
      if (expected.user_logs_order === "any") {
        deepStrictEqual([...logs].sort(), [...expected.user_logs].sort());
      } else deepStrictEqual(logs, expected.user_logs);
    }
    for (const [i, pattern] of (expected.user_log_patterns ?? []).entries()) {
      ok(new RegExp(pattern).test(logs[i] ?? ""), `log ${i} ${logs[i]} does not match ${pattern}`);
    }

    if (expected.outcome === "error") {
      const error = result.error as { node: string; message: string };
      equal(error.node, expected.error_node);
      for (const mention of expected.error_mentions) {
        ok(error.message.includes(mention), `error lacks ${mention}: ${error.message}`);
      }
    }
    if (expected.outcome === "refused") {
      const problems = JSON.stringify(result.problems);
      for (const mention of expected.error_mentions) {
        ok(problems.includes(mention), `problems lack ${mention}: ${problems}`);
      }
    }
    if (expected.exit_value !== null) {
      const exitText = textOf(expected.exit_value);
      const notices = lines.filter((l) => l.type === "notice").map((l) => String(l.message));
      ok(
        notices.some((n) => n.includes(exitText)),
        `no exit notice with ${exitText}: ${notices.join(" | ")}`,
      );
    }
    if (expected.environment) {
      const environment = result.environment as Record<string, unknown>;
      deepStrictEqual(Object.keys(environment).sort(), Object.keys(expected.environment).sort());
      for (const [key, value] of Object.entries(expected.environment)) {
        const pattern = expected.environment_patterns?.[key];
        if (pattern) {
          ok(new RegExp(pattern).test(String(environment[key])), `${key}=${environment[key]}`);
        } else {ok(
            sameNumberOrValue(environment[key], value),
            `${key}: ${JSON.stringify(environment[key])} != ${JSON.stringify(value)}`,
          );}
      }
    }
  });
}

// A flow that restarts forever: run it, interrupt it with SIGINT after the
// recorded number of restarts, and expect it to report itself cancelled.
async function checkCancelled(dir: string, expected: Expected): Promise<void> {
  const args = ["run", "--flow", `${dir}/flow.json`, "--json"];
  try {
    await Deno.stat(`${dir}/env.json`);
    args.push("--environment-file", `${dir}/env.json`);
  } catch { /* no initial environment */ }
  const child = spawnCastor(args);
  const stderr = new Response(child.stderr).text();
  let restarts = 0;
  const lines = await readJsonLines(child, (line) => {
    const isRestart = line.type === "notice" && String(line.message).startsWith("restart");
    if (isRestart && ++restarts === (expected.restart_limit ?? 1)) child.kill("SIGINT");
  });
  const status = await child.status;
  await stderr;
  equal(status.code, 130);
  equal(lines.at(-1)?.outcome, "cancelled");
  const logs = lines.filter((l) => l.type === "log").map((l) => String(l.message));
  ok(logs.length > 0);
  for (const line of logs) ok(expected.user_logs_allowed?.includes(line), `unexpected log ${line}`);
}
