import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { FlowError, loadFlow, parseFlowText, runFlow, validateFlow } from "../../mod.ts";
import type { Problem } from "../../mod.ts";

function paths(problems: Problem[]): string[] {
  return problems.map((problem) => problem.path);
}

function messageAt(problems: Problem[], path: string): string {
  const problem = problems.find((p) => p.path === path);
  ok(problem, `no problem at ${path}; got ${JSON.stringify(problems)}`);
  return problem.message;
}

const log = { id: "log", component: "system.Log" };

Deno.test("loadFlow rejects a missing file naming it", async () => {
  await rejects(loadFlow("/nonexistent/flow.json"), (error: FlowError) => {
    ok(error instanceof FlowError);
    equal(error.problems[0]?.message, "cannot read '/nonexistent/flow.json': no such file");
    equal(error.file, "/nonexistent/flow.json");
    return true;
  });
});

Deno.test("loadFlow rejects a directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejects(loadFlow(dir), (error: FlowError) => {
      equal(error.problems[0]?.message, `'${dir}' is a directory, not a flow file`);
      return true;
    });
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("parseFlowText rejects text that is not JSON", () => {
  try {
    parseFlowText("{ nodes: [", "broken.json");
    ok(false, "expected a FlowError");
  } catch (error) {
    ok(error instanceof FlowError);
    ok(error.problems[0]?.message.startsWith("'broken.json' is not valid JSON:"));
  }
});

Deno.test("parseFlowText rejects a document that is not an object", () => {
  for (const [text, kind] of [["[]", "a list"], ["null", "null"], ["3", "number"]]) {
    try {
      parseFlowText(text!, "f.json");
      ok(false, "expected a FlowError");
    } catch (error) {
      ok(error instanceof FlowError);
      equal(
        error.problems[0]?.message,
        `a flow must be a JSON object with "nodes" and "links", got ${kind}`,
      );
    }
  }
});

Deno.test("validateFlow accepts an editor flow with positions and tempo", async () => {
  const problems = await validateFlow({
    nodes: [{
      id: "log",
      component: "system.Log",
      inputs: { value: "x" },
      tempo: "0.1",
      custom: 1,
    }],
    links: [],
    settings: { name: "n", exec_mode: "single", environment: { inputs: [], outputs: [] } },
    positions: { log: { x: 1, y: 2 } },
  });
  deepStrictEqual(problems, []);
});

Deno.test("validateFlow rejects a missing or malformed nodes list", async () => {
  equal(
    messageAt(await validateFlow({ links: [] }), "nodes"),
    `missing: a flow needs a "nodes" list`,
  );
  equal(
    messageAt(await validateFlow({ nodes: {} }), "nodes"),
    "must be a list of node objects, got an object",
  );
  equal(
    messageAt(await validateFlow({ nodes: [3] }), "nodes[0]"),
    `must be a node object with "id" and "component", got number 3`,
  );
});

Deno.test("validateFlow rejects duplicate node ids", async () => {
  const problems = await validateFlow({ nodes: [log, { ...log }], links: [] });
  equal(messageAt(problems, "nodes[1].id"), "duplicate node id 'log': nodes[0] already uses it");
});

Deno.test("validateFlow rejects a node without id or component", async () => {
  const problems = await validateFlow({
    nodes: [{ component: "system.Log" }, { id: "x" }],
    links: [],
  });
  equal(messageAt(problems, "nodes[0].id"), "must be a non-empty text, got nothing");
  equal(
    messageAt(problems, "nodes[1].component"),
    `must be a component id such as "system.Log", got nothing`,
  );
});

Deno.test("validateFlow rejects an unknown component", async () => {
  const problems = await validateFlow({
    nodes: [{ id: "w", component: "acme.Widget" }],
    links: [],
  });
  ok(messageAt(problems, "nodes[0].component").startsWith("unknown component 'acme.Widget': "));
});

Deno.test("validateFlow rejects a link from a port that does not exist", async () => {
  const problems = await validateFlow({
    nodes: [{ id: "src", component: "system.Format1" }, log],
    links: [{ source: "src:str1", targets: ["log:value"] }],
  });
  equal(
    messageAt(problems, "links[0].source"),
    "node 'src' (system.Format1) has no output 'str1' ('str1' is an input); its outputs are: result",
  );
});

Deno.test("validateFlow rejects a link to an unknown node or port", async () => {
  const problems = await validateFlow({
    nodes: [{ id: "src", component: "system.Format1" }, log],
    links: [{ source: "src:result", targets: ["log:value", "log:nope", "ghost:value", "nocolon"] }],
  });
  deepStrictEqual(paths(problems), [
    "links[0].targets[1]",
    "links[0].targets[2]",
    "links[0].targets[3]",
  ]);
  equal(
    messageAt(problems, "links[0].targets[1]"),
    "node 'log' (system.Log) has no input 'nope'; its inputs are: value",
  );
  equal(
    messageAt(problems, "links[0].targets[2]"),
    "no node 'ghost' in the flow (or that node has problems of its own)",
  );
  equal(
    messageAt(problems, "links[0].targets[3]"),
    `must be text "nodeId:port", got the text "nocolon"`,
  );
});

Deno.test("validateFlow rejects malformed links", async () => {
  const problems = await validateFlow({
    nodes: [log],
    links: [{ source: "log:value" }, "x", { source: 3, targets: [] }],
  });
  ok(paths(problems).includes("links[0].targets"));
  equal(
    messageAt(problems, "links[1]"),
    `must be an object with "source" and "targets", got the text "x"`,
  );
  equal(messageAt(problems, "links[2].source"), `must be text "nodeId:port", got number 3`);
  equal(
    messageAt(problems, "links[2].targets"),
    `must be a non-empty list of "nodeId:port", got a list`,
  );
});

Deno.test("validateFlow rejects a preset for an input that does not exist", async () => {
  const problems = await validateFlow({
    nodes: [{ id: "log", component: "system.Log", inputs: { valeu: "x" } }],
    links: [],
  });
  equal(
    messageAt(problems, "nodes[0].inputs.valeu"),
    "system.Log has no input 'valeu'; its inputs are: value",
  );
});

Deno.test("validateFlow rejects settings of the wrong shape", async () => {
  const problems = await validateFlow({
    nodes: [
      { id: "sw", component: "logic.Switch", cases: "equals" },
      { id: "sw2", component: "logic.Switch", cases: [{ test: "1", value: "x" }, 5] },
      { id: "split", component: "logic.Splitter", case: [] },
      { id: "log", component: "system.Log", template: 3 },
      { id: "sleep", component: "system.Sleep", duration: "soon" },
      { id: "get", component: "system.Get" },
      { id: "again", component: "system.Restart", environment: "forever" },
      { id: "n", component: "system.Log", execution: -1 },
    ],
    links: [],
  });
  equal(messageAt(problems, "nodes[0].cases"), `must be a list, got the text "equals"`);
  ok(messageAt(problems, "nodes[1].cases[0].type").startsWith("must be a test type"));
  ok(messageAt(problems, "nodes[1].cases[1]").startsWith("must be an object"));
  equal(messageAt(problems, "nodes[2].case"), "must be an object, got a list");
  equal(messageAt(problems, "nodes[3].template"), "must be text, got number 3");
  equal(
    messageAt(problems, "nodes[4].duration"),
    `must be a number of seconds of 0 or more (such as 2 or "0,5"), got "soon"`,
  );
  equal(
    messageAt(problems, "nodes[5].variable_name"),
    "missing: this component needs the setting 'variable_name'",
  );
  equal(messageAt(problems, "nodes[6].environment"), `must be "keep" or "reset", got "forever"`);
  equal(
    messageAt(problems, "nodes[7].execution"),
    "must be a whole number of firings (0 for no limit), got number -1",
  );
});

Deno.test("validateFlow rejects flow settings of the wrong shape", async () => {
  equal(
    messageAt(await validateFlow({ nodes: [], settings: [] }), "settings"),
    "must be an object, got a list",
  );
  equal(
    messageAt(await validateFlow({ nodes: [], settings: { exec_mode: 1 } }), "settings.exec_mode"),
    `must be text such as "single", got number 1`,
  );
});

Deno.test("validateFlow lists every problem at once", async () => {
  const problems = await validateFlow({
    nodes: [{ id: "a", component: "acme.A" }, { id: "a", component: "system.Log" }],
    links: [{ source: "b:x", targets: ["a:value"] }],
  });
  deepStrictEqual(paths(problems), [
    "nodes[0].component",
    "nodes[1].id",
    "links[0].source",
    "links[0].targets[0]",
  ]);
});

Deno.test("runFlow refuses a bad flow before any node fires", async () => {
  const result = await runFlow({
    nodes: [
      { id: "log", component: "system.Log", inputs: { value: "must not appear" } },
      { id: "bad", component: "logic.Switch", cases: {} },
    ],
    links: [],
  }, { environment: { kept: 1 } });
  equal(result.outcome, "refused");
  deepStrictEqual(result.logs, []);
  deepStrictEqual(result.environment, { kept: 1 });
  deepStrictEqual(paths(result.problems), ["nodes[1].cases"]);
});

Deno.test("runFlow refuses an environment that is not an object", async () => {
  const result = await runFlow({ nodes: [], links: [] }, { environment: [] as never });
  equal(result.outcome, "refused");
  equal(result.problems[0]?.path, "environment");
});
