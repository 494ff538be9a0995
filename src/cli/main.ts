// Entry of dist/cli.js (`knowledge-etl`): a small launcher. The CLI itself is dist/cli-worker.js (cli-worker.ts),
// loaded only in the thread that runs the command, so the launcher's thread never loads the whole program.
//
// The command runs in a worker thread whose heap is capped. V8 otherwise lets the heap of a long import grow
// far beyond what it keeps alive (an import of a 620 MB export keeps well under 128 MB live, yet peaked near
// 400 MB of RSS without a cap), and a flag such as --max-old-space-size cannot be set from inside a running
// process. A worker is the same process, so a kill still ends the whole run at once (no orphan keeps writing).
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CliWorkerData } from "./cli-worker";
import { looksLikeLargeImport, startStandbyReader } from "./extract-thread/prestart";
import { heapLimitMb } from "./heap-limit";

// Same extension as this file: npm run build makes dist/cli.js, cli-worker.js and extract-worker.js; the benchmark .mjs.
const ext = extname(fileURLToPath(import.meta.url));
const program = new URL(`./cli-worker${ext}`, import.meta.url);
const reader = new URL(`./extract-worker${ext}`, import.meta.url);
const argv = process.argv.slice(2);
const isTTY = process.stderr.isTTY;
const heapMb = heapLimitMb();

if (heapMb === 0) {
	// eslint-disable-next-line no-unsanitized/method -- a file of ours next to this one (built from import.meta.url), not user input
	const { runCli } = (await import(program.href)) as typeof import("./cli-worker");
	process.exitCode = await runCli(argv, isTTY);
} else {
	// A large export is read in a thread of its own (threaded-export.ts): start it now, while the CLI loads.
	const standby = looksLikeLargeImport(argv) && existsSync(fileURLToPath(reader)) ? startStandbyReader(reader, heapMb) : null;
	const worker = new Worker(program, {
		workerData: { kind: "knowledge-etl-cli", argv, isTTY, ...(standby ? { standby: standby.forCli } : {}) } satisfies CliWorkerData,
		...(standby ? { transferList: standby.transfer } : {}),
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
