/**
 * Starts the real `castor daemon` as a subprocess against a
 * {@linkcode PolluxDouble}, with a configuration file in a temporary
 * directory, and collects its JSON log lines.
 *
 * @module
 */

import type { DaemonRecord, PolluxDouble } from "./double.ts";

/** Entry point of the daemon command. */
export const DAEMON_ENTRY: string = new URL("../../cli.ts", import.meta.url).pathname;

/** API key of the test configurations; tests check it never shows up in logs. */
export const TEST_KEY = "test-key-6f1d2c9b-do-not-log";

/**
 * Waits until the double has recorded registration number `count` of the
 * daemon `name`, and returns that registration.
 */
export async function registered(
  double: PolluxDouble,
  name = "test-daemon",
  count = 1,
): Promise<DaemonRecord> {
  const daemons = await double.waitFor(`registration number ${count} of ${name}`, () => {
    const found = double.daemonsNamed(name);
    return found.length >= count ? found : undefined;
  });
  return daemons[count - 1] as DaemonRecord;
}

/** Flows the tests queue. */
export const FLOWS = {
  /** Logs one line and completes at once. */
  trivial: { nodes: [{ id: "a", component: "system.Log", inputs: { value: "hi" } }], links: [] },
  /** Logs `begin`, waits `seconds`, logs `end <value>`. */
  slow(seconds: number): unknown {
    return {
      nodes: [
        { id: "begin", component: "system.Log", inputs: { value: "begin" } },
        { id: "wait", component: "system.Sleep", duration: seconds, inputs: { value: "done" } },
        { id: "end", component: "system.Log", template: "end {value}" },
      ],
      links: [{ source: "wait:value", targets: ["end:value"] }],
    };
  },
};

/** One JSON log line of the daemon. */
export interface DaemonLogLine {
  time: string;
  level: string;
  message: string;
  [field: string]: unknown;
}

/** Configuration values by section and key; they replace the test defaults. */
export type ConfigValues = Record<string, Record<string, string>>;

/** Test defaults: short intervals so that tests take little time. */
export function testConfig(double: PolluxDouble, overrides: ConfigValues = {}): ConfigValues {
  const values: ConfigValues = {
    pollux: {
      host: double.url,
      key: TEST_KEY,
      request_timeout: "1s",
      retry_initial_delay: "20ms",
      retry_max_delay: "200ms",
    },
    daemon: {
      machine_name: '"Test machine"',
      concurent_execution_limit: "2",
      auto_reload: "false",
      poll_interval: "50ms",
      update_interval: "100ms",
      shutdown_grace_period: "5s",
      shutdown_report_timeout: "2s",
    },
  };
  for (const [section, entries] of Object.entries(overrides)) {
    values[section] = { ...values[section], ...entries };
  }
  return values;
}

/** Writes INI text for `values`; a value of `undefined` after overriding leaves the key out. */
export function iniText(values: ConfigValues): string {
  return Object.entries(values).map(([section, entries]) =>
    `[${section}]\n` +
    Object.entries(entries).filter(([, value]) => value !== undefined).map(([key, value]) =>
      `${key}=${value}\n`
    )
      .join("")
  ).join("\n");
}

/** Options of {@linkcode DaemonProcess.start}. */
export interface DaemonProcessOptions {
  /** `--name`; default `test-daemon`. */
  name?: string;
  /** `--domain`; default `default`. */
  domain?: string;
  /** Values that replace the test defaults. */
  config?: ConfigValues;
  /** Raw configuration text, instead of `config`. */
  configText?: string;
  /** Arguments used instead of the generated ones. */
  args?: (configPath: string) => string[];
  /** Environment variables of the subprocess. */
  env?: Record<string, string>;
}

/** A running daemon subprocess. */
export class DaemonProcess {
  /** Parsed JSON log lines so far. */
  readonly lines: DaemonLogLine[] = [];
  /** Everything written to stderr so far. */
  stderr = "";
  /** Everything written to stdout so far. */
  stdout = "";
  /** Settles with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;

  readonly #child: Deno.ChildProcess;
  readonly #directory: string;
  readonly #reading: Promise<void>;
  readonly #listeners = new Set<() => void>();
  #exited = false;

  private constructor(child: Deno.ChildProcess, directory: string) {
    this.#child = child;
    this.#directory = directory;
    this.status = child.status.then((status) => {
      this.#exited = true;
      this.#notify();
      return status;
    });
    this.#reading = Promise.all([this.#readStderr(), this.#readStdout()]).then(() =>
      this.#notify()
    );
  }

  /** Writes the configuration to a temporary directory and starts the daemon. */
  static async start(
    double: PolluxDouble,
    options: DaemonProcessOptions = {},
  ): Promise<DaemonProcess> {
    const directory = await Deno.makeTempDir({ prefix: "castor-daemon-test-" });
    const configPath = `${directory}/config.ini`;
    await Deno.writeTextFile(
      configPath,
      options.configText ?? iniText(testConfig(double, options.config)),
    );
    const args = options.args?.(configPath) ?? [
      "--name",
      options.name ?? "test-daemon",
      "--domain",
      options.domain ?? "default",
      "--config",
      configPath,
      "--json",
      "--log-level",
      "debug",
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-worker-options", DAEMON_ENTRY, "daemon", ...args],
      env: { NO_COLOR: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new DaemonProcess(child, directory);
  }

  /** Sends a signal to the daemon. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Resolves with the first log line that `check` accepts; rejects after `timeout` ms or when the daemon exits. */
  waitForLog(
    description: string,
    check: (line: DaemonLogLine) => boolean,
    timeout = 15_000,
  ): Promise<DaemonLogLine> {
    return new Promise((resolve, reject) => {
      const test = () => {
        const found = this.lines.find(check);
        if (found) {
          finish();
          resolve(found);
        } else if (this.#exited && this.#readingDone) {
          finish();
          reject(
            new Error(
              `The daemon exited before logging ${description}. Its stderr:\n${this.stderr}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(`Timed out after ${timeout} ms waiting for the daemon to log ${description}.`),
        );
      }, timeout);
      const finish = () => {
        clearTimeout(timer);
        this.#listeners.delete(test);
      };
      this.#listeners.add(test);
      test();
    });
  }

  /** Waits for the daemon to exit by itself, at most `timeout` ms; returns its exit code. */
  async exitCode(timeout = 20_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`The daemon did not exit within ${timeout} ms. Its stderr:\n${this.stderr}`),
          ),
        timeout,
      );
    });
    try {
      const status = await Promise.race([this.status, deadline]);
      await this.#reading;
      return status.code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the daemon if it still runs, waits for it, and removes its directory. */
  async close(): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It exited between the check and the kill.
      }
    }
    await this.status;
    await this.#reading;
    await Deno.remove(this.#directory, { recursive: true });
  }

  /** Closes the daemon at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #readingDone = false;

  async #readStderr(): Promise<void> {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) {
      const text = decoder.decode(chunk, { stream: true });
      this.stderr += text;
      pending += text;
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) this.#addLine(part);
      this.#notify();
    }
    if (pending !== "") this.#addLine(pending);
    this.#readingDone = true;
  }

  async #readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      this.stdout += decoder.decode(chunk, { stream: true });
    }
  }

  #addLine(text: string): void {
    if (!text.startsWith("{")) return;
    try {
      this.lines.push(JSON.parse(text));
    } catch {
      // Not a log line; it stays in `stderr`.
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
