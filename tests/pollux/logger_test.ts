import { type LogRecord, StreamLogger } from "../../pollux/logger.ts";
import { assertEquals, assertMatch, assertNotIncludes } from "./_assert.ts";

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

Deno.test("StreamLogger writes text lines with time and level", () => {
  const lines: string[] = [];
  const logger = new StreamLogger({ write: (line) => lines.push(line), now: () => TIME });
  logger.info("Run started.", { run: "abc", attempt: 2, note: "two words", missing: undefined });
  assertEquals(lines, [
    '2026-01-02T03:04:05.006Z INFO  Run started. run=abc attempt=2 note="two words"',
  ]);
});

Deno.test("StreamLogger writes one JSON object per line", () => {
  const lines: string[] = [];
  const logger = new StreamLogger({
    write: (line) => lines.push(line),
    format: "json",
    now: () => TIME,
  });
  logger.warn("Polling failed.", { attempt: 3 });
  assertEquals(lines.length, 1);
  assertEquals(JSON.parse(lines[0] ?? ""), {
    time: "2026-01-02T03:04:05.006Z",
    level: "warn",
    message: "Polling failed.",
    attempt: 3,
  });
});

Deno.test("StreamLogger drops records below its level", () => {
  const lines: string[] = [];
  const logger = new StreamLogger({ write: (line) => lines.push(line), level: "warn" });
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  assertEquals(lines.length, 2);
  assertMatch(lines[0] ?? "", / WARN {2}w$/);
  assertMatch(lines[1] ?? "", / ERROR e$/);
});

Deno.test("StreamLogger redacts secrets everywhere", () => {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  const logger = new StreamLogger({
    write: (line) => lines.push(line),
    secrets: ["s3cret", ""],
    level: "debug",
  });
  logger.addListener((record) => records.push(record));
  logger.debug("key=s3cret in a message", { body: "<li>x-api-key: s3cret</li>" });
  assertNotIncludes(lines[0] ?? "", "s3cret");
  assertNotIncludes(records[0]?.message ?? "", "s3cret");
  assertNotIncludes(String(records[0]?.fields.body), "s3cret");
  assertEquals(records[0]?.message, "key=[redacted] in a message");
});

Deno.test("StreamLogger listeners stop when removed", () => {
  const records: LogRecord[] = [];
  const logger = new StreamLogger({ write: () => {} });
  const remove = logger.addListener((record) => records.push(record));
  logger.info("one");
  remove();
  logger.info("two");
  assertEquals(records.map((record) => record.message), ["one"]);
});
