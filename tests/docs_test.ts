import { ok } from "node:assert/strict";
import { builtinComponents } from "../mod.ts";
import { projectPath } from "./_cli.ts";

Deno.test("components page documents every built-in component", async () => {
  const page = await Deno.readTextFile(projectPath("docs/components.md"));
  for (const [id, definition] of builtinComponents) {
    ok(page.includes(`## \`${id}\``), `docs/components.md has no section for ${id}`);
    for (const port of [...definition.inputs, ...definition.outputs]) {
      ok(
        page.includes(`\`${port.name}\` (\`${port.type}\`)`),
        `${id} port ${port.name} is missing`,
      );
    }
    for (const setting of definition.settings ?? []) {
      ok(page.includes(`\`${setting.name}\``), `${id} setting ${setting.name} is missing`);
    }
  }
});
