import { deepStrictEqual, equal, match } from "node:assert/strict";
import { castor, projectPath, writeFlow } from "../_cli.ts";

const fixtures = projectPath("tests/modules/fixtures");

Deno.test("castor run --modules runs a local module sandboxed", async () => {
  const flow = await writeFlow({
    nodes: [
      { id: "echo", component: "acme.echo.Echo", inputs: { value: "hi" }, prefix: "got" },
      { id: "log", component: "system.Log" },
    ],
    links: [{ source: "echo:value", targets: ["log:value"] }],
  });
  const { code, lines, stderr } = await castor([
    "run",
    "--flow",
    flow,
    "--modules",
    fixtures,
    "--json",
  ]);
  equal(code, 0, stderr);
  deepStrictEqual(
    lines.filter((l) => l.type === "log").map((l) => [l.node, l.message]),
    [["echo", 'got "hi"'], ["log", "hi"]],
  );
  deepStrictEqual(lines.at(-1)!.environment, { echoed: 1 });
});

Deno.test("castor run fails the run of a module denied a file", async () => {
  const flow = await writeFlow({
    nodes: [{ id: "steal", component: "hostile.passwd.Read", inputs: { value: "x" } }],
    links: [],
  });
  const { code, lines } = await castor(["run", "--flow", flow, "--modules", fixtures, "--json"]);
  equal(code, 1);
  const error = lines.at(-1)!.error as { node: string; message: string };
  equal(error.node, "steal");
  match(error.message, /\/etc\/passwd/);
});

Deno.test("castor validate --modules knows local components", async () => {
  const flow = await writeFlow({
    nodes: [{ id: "echo", component: "acme.echo.Echo", inputs: { valeu: 1 } }],
    links: [],
  });
  const { code, lines } = await castor([
    "validate",
    "--flow",
    flow,
    "--modules",
    fixtures,
    "--json",
  ]);
  equal(code, 2);
  deepStrictEqual(lines[0]!.problems, [{
    path: "nodes[0].inputs.valeu",
    message: "acme.echo.Echo has no input 'valeu'; its inputs are: value",
  }]);
});

Deno.test("castor run rejects a missing configuration file", async () => {
  const flow = projectPath("examples/hello.json");
  const { code, stderr } = await castor([
    "run",
    "--flow",
    flow,
    "--config",
    "/nonexistent/castor.ini",
  ]);
  equal(code, 2);
  match(stderr, /--config: \/nonexistent\/castor\.ini/);
});
