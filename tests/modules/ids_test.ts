import { equal, throws } from "node:assert/strict";
import { checkId, isValidId, splitComponentId } from "../../pollux/modules/ids.ts";
import { ModuleError } from "../../pollux/modules/errors.ts";

Deno.test("isValidId() accepts dotted names", () => {
  for (const id of ["acme", "acme.network", "api.minerve2", "a_b.c-d.E9"]) {
    equal(isValidId(id), true, id);
  }
});

Deno.test("isValidId() rejects anything that could name a path", () => {
  for (
    const id of ["", "..", "../x", "a/b", "/etc/passwd", "a..b", ".a", "a.", "a\\b", "a b", "é"]
  ) {
    equal(isValidId(id), false, JSON.stringify(id));
  }
});

Deno.test("checkId() throws a ModuleError naming the id", () => {
  throws(() => checkId("lib", "../x"), (error: unknown) => {
    equal(error instanceof ModuleError, true);
    equal((error as ModuleError).message.startsWith('Invalid library id "../x"'), true);
    return true;
  });
});

Deno.test("splitComponentId() splits off the export name", () => {
  equal(
    JSON.stringify(splitComponentId("acme.network.Ping")),
    '{"moduleId":"acme.network","name":"Ping"}',
  );
  equal(splitComponentId("Ping"), null);
  equal(splitComponentId("../x.Ping"), null);
  equal(splitComponentId("acme.network."), null);
});
