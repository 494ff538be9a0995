// Entry of dist/extract-worker.cjs: reads an export in its own thread for the CLI's import (see threaded-export.ts).
// It opens the same files again by path, runs the core openExport on them and sends the results to the main side
// in batches, never more than WINDOW batches ahead of what that side has taken. It talks over its parent port when
// the import started it, or over the port it was given when dist/cli.js started it ahead (see prestart.ts). The
// thread loads this script with its code cache (script-loader.ts) and calls startReader.
import { parentPort } from "node:worker_threads";
import { quickResults, serveReader } from "../../core/app/extract-thread";
import type { ByteSource } from "../../core/app/types";
import { NodeByteSource } from "../node-byte-source";
import { applyMessageLimit } from "../message-limit";
import type { ToWorker, WorkerSetup, WorkerStart } from "./protocol";
import { armTiering, disarmTiering } from "../v8-flags";

/**
 * Serves one import over its port (the thread's parent port, or the one given to a reader started ahead) with the
 * core's worker side (import/extract/reader-thread, shared with the plugin's Web Worker): it opens the files again by
 * path. `beforeClosed` runs when the import has closed the reader (the build's warm-up saves the code cache then).
 */
export function startReader(start: WorkerStart, beforeClosed?: () => void): void {
	applyMessageLimit();
	const port = "standby" in start ? start.standby : parentPort;
	if (!port) throw new Error("extract-worker.cjs runs as a worker thread of the knowledge-etl CLI");
	serveReader<WorkerSetup["files"][number]>(
		{
			post: (message) => port.postMessage(message),
			onMessage: (handler) => port.on("message", (message: ToWorker) => handler(message)),
			// The parent port ends with the thread; a port given to a reader started ahead is closed.
			close: () => {
				if (port !== parentPort) port.close();
			},
		},
		{
			async open(setup: WorkerSetup): Promise<ByteSource[]> {
				// Many files (a folder of session logs): each is opened only while it is read, not all at once.
				const keepOpen = setup.files.length <= 64;
				const sources: NodeByteSource[] = [];
				try {
					for (const f of setup.files) sources.push(await NodeByteSource.open(f.path, f.name, { keepOpen }));
				} catch (e) {
					for (const s of sources) await s.close().catch(() => undefined);
					throw e;
				}
				return sources;
			},
			async release(sources: readonly ByteSource[]): Promise<void> {
				for (const s of sources) await (s as NodeByteSource).close().catch(() => undefined);
			},
		},
		{
			...("setup" in start ? { initial: start.setup } : {}),
			// Every document streams here: the import starts on the first conversations at once, and the heap stays
			// small (parsing documents whole in this capped thread was slower, and took half as much memory again).
			// A re-import may take conversations from a look at their elements (ReadOptions.quick).
			options: { wholeMaxBytes: 0, quickReader: quickResults },
			// The import gave the inputs, now open: the program is loaded, and this thread too. The bytes of their
			// conversations (a zip's uncompressed) say whether the import is a short one (v8-flags.ts).
			onOpened: (totalBytes) => void armTiering(totalBytes),
			// Not needed: the import reads in its own thread, and leaves it to this thread, loaded by now, to arm V8's
			// flags for it, by the bytes of its conversations (v8-flags.ts).
			onDismissed: (totalBytes) => void armTiering(totalBytes),
			// The build's warm-up saves the code cache under V8's default flags, as later runs load it (v8-flags.ts).
			...(beforeClosed
				? {
						beforeClosed: () => {
							disarmTiering();
							beforeClosed();
						},
					}
				: {}),
		},
	);
}
