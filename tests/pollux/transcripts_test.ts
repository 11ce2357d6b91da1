/**
 * Replays exchanges recorded with a real Pollux server against the double,
 * to show that the double responds the same way.
 *
 * The ids in the transcripts (daemons, instances) are random, so the replay
 * maps each one to the double's id from the first response that returns it,
 * and substitutes them in later requests and responses.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { PolluxDouble } from "./double.ts";

interface Transcript {
  method: string;
  path: string;
  request_headers_sent: string[];
  request_body: string | null;
  status: number;
  response_body: string;
  response_content_type?: string;
  response_json?: unknown;
}

// Recorded exchanges with a running Pollux, kept beside the project.
const TRANSCRIPTS = new URL("../../../shared/pollux-transcripts/", import.meta.url);
const HEX_ID = /^[0-9a-f]{40}$/;
/** Ids that the recording used on purpose for unknown daemons and instances. */
const FIXED_IDS = new Set(["0".repeat(40), "f".repeat(40)]);

async function loadTranscripts(): Promise<Map<number, Transcript>> {
  const transcripts = new Map<number, Transcript>();
  for await (const entry of Deno.readDir(TRANSCRIPTS)) {
    const match = /^(\d+)_.*\.json$/.exec(entry.name);
    if (!match) continue;
    const text = await Deno.readTextFile(new URL(entry.name, TRANSCRIPTS));
    transcripts.set(Number(match[1]), JSON.parse(text));
  }
  return transcripts;
}

/** Sends transcripts to the double and compares each response with the recorded one. */
class Replay {
  readonly #double: PolluxDouble;
  readonly #ids = new Map<string, string>();
  /** Log lines the replayed requests sent, by message, with their time in ms. */
  readonly #sentLines = new Map<string, number>();

  constructor(double: PolluxDouble) {
    this.#double = double;
  }

  /** Returns the double's id for a transcript id. */
  idFor(transcriptId: string): string {
    const id = this.#ids.get(transcriptId);
    if (!id) throw new Error(`The replay has not seen ${transcriptId} yet.`);
    return id;
  }

  async send(number: number, transcript: Transcript): Promise<void> {
    const label = `transcript ${number} (${transcript.method} ${transcript.path})`;
    const headers: Record<string, string> = {};
    for (const line of transcript.request_headers_sent) {
      const [name = "", ...rest] = line.split(": ");
      if (["content-type", "x-api-key", "accept"].includes(name.toLowerCase())) {
        headers[name] = rest.join(": ");
      }
    }
    const body = transcript.request_body === null
      ? undefined
      : this.#substitute(transcript.request_body);
    this.#rememberSentLines(body, headers["Content-Type"]);

    const response = await fetch(this.#double.url + this.#substitute(transcript.path), {
      method: transcript.method,
      headers,
      body,
    });
    const text = await response.text();

    assertEquals(response.status, transcript.status, `${label}: status`);
    if (transcript.response_content_type !== undefined) {
      assertEquals(
        response.headers.get("content-type"),
        transcript.response_content_type,
        `${label}: content type`,
      );
    }
    if (transcript.response_json === undefined) {
      assertEquals(text, transcript.response_body, `${label}: body`);
      return;
    }
    const learnedBefore = this.#ids.size;
    this.#compare(transcript.response_json, JSON.parse(text), label);
    const hasLogs = transcript.response_body.includes('"logs":[{');
    if (this.#ids.size === learnedBefore && !hasLogs) {
      // With every id known and no server times involved, the text must match byte for byte.
      assertEquals(text, this.#substitute(transcript.response_body), `${label}: body text`);
    }
  }

  #compare(expected: unknown, actual: unknown, where: string): void {
    if (
      typeof expected === "string" && HEX_ID.test(expected) && !FIXED_IDS.has(expected) &&
      !this.#ids.has(expected)
    ) {
      assert(
        typeof actual === "string" && HEX_ID.test(actual),
        `${where}: expected a new 40-hex id, got ${actual}`,
      );
      this.#ids.set(expected, actual);
      return;
    }
    if (typeof expected === "string") {
      assertEquals(actual, this.#substitute(expected), where);
      return;
    }
    if (Array.isArray(expected)) {
      assert(Array.isArray(actual), `${where}: expected a list`);
      assertEquals(actual.length, expected.length, `${where}: list length`);
      expected.forEach((item, index) => this.#compare(item, actual[index], `${where}[${index}]`));
      return;
    }
    if (typeof expected === "object" && expected !== null) {
      assert(typeof actual === "object", `${where}: expected an object`);
      assert(actual !== null, `${where}: expected an object, got null`);
      const record = actual as Record<string, unknown>;
      assertEquals(Object.keys(record).sort(), Object.keys(expected).sort(), `${where}: keys`);
      const entry = expected as Record<string, unknown>;
      if ("datetime" in entry && "timestamp" in entry && typeof entry.message === "string") {
        this.#compareLogLine(entry, record, where);
        return;
      }
      for (const [key, value] of Object.entries(expected)) {
        this.#compare(value, record[key], `${where}.${key}`);
      }
      return;
    }
    assertEquals(actual, expected, where);
  }

  /** Compares a line of `/logs`: times only for lines a request sent, since Pollux's own lines carry its clock. */
  #compareLogLine(
    expected: Record<string, unknown>,
    actual: Record<string, unknown>,
    where: string,
  ): void {
    const message = this.#substitute(expected.message as string);
    assertEquals(actual.message, message, `${where}.message`);
    assertMatch(
      String(actual.datetime),
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,3}$/,
      `${where}.datetime`,
    );
    if (this.#sentLines.has(message)) {
      assertEquals(actual.timestamp, expected.timestamp, `${where}.timestamp`);
      assertEquals(actual.datetime, expected.datetime, `${where}.datetime`);
    } else {
      assertEquals(typeof actual.timestamp, "number", `${where}.timestamp`);
    }
  }

  #rememberSentLines(body: string | undefined, contentType: string | undefined): void {
    if (!body || !contentType?.startsWith("application/x-www-form-urlencoded")) return;
    const status = new URLSearchParams(body).get("status");
    if (!status) return;
    const decoded = JSON.parse(status) as { logs?: { time: number; message: string }[] };
    for (const line of decoded.logs ?? []) this.#sentLines.set(line.message, line.time);
  }

  #substitute(text: string): string {
    let result = text;
    for (const [recorded, actual] of this.#ids) result = result.replaceAll(recorded, actual);
    return result;
  }
}

Deno.test("double responds like the recorded Pollux", async () => {
  const transcripts = await loadTranscripts();
  await using double = await PolluxDouble.start();
  const replay = new Replay(double);

  const content = (
    number: number,
  ) => ((transcripts.get(number)?.response_json as { payload: { content: string } }).payload
    .content);
  // Modules whose source the recording kept; 10 and 16 replaced theirs, so 09, 10, 15 and 16 are skipped.
  double.modules.set("system", "placeholder");
  double.modules.set("api.minerve2", "placeholder");
  double.libs.set("japi", "placeholder");
  double.modules.set("demo.hello", content(72));
  double.libs.set("demo_lib", content(74));

  const skipped = new Set([
    9,
    10,
    15,
    16, // module sources that the recording redacted
    61,
    62,
    64,
    65, // web pages of the daemon, not the API
  ]);
  const before = new Map<number, () => void>([
    [
      63,
      () =>
        double.setDaemonState(
          replay.idFor("2bda9e66b36297575203a5978b07a5df45abd48e"),
          "state_unknown",
        ),
    ],
    [
      66,
      () =>
        double.setDaemonState(
          replay.idFor("2bda9e66b36297575203a5978b07a5df45abd48e"),
          "state_dead",
        ),
    ],
  ]);

  const numbers = [...transcripts.keys()].sort((a, b) => a - b);
  assertEquals(numbers.length, 76, "transcript files found");
  for (const number of numbers) {
    if (skipped.has(number)) continue;
    before.get(number)?.();
    await replay.send(number, transcripts.get(number) as Transcript);
  }
});
