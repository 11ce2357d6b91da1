/**
 * Tests of strftime-style date formatting in local time. Expected texts are
 * those of Python 3's `datetime.strftime` under glibc.
 *
 * @module
 */

import { match, strictEqual } from "node:assert/strict";
import { strftime } from "../../nodes/_strftime.ts";

// Monday 5 January 2026, 14:03:09.042 local time.
const MONDAY = new Date(2026, 0, 5, 14, 3, 9, 42);

Deno.test("strftime writes each directive", async (t) => {
  const cases: [string, string][] = [
    ["%Y", "2026"],
    ["%y", "26"],
    ["%m", "01"],
    ["%d", "05"],
    ["%e", " 5"],
    ["%H", "14"],
    ["%I", "02"],
    ["%M", "03"],
    ["%S", "09"],
    ["%f", "042000"],
    ["%p", "PM"],
    ["%j", "005"],
    ["%a", "Mon"],
    ["%A", "Monday"],
    ["%b", "Jan"],
    ["%h", "Jan"],
    ["%B", "January"],
    ["%w", "1"],
    ["%u", "1"],
    ["%U", "01"],
    ["%W", "01"],
    ["%c", "Mon Jan  5 14:03:09 2026"],
    ["%x", "01/05/26"],
    ["%D", "01/05/26"],
    ["%X", "14:03:09"],
    ["%T", "14:03:09"],
    ["%F", "2026-01-05"],
    ["%R", "14:03"],
    ["%n", "\n"],
    ["%t", "\t"],
    ["%%", "%"],
  ];
  for (const [format, expected] of cases) {
    await t.step(format, () => {
      strictEqual(strftime(MONDAY, format), expected);
    });
  }
});

Deno.test("strftime writes the default Date format", () => {
  strictEqual(strftime(MONDAY, "%d/%m/%Y %H:%M:%S"), "05/01/2026 14:03:09");
});

Deno.test("strftime keeps text around directives", () => {
  strictEqual(strftime(MONDAY, "at %H:%M on %A."), "at 14:03 on Monday.");
  strictEqual(strftime(MONDAY, "no directive"), "no directive");
  strictEqual(strftime(MONDAY, ""), "");
});

Deno.test("strftime writes 100%% as 100%", () => {
  strictEqual(strftime(MONDAY, "100%%"), "100%");
});

Deno.test("strftime keeps an unknown directive", () => {
  strictEqual(strftime(MONDAY, "%Q"), "%Q");
  strictEqual(strftime(MONDAY, "50%"), "50%");
});

// glibc, and so Python on Linux, reads the flag in %-d as "no padding", but strftime keeps "%-d"
// as written.
Deno.test({
  name: "strftime accepts glibc padding flags",
  fn() {
    strictEqual(strftime(MONDAY, "%-d/%-m"), "5/1");
    strictEqual(strftime(MONDAY, "%_d"), " 5");
  },
});

Deno.test("strftime writes 12-hour clock at midnight and noon", () => {
  strictEqual(strftime(new Date(2026, 6, 5, 0, 0, 0), "%I %p"), "12 AM");
  strictEqual(strftime(new Date(2026, 6, 5, 12, 0, 0), "%I %p"), "12 PM");
  strictEqual(strftime(new Date(2026, 6, 5, 23, 0, 0), "%I %p"), "11 PM");
});

Deno.test("strftime pads two-digit years", () => {
  strictEqual(strftime(new Date(2005, 2, 1), "%y"), "05");
});

Deno.test("strftime numbers weeks as Python", async (t) => {
  // [year, month index, day, "%U %W %j %u %w"] from Python's datetime.strftime.
  const cases: [number, number, number, string][] = [
    [2026, 0, 1, "00 00 001 4 4"],
    [2026, 0, 4, "01 00 004 7 0"],
    [2026, 11, 31, "52 52 365 4 4"],
    [2023, 0, 1, "01 00 001 7 0"],
    [2024, 11, 30, "52 53 365 1 1"],
    [2024, 11, 31, "52 53 366 2 2"],
  ];
  for (const [year, month, day, expected] of cases) {
    await t.step(`${year}-${month + 1}-${day}`, () => {
      strictEqual(strftime(new Date(year, month, day), "%U %W %j %u %w"), expected);
    });
  }
});

Deno.test("strftime counts days of year across DST", () => {
  strictEqual(strftime(new Date(2026, 2, 30, 1, 0, 0), "%j"), "089");
  strictEqual(strftime(new Date(2026, 9, 26, 23, 0, 0), "%j"), "299");
});

Deno.test("strftime writes the epoch seconds", () => {
  strictEqual(strftime(MONDAY, "%s"), String(Math.floor(MONDAY.getTime() / 1000)));
});

Deno.test("strftime writes the local UTC offset", () => {
  const minutes = -MONDAY.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const hours = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
  const rest = String(Math.abs(minutes) % 60).padStart(2, "0");

  strictEqual(strftime(MONDAY, "%z"), `${sign}${hours}${rest}`);
  strictEqual(strftime(MONDAY, "%:z"), `${sign}${hours}:${rest}`);
});

Deno.test("strftime writes a time zone name", () => {
  match(strftime(MONDAY, "%Z"), /^\S+$/);
});
