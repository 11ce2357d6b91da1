import { equal, match } from "node:assert/strict";
import { runFlow } from "../../engine/run.ts";
import { builtinProvider } from "../../nodes/mod.ts";
import { PolluxClient } from "../../pollux/client.ts";
import { ModuleManager } from "../../pollux/modules/manager.ts";
import { PolluxDouble } from "../pollux/double.ts";
import { fixture, oneNodeFlow, temporaryDir } from "./_helpers.ts";

function downloads(double: PolluxDouble, path: string): number {
  return double.requests.filter((request) => request.path === path).length;
}

Deno.test("ModuleManager downloads modules and libraries from Pollux over HTTP", async () => {
  const double = await PolluxDouble.start();
  const dir = await temporaryDir();
  try {
    double.modules.set("acme.shout", await fixture("acme/shout.ts"));
    double.libs.set("acme.strings", await fixture("lib/acme/strings.ts"));
    const manager = new ModuleManager({
      builtins: builtinProvider,
      source: new PolluxClient({ host: double.url, key: "test-key" }),
      cacheDir: dir.path,
      autoReload: true,
    });
    const flow = oneNodeFlow("acme.shout.Shout", { output: "value" });

    const first = await runFlow(flow, { components: manager.provider });
    equal(first.outcome, "completed", JSON.stringify(first.problems));
    equal(first.logs.at(-1)?.message, "HELLO!");
    equal(downloads(double, "/api/modules/i/acme.shout/download"), 1);
    equal(downloads(double, "/api/lib/i/acme.strings/download"), 1);

    await runFlow(flow, { components: manager.provider });
    equal(downloads(double, "/api/modules/i/acme.shout/download"), 1, "unchanged: no download");

    double.modules.set(
      "acme.shout",
      (await fixture("acme/shout.ts")).replace("shout(inputs.value)", 'shout(inputs.value) + "!"'),
    );
    const third = await runFlow(flow, { components: manager.provider });
    equal(third.logs.at(-1)?.message, "HELLO!!");
    equal(downloads(double, "/api/modules/i/acme.shout/download"), 2);
  } finally {
    await dir.remove();
    await double.close();
  }
});

Deno.test("ModuleManager reports a module Pollux does not have", async () => {
  const double = await PolluxDouble.start();
  const dir = await temporaryDir();
  try {
    const manager = new ModuleManager({
      builtins: builtinProvider,
      source: new PolluxClient({ host: double.url, key: "test-key" }),
      cacheDir: dir.path,
    });
    const result = await runFlow(oneNodeFlow("acme.ghost.Boo"), { components: manager.provider });
    equal(result.outcome, "refused");
    match(result.problems[0]?.message ?? "", /module 'acme\.ghost' was found nowhere.*Pollux/);
  } finally {
    await dir.remove();
    await double.close();
  }
});
