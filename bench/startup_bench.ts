/**
 * Start-up cost of `castor run` on the hello example, against `deno eval 0`
 * in the same run: Deno's own start-up with nothing to do.
 *
 * @module
 */

const cli = new URL("../cli.ts", import.meta.url).pathname;
const hello = new URL("../examples/hello.json", import.meta.url).pathname;

async function run(args: string[]): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" })
    .output();
  if (!output.success) throw new Error(`deno ${args.join(" ")} exited with ${output.code}`);
}

Deno.bench({
  name: "deno eval 0",
  group: "start-up",
  baseline: true,
  n: 20,
  fn: () => run(["eval", "0"]),
});

Deno.bench({
  name: "castor run examples/hello.json",
  group: "start-up",
  n: 20,
  fn: () => run(["run", "-A", cli, "run", "--flow", hello, "--environment", '{"who": "world"}']),
});
