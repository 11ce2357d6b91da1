import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { castor, projectPath, readJsonLines, spawnCastor, writeFlow } from "../_cli.ts";

const hello = projectPath("examples/hello.json");

Deno.test("castor run prints the log, outcome and environment", async () => {
  const { code, stdout, stderr } = await castor([
    "run",
    "--flow",
    hello,
    "--environment",
    '{"who": "world"}',
  ]);
  equal(code, 0, stderr);
  match(stdout, /^\d\d:\d\d:\d\d\.\d{3} \[log\] Hello world!$/m);
  match(stdout, /^Outcome: completed$/m);
  match(stdout, /"greeting": "Hello world!"/);
});

Deno.test("castor run --json prints one object per line in the documented shape", async () => {
  const { code, lines } = await castor([
    "run",
    "--flow",
    hello,
    "--environment",
    '{"who": "you"}',
    "--json",
  ]);
  equal(code, 0);
  const [log, result] = lines;
  deepStrictEqual(Object.keys(log!), ["type", "time", "node", "component", "message"]);
  equal(log!.type, "log");
  equal(log!.node, "log");
  equal(log!.component, "system.Log");
  equal(log!.message, "Hello you!");
  equal(typeof log!.time, "number");
  deepStrictEqual(result, {
    type: "result",
    outcome: "completed",
    environment: { who: "you", greeting: "Hello you!" },
    error: null,
    problems: [],
  });
});

Deno.test("castor run --json marks engine lines as notices", async () => {
  const flow = await writeFlow({
    nodes: [{ id: "idle", component: "system.Log" }, {
      id: "bye",
      component: "system.Exit",
      inputs: { value: "done" },
    }],
    links: [],
  });
  const { code, lines } = await castor(["run", "--flow", flow, "--json"]);
  equal(code, 0);
  deepStrictEqual(lines.slice(0, 2).map((l) => [l.type, l.node, l.message]), [
    ["notice", "idle", "disabled: none of its inputs is linked or preset"],
    ["notice", "bye", "exit: done"],
  ]);
});

Deno.test("castor run exits 1 on a node error and names it", async () => {
  const flow = await writeFlow({
    nodes: [
      { id: "first", component: "system.Log", inputs: { value: "before" } },
      { id: "div", component: "math.Division", inputs: { a: "1", b: "0" } },
    ],
    links: [],
  });
  const text = await castor(["run", "--flow", flow]);
  equal(text.code, 1);
  match(text.stdout, /\[first\] before/);
  match(text.stderr, /node 'div' \(math\.Division\) failed: division by zero/);
  const json = await castor(["run", "--flow", flow, "--json"]);
  equal(json.code, 1);
  const result = json.lines.at(-1)!;
  equal(result.outcome, "error");
  deepStrictEqual(Object.keys(result.error as object), ["node", "component", "message"]);
});

Deno.test("castor run exits 2 for a refused flow and lists its problems", async () => {
  const flow = await writeFlow({ nodes: [{ id: "w", component: "acme.Widget" }], links: [] });
  const text = await castor(["run", "--flow", flow]);
  equal(text.code, 2);
  match(
    text.stderr,
    /cannot run: 1 problem\n {2}nodes\[0\]\.component: unknown component 'acme\.Widget'/,
  );
  const json = await castor(["run", "--flow", flow, "--json"]);
  equal(json.code, 2);
  equal(json.lines.length, 1);
  equal(json.lines[0]!.outcome, "refused");
  equal((json.lines[0]!.problems as { path: string }[])[0]!.path, "nodes[0].component");
});

Deno.test("castor run exits 2 for a missing flow file", async () => {
  const { code, stderr } = await castor(["run", "--flow", "/nonexistent/flow.json"]);
  equal(code, 2);
  match(stderr, /cannot read '\/nonexistent\/flow\.json': no such file/);
});

Deno.test("castor run exits 2 without --flow", async () => {
  const { code, stderr } = await castor(["run"]);
  equal(code, 2);
  match(stderr, /--flow: missing --flow FILE/);
});

Deno.test("castor run rejects an environment that is not a JSON object", async () => {
  for (
    const [value, message] of [
      ["[1]", '--environment must be a JSON object such as {"who": "world"}, got a list'],
      ["42", '--environment must be a JSON object such as {"who": "world"}, got 42'],
      ["{oops", "--environment is not valid JSON"],
    ]
  ) {
    const { code, lines } = await castor([
      "run",
      "--flow",
      hello,
      "--environment",
      value!,
      "--json",
    ]);
    equal(code, 2);
    const problem = (lines[0]!.problems as { path: string; message: string }[])[0]!;
    equal(problem.path, "--environment");
    ok(problem.message.startsWith(message!), problem.message);
  }
});

Deno.test("castor run reads --environment-file and lets --environment override it", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, '{"who": "file", "extra": 1.0}');
  const { code, lines } = await castor([
    "run",
    "--flow",
    hello,
    "--environment-file",
    file,
    "--environment",
    '{"who": "text"}',
    "--json",
  ]);
  equal(code, 0);
  equal(lines[0]!.message, "Hello text!");
  deepStrictEqual(lines.at(-1)!.environment, { who: "text", extra: 1, greeting: "Hello text!" });
});

Deno.test("castor run keeps floats of the environment file as floats", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, '{"who": 2.0}');
  const { stdout } = await castor(["run", "--flow", hello, "--environment-file", file]);
  match(stdout, /Hello 2\.0!/);
});

Deno.test("castor run rejects a missing environment file", async () => {
  const { code, stderr } = await castor([
    "run",
    "--flow",
    hello,
    "--environment-file",
    "/nonexistent/env.json",
  ]);
  equal(code, 2);
  match(
    stderr,
    /--environment-file: cannot read environment file '\/nonexistent\/env\.json': no such file/,
  );
});

Deno.test("castor run rejects an unknown option", async () => {
  const { code, stderr } = await castor(["run", "--flow", hello, "--frobnicate"]);
  equal(code, 2);
  match(stderr, /frobnicate/);
});

Deno.test("castor run exits 130 on Ctrl-C and still prints the log and environment", async () => {
  const flow = await writeFlow({
    nodes: [
      { id: "set", component: "system.Set", variable_name: "step", inputs: { value: "started" } },
      { id: "first", component: "system.Log", inputs: { value: "waiting" } },
      { id: "wait", component: "system.Sleep", inputs: { value: "x" }, duration: 3600 },
      { id: "never", component: "system.Log" },
    ],
    links: [{ source: "wait:value", targets: ["never:value"] }],
  });
  const child = spawnCastor(["run", "--flow", flow, "--json"]);
  const lines = await readJsonLines(child, (line) => {
    if (line.message === "waiting") child.kill("SIGINT");
  });
  const status = await child.status;
  await child.stderr.cancel();
  equal(status.code, 130);
  const result = lines.at(-1)!;
  equal(result.outcome, "cancelled");
  deepStrictEqual(result.environment, { step: "started" });
  equal(lines[0]!.message, "waiting");
});

Deno.test("castor validate exits 0 for a valid flow and 2 with every problem", async () => {
  const valid = await castor(["validate", "--flow", hello]);
  equal(valid.code, 0);
  match(valid.stdout, /is valid/);
  const flow = await writeFlow({
    nodes: [{ id: "a", component: "system.Log" }, { id: "a", component: "acme.X" }],
    links: [{ source: "a:value", targets: ["b:value"] }],
  });
  const invalid = await castor(["validate", "--flow", flow, "--json"]);
  equal(invalid.code, 2);
  equal(invalid.lines[0]!.valid, false);
  deepStrictEqual(
    (invalid.lines[0]!.problems as { path: string }[]).map((p) => p.path),
    ["nodes[1].id", "nodes[1].component", "links[0].source", "links[0].targets[0]"],
  );
});

Deno.test("castor --help, run --help and --version describe the tool", async () => {
  const help = await castor(["--help"]);
  equal(help.code, 0);
  match(help.stdout, /Exit codes:/);
  match(help.stdout, /130 {2}cancelled/);
  const runHelp = await castor(["run", "--help"]);
  equal(runHelp.code, 0);
  match(runHelp.stdout, /--environment-file FILE/);
  const version = await castor(["--version"]);
  equal(version.code, 0);
  match(version.stdout, /^castor \d+\.\d+\.\d+/);
});

Deno.test("castor rejects an unknown command", async () => {
  const { code, stderr } = await castor(["fly"]);
  equal(code, 2);
  match(stderr, /unknown command 'fly'/);
});
