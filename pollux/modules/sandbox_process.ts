/**
 * The main program of a sandbox process. Castor starts one per module and
 * run, talks to it over stdin and stdout in frames, and kills it when the
 * run ends or a call times out.
 *
 * The main thread transforms sources, since it imports the transform library.
 * On the `load` request it starts the Worker that runs the module with the
 * granted permissions and hands stdin and stdout over to it. Calls then cross
 * one process boundary and no thread boundary.
 *
 * A process of its own, rather than a Worker of Castor's process, because in
 * Deno 2.9 a Worker that exhausts its heap aborts the whole process, and
 * `Worker.terminate()` does not stop a Worker stuck in a loop; killing a
 * process ends both.
 *
 * @module
 */

import { compileSource } from "./compile.ts";
import { encodeFrame, FrameReader } from "./frames.ts";
import { workerMain } from "./worker.ts";
import type { HostMessage, SandboxMessage } from "./worker_protocol.ts";

/** Argument that makes a compiled `castor` executable run {@linkcode runSandboxProcess}. */
export const SANDBOX_SUBCOMMAND = "__sandbox";

const WORKER_URL = "data:text/javascript," + encodeURIComponent(`(${workerMain.toString()})();`);

/**
 * Serves one sandbox over stdin and stdout, then exits the process: when
 * stdin closes, or when the Worker fails. `castor __sandbox` (in a compiled
 * executable) and `deno run sandbox_process.ts` both end up here.
 */
export async function runSandboxProcess(): Promise<never> {
  const send = (message: SandboxMessage) => writeAll(encodeFrame(message));
  const input = new FrameReader(Deno.stdin.readable);
  let permissions: Deno.PermissionOptions = "none";
  send({ type: "ready" });

  while (true) {
    const message = await input.next().catch(() => undefined) as HostMessage | undefined;
    if (message === undefined) Deno.exit(0);
    switch (message.type) {
      case "start":
        permissions = message.permissions;
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
      case "load": {
        // From here on the Worker reads stdin and writes stdout; this thread
        // only reports a crash of the Worker.
        const leftover = input.release();
        const worker = new Worker(WORKER_URL, {
          type: "module",
          name: "castor-module",
          deno: { permissions },
        });
        const ended = Promise.withResolvers<number>();
        worker.onmessage = (event) => {
          if ((event.data as { type?: string })?.type === "end") ended.resolve(0);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          send({ type: "crashed", error: { name: "Error", message: event.message } });
          ended.resolve(1);
        };
        worker.postMessage({ ...message, leftover });
        // Exiting ends the Worker even when it is stuck in a loop.
        Deno.exit(await ended.promise);
      }
    }
  }
}

function writeAll(bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}

if (import.meta.main) await runSandboxProcess();
