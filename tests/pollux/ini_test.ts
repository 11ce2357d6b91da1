import { ConfigError } from "../../pollux/errors.ts";
import { parseIni } from "../../pollux/ini.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./_assert.ts";

Deno.test("parseIni() reads sections, keys and quoted values", () => {
  const ini = parseIni(
    [
      "\uFEFF; a comment",
      "[Pollux]",
      "host = https://pollux.example.org",
      "# another comment",
      "KEY: abc;def#ghi",
      "",
      "[daemon]",
      'machine_name="Build server 2"   ; trailing comment',
      "empty =",
      "single = 'say \"hi\"'",
      "[pollux]",
      "extra = merged\r",
    ].join("\n"),
    "config.ini",
  );
  assertEquals(ini.get("pollux")?.entries.get("host"), {
    value: "https://pollux.example.org",
    line: 3,
  });
  assertEquals(ini.get("pollux")?.entries.get("key")?.value, "abc;def#ghi");
  assertEquals(ini.get("pollux")?.entries.get("extra")?.value, "merged");
  assertEquals(ini.get("daemon")?.entries.get("machine_name")?.value, "Build server 2");
  assertEquals(ini.get("daemon")?.entries.get("empty")?.value, "");
  assertEquals(ini.get("daemon")?.entries.get("single")?.value, 'say "hi"');
});

Deno.test("parseIni() rejects malformed lines with their number", async (t) => {
  const cases: [string, string, number][] = [
    ["[pollux]\nhost https://x", "is not 'key = value'", 2],
    ["host=https://x", "comes before any '[section]'", 1],
    ["[pollux]\nhost=a\nhost=b", "already set on line 2", 3],
    ["[]\n", "section name", 1],
    ['[daemon]\nmachine_name="open', "no closing", 2],
    ['[daemon]\nmachine_name="a" b', "text after its closing", 2],
  ];
  for (const [text, message, line] of cases) {
    await t.step(message, () => {
      const error = assertThrows(() => parseIni(text, "config.ini"), ConfigError);
      assertStringIncludes(error.message, message);
      assertEquals(error.line, line);
      assertStringIncludes(error.message, `config.ini:${line}`);
    });
  }
});

Deno.test("parseIni() never quotes a malformed line back", () => {
  const error = assertThrows(() => parseIni("[pollux]\nkey s3cret-value", "c.ini"), ConfigError);
  assertEquals(error.message.includes("s3cret-value"), false);
});
