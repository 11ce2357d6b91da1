/**
 * strftime-style date formatting in local time, with the C locale's names,
 * as Python's `datetime.strftime` writes them.
 *
 * @module
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function pad(value: number, width = 2, fill = "0"): string {
  return String(value).padStart(width, fill);
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  const utcDate = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  const utcStart = Date.UTC(start.getFullYear(), 0, 1);
  return Math.round((utcDate - utcStart) / 86_400_000) + 1;
}

function weekOfYear(date: Date, firstDay: 0 | 1): number {
  const weekday = (date.getDay() + 7 - firstDay) % 7;
  return Math.floor((dayOfYear(date) - 1 - weekday + 7) / 7);
}

function offset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}${separator}${pad(absolute % 60)}`;
}

function zoneName(date: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

/**
 * Formats a date with `%` directives: `%Y %y %m %d %e %H %I %M %S %f %p %j
 * %a %A %b %B %h %w %u %U %W %z %Z %c %x %X %D %F %T %R %s %n %t %%`, each
 * optionally preceded by a glibc flag (`-`, `_`, `0`, `^`). An unknown
 * directive is kept as written, as glibc does.
 */
export function strftime(date: Date, format: string): string {
  return format.replace(/%([-_0^]?)(:?z|.|$)/gs, (whole, flag: string, directive: string) => {
    const text = expand(date, directive, whole);
    return text === whole ? whole : applyFlag(text, flag);
  });
}

// glibc's flags: `-` drops the padding, `_` pads with spaces, `0` with zeros,
// `^` writes in capitals.
function applyFlag(text: string, flag: string): string {
  switch (flag) {
    case "-":
      return /^[0 ]+\d/.test(text) ? text.replace(/^[0 ]+(?=\d)/, "") : text;
    case "_":
      return /^0+\d/.test(text)
        ? text.replace(/^0+(?=\d)/, (zeros) => " ".repeat(zeros.length))
        : text;
    case "0":
      return text.replace(/^ +(?=\d)/, (spaces) => "0".repeat(spaces.length));
    case "^":
      return text.toUpperCase();
    default:
      return text;
  }
}

function expand(date: Date, directive: string, whole: string): string {
  {
    switch (directive) {
      case "Y":
        return String(date.getFullYear());
      case "y":
        return pad(date.getFullYear() % 100);
      case "m":
        return pad(date.getMonth() + 1);
      case "d":
        return pad(date.getDate());
      case "e":
        return pad(date.getDate(), 2, " ");
      case "H":
        return pad(date.getHours());
      case "I":
        return pad(date.getHours() % 12 || 12);
      case "M":
        return pad(date.getMinutes());
      case "S":
        return pad(date.getSeconds());
      case "f":
        return pad(date.getMilliseconds() * 1000, 6);
      case "p":
        return date.getHours() < 12 ? "AM" : "PM";
      case "j":
        return pad(dayOfYear(date), 3);
      case "a":
        return DAYS[date.getDay()]!.slice(0, 3);
      case "A":
        return DAYS[date.getDay()]!;
      case "b":
      case "h":
        return MONTHS[date.getMonth()]!.slice(0, 3);
      case "B":
        return MONTHS[date.getMonth()]!;
      case "w":
        return String(date.getDay());
      case "u":
        return String(date.getDay() || 7);
      case "U":
        return pad(weekOfYear(date, 0));
      case "W":
        return pad(weekOfYear(date, 1));
      case "z":
        return offset(date, "");
      case ":z":
        return offset(date, ":");
      case "Z":
        return zoneName(date);
      case "c":
        return strftime(date, "%a %b %e %H:%M:%S %Y");
      case "x":
      case "D":
        return strftime(date, "%m/%d/%y");
      case "X":
      case "T":
        return strftime(date, "%H:%M:%S");
      case "F":
        return strftime(date, "%Y-%m-%d");
      case "R":
        return strftime(date, "%H:%M");
      case "s":
        return String(Math.floor(date.getTime() / 1000));
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "%":
        return "%";
      default:
        return whole;
    }
  }
}
