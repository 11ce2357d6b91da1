/**
 * The main program of a sandbox process: Castor starts one per module and
 * run, talks to it over stdin and stdout in frames, and kills it when the
 * run ends or a call times out. It transforms sources, starts the Worker that
 * runs the module with the granted permissions, and relays messages.
 *
 * A separate process, rather than a Worker of Castor's own process, because
 * in Deno 2.9 a Worker that exhausts its heap aborts the whole process, and
 * `Worker.terminate()` does not stop a Worker stuck in a loop; killing a
 * process ends both.
 *
 * @module
 */

import { compileSource } from "./compile.ts";
import { encodeFrame, readFrames } from "./frames.ts";
import { workerMain } from "./worker.ts";
import type { HostMessage, SandboxMessage } from "./worker_protocol.ts";

/** Argument that makes a compiled `castor` executable run {@linkcode runSandboxProcess}. */
export const SANDBOX_SUBCOMMAND = "__sandbox";

const WORKER_URL = "data:text/javascript," + encodeURIComponent(`(${workerMain.toString()})();`);

/**
 * Serves one sandbox over stdin and stdout until stdin closes, then exits
 * the process. `castor __sandbox` (in a compiled executable) and
 * `deno run sandbox_process.ts` both end up here.
 */
export async function runSandboxProcess(): Promise<never> {
  const output = Deno.stdout.writable.getWriter();
  let writing = Promise.resolve();
  const send = (message: SandboxMessage) => {
    const frame = encodeFrame(message);
    writing = writing.then(() => output.write(frame)).catch(() => Deno.exit(1));
  };

  let worker: Worker | undefined;
  try {
    for await (const frame of readFrames(Deno.stdin.readable)) {
      const message = frame as HostMessage;
      switch (message.type) {
        case "start":
          worker = new Worker(WORKER_URL, {
            type: "module",
            name: "castor-module",
            deno: { permissions: message.permissions },
          });
          worker.onmessage = (event) => send(event.data as SandboxMessage);
          worker.onerror = (event) => {
            event.preventDefault();
            send({ type: "crashed", error: { name: "Error", message: event.message } });
          };
          worker.onmessageerror = () => {
            send({
              type: "crashed",
              error: { name: "DataCloneError", message: "a message could not be decoded" },
            });
          };
          break;
        case "compile":
          try {
            const { code, libraryImports } = compileSource(message.id, message.source);
            send({ type: "compiled", request: message.request, code, libraryImports });
          } catch (error) {
            send({
              type: "compile-failed",
              request: message.request,
              error: { name: "SyntaxError", message: (error as Error).message },
            });
          }
          break;
        default:
          worker?.postMessage(message);
      }
    }
  } finally {
    await writing;
    // Exiting ends the Worker even when it is stuck in a loop.
    Deno.exit(0);
  }
}

if (import.meta.main) await runSandboxProcess();
