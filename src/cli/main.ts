// Entry of dist/cli.js (`knowledge-etl`). All logic is in cli.ts, which tests call in-process.
//
// The commands run in a worker thread whose heap is capped. V8 otherwise lets the heap of a long import grow
// far beyond what it keeps alive (an import of a 620 MB export keeps well under 128 MB live, yet peaked near
// 400 MB of RSS without a cap), and a flag such as --max-old-space-size cannot be set from inside a running
// process. A worker is the same process, so a kill still ends the whole run at once (no orphan keeps writing).
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { main } from "./cli";
import { processIo } from "./output";

/** Old-generation heap of the worker, in MB; `KNOWLEDGE_ETL_HEAP_MB` overrides it (0 = no worker, no cap). */
const DEFAULT_HEAP_MB = 192;

interface WorkerInput {
	argv: string[];
	isTTY: boolean;
}

function heapLimitMb(): number {
	const raw = process.env.KNOWLEDGE_ETL_HEAP_MB;
	if (raw === undefined || raw.trim() === "") return DEFAULT_HEAP_MB;
	const n = Number(raw);
	return Number.isFinite(n) && n >= 0 ? Math.floor(n) : DEFAULT_HEAP_MB;
}

function run(argv: string[], isTTY: boolean): Promise<number> {
	return main(argv, { ...processIo(), isTTY }).catch((error: unknown) => {
		console.error(error);
		return 1;
	});
}

if (!isMainThread) {
	const input = workerData as WorkerInput;
	void run(input.argv, input.isTTY).then((code) => parentPort?.postMessage({ code }));
} else {
	const argv = process.argv.slice(2);
	const isTTY = process.stderr.isTTY;
	const heapMb = heapLimitMb();
	if (heapMb === 0) {
		void run(argv, isTTY).then((code) => {
			process.exitCode = code;
		});
	} else {
		const worker = new Worker(new URL(import.meta.url), {
			workerData: { argv, isTTY } satisfies WorkerInput,
			resourceLimits: { maxOldGenerationSizeMb: heapMb },
			stdout: false,
			stderr: false,
		});
		let code: number | null = null;
		worker.on("message", (message: { code: number }) => {
			code = message.code;
		});
		worker.on("error", (error: Error & { code?: string }) => {
			if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
				console.error(
					`Error: the run needed more than ${heapMb} MB of memory (a very large single conversation?). ` +
						`Run it again with KNOWLEDGE_ETL_HEAP_MB=1024 (resume goes on where it stopped: knowledge-etl resume).`,
				);
			} else {
				console.error(error);
			}
			code = 1;
		});
		worker.on("exit", () => {
			process.exitCode = code ?? 1;
		});
	}
}
