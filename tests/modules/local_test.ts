import { equal, match } from "node:assert/strict";
import { runFlow } from "../../engine/run.ts";
import { builtinProvider } from "../../nodes/mod.ts";
import { createRunProvider } from "../../pollux/modules/setup.ts";
import { FIXTURES, oneNodeFlow, temporaryDir } from "./_helpers.ts";

Deno.test("createRunProvider() runs modules from a local directory, sandboxed", async () => {
  const home = await temporaryDir();
  try {
    const provider = await createRunProvider({
      builtins: builtinProvider,
      modulesDir: FIXTURES,
      env: (name) => name === "HOME" ? home.path : undefined,
    });
    const ok = await runFlow(oneNodeFlow("acme.shout.Shout", { output: "value" }), {
      components: provider,
    });
    equal(ok.outcome, "completed", JSON.stringify(ok.problems));
    equal(ok.logs.at(-1)?.message, "HELLO!");

    const denied = await runFlow(oneNodeFlow("hostile.passwd.Read"), { components: provider });
    equal(denied.outcome, "error");
    match(denied.error?.message ?? "", /read access/);

    const builtin = await runFlow(oneNodeFlow("system.Log"), { components: provider });
    equal(builtin.outcome, "completed");
  } finally {
    await home.remove();
  }
});

Deno.test("createRunProvider() never looks up a built-in namespace as a module", async () => {
  const provider = await createRunProvider({
    builtins: builtinProvider,
    modulesDir: FIXTURES,
    env: () => undefined,
  });
  const result = await runFlow(oneNodeFlow("system.Lgo"), { components: provider });
  equal(result.outcome, "refused");
  match(result.problems[0]?.message ?? "", /the built-in module '\w+' has no such component/);
});
