/**
 * Builds the single executable with `deno compile` and runs it. Compiling
 * needs a Deno runtime (denort) that `deno compile` would otherwise download,
 * so the test runs only when DENORT_BIN points to one.
 */

import { equal, match } from "node:assert/strict";
import { projectPath } from "./_cli.ts";

const denort = Deno.env.get("DENORT_BIN");
const reason =
  "skipped: DENORT_BIN is not set, and deno compile cannot download its runtime offline";

if (!denort) {
  // deno-lint-ignore no-console
  console.log(`compile test ${reason}`);
}

Deno.test({
  name: denort
    ? "compiled castor runs the hello example"
    : `compiled castor runs the hello example (${reason})`,
  ignore: !denort,
  async fn() {
    const output = projectPath("dist/castor");
    try {
      const compile = await new Deno.Command(Deno.execPath(), {
        args: ["task", "compile"],
        cwd: projectPath(""),
        env: { DENORT_BIN: denort! },
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(compile.code, 0, new TextDecoder().decode(compile.stderr));
      const run = await new Deno.Command(output, {
        args: [
          "run",
          "--flow",
          projectPath("examples/hello.json"),
          "--environment",
          '{"who": "binary"}',
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(run.code, 0, new TextDecoder().decode(run.stderr));
      match(new TextDecoder().decode(run.stdout), /Hello binary!/);
    } finally {
      await Deno.remove(output).catch(() => {});
    }
  },
});
