import { equal, match } from "node:assert/strict";
import { builtinProvider } from "../../nodes/mod.ts";
import { runDaemonCommand } from "../../pollux/daemon_command.ts";
import { createDaemonModules } from "../../pollux/modules/setup.ts";
import { PolluxDouble } from "../pollux/double.ts";
import { iniText, registered, TEST_KEY, testConfig } from "../pollux/_daemon_process.ts";
import { fixture, oneNodeFlow, temporaryDir } from "./_helpers.ts";

Deno.test("daemon runs downloaded modules, survives a hostile one and reloads", async () => {
  const double = await PolluxDouble.start();
  const dir = await temporaryDir();
  try {
    double.modules.set("acme.echo", await fixture("acme/echo.ts"));
    double.modules.set("hostile.loop", await fixture("hostile/loop.ts"));
    double.modules.set("hostile.reader", await fixture("hostile/reader.ts"));
    const configFile = `${dir.path}/config.ini`;
    await Deno.writeTextFile(
      configFile,
      iniText(testConfig(double, {
        sandbox: { call_timeout: "500ms" },
        modules: { cache_dir: `${dir.path}/cache` },
      })),
    );
    const logs: string[] = [];
    const daemon = runDaemonCommand(
      ["--name", "modules-daemon", "--config", configFile, "--json"],
      {
        modules: (context) => createDaemonModules(context, builtinProvider, () => undefined),
        writeLog: (line) => logs.push(line),
        env: () => undefined,
      },
    );
    const record = await registered(double, "modules-daemon");
    const finished = (id: string) =>
      double.waitFor(`run ${id} to end`, () => {
        const state = double.instances.get(id)?.state;
        return state === "state_completed" || state === "state_error" ? state : undefined;
      });

    const hostile = double.queueRun(oneNodeFlow("hostile.loop.Spin"));
    equal(await finished(hostile), "state_error");
    match(double.instances.get(hostile)?.errors.join("\n") ?? "", /did not finish within 0\.5 s/);

    const peek = double.queueRun(
      oneNodeFlow("hostile.reader.Peek", { settings: { path: configFile }, output: "value" }),
    );
    equal(await finished(peek), "state_error");
    match(double.instances.get(peek)?.errors.join("\n") ?? "", /read access to ".*config\.ini"/);
    equal(double.runLogs(peek).some((line) => line.includes(TEST_KEY)), false);

    const echo = double.queueRun(oneNodeFlow("acme.echo.Echo", { output: "value" }));
    equal(await finished(echo), "state_completed");
    match(double.runLogs(echo).join("\n"), /echo "hello"/);

    double.modules.set(
      "acme.echo",
      (await fixture("acme/echo.ts")).replace('?? "echo"', '?? "reloaded"'),
    );
    double.queueCommand(record.id, "reload");
    await double.waitFor("the reload command to be fetched", () => record.queue.length === 0);
    const again = double.queueRun(oneNodeFlow("acme.echo.Echo", { output: "value" }));
    equal(await finished(again), "state_completed");
    match(double.runLogs(again).join("\n"), /reloaded "hello"/);

    double.queueCommand(record.id, "stop");
    equal(await daemon, 0);
  } finally {
    await dir.remove();
    await double.close();
  }
});
