// Entry of dist/cli.js (`knowledge-etl`): a small launcher. The CLI itself is dist/cli-worker.cjs (cli-worker.ts),
// loaded with its code cache (script-loader.ts) in the thread that runs the command.
//
// Commands run in a worker thread whose heap is capped. V8 otherwise lets the heap of a long import grow far beyond
// what it keeps alive (an import of a 620 MB export keeps well under 128 MB live, yet peaked near 400 MB of RSS
// without a cap), and a flag such as --max-old-space-size cannot be set from inside a running process. A worker is
// the same process, so a kill still ends the whole run at once (no orphan keeps writing). An import of less than
// 64 MB (a zip counted at 20 times its size) needs no cap: it runs in this thread (see launch-plan.ts).
// KNOWLEDGE_ETL_HEAP_MB=0 runs everything here.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as module from "node:module";
import * as path from "node:path";
import * as url from "node:url";
import * as vm from "node:vm";
import { Worker } from "node:worker_threads";
import { startStandbyReader } from "./extract-thread/prestart";
import { CAPPED_READER_YOUNG_GENERATION_MB, heapLimitMb, PROGRAM_YOUNG_GENERATION_MB, workerResourceLimits } from "./heap-limit";
import { isOrganizePreview, launchPlan, programCacheFor } from "./launch-plan";
import { CANCEL_MESSAGE, loadCachedScript, programWorkerSource, runProgram, type ProgramData } from "./script-loader";
import { afterOutOfMemory, type SessionAnnounce } from "./session-announce";
import { setCliV8Flags } from "./v8-flags";

setCliV8Flags();

// npm run build makes dist/cli.js, cli-worker.cjs and extract-worker.cjs (the benchmark's launcher is cli.mjs).
const dist = path.dirname(url.fileURLToPath(import.meta.url));
const program = path.join(dist, "cli-worker.cjs");
const reader = path.join(dist, "extract-worker.cjs");
const argv = process.argv.slice(2);
const isTTY = process.stderr.isTTY;
const heapMb = heapLimitMb();
const programCache = programCacheFor(program, argv);
const data: ProgramData = {
	kind: "knowledge-etl-cli",
	program,
	...(programCache !== undefined ? { programCache } : {}),
	argv,
	isTTY,
	reader: { script: reader },
};
// Only the build's warm-up runs set it (scripts/cli-build.mjs): save the program's code cache after a small import
// read here, or the reader's after one read in the reader thread.
const warmUp = process.env.KNOWLEDGE_ETL_WRITE_CODE_CACHE;
if (warmUp === "program") data.writeCodeCache = true;
if (warmUp === "reader") data.reader.warmUp = true;

if (!fs.existsSync(program)) {
	// Only dist/cli.js was copied somewhere: say what is missing rather than show a stack trace.
	console.error(
		`Error: ${program} is missing. dist/cli.js runs the CLI from the files built beside it (cli-worker.cjs, extract-worker.cjs); keep dist/ together, or run npm run build again.`,
	);
	process.exit(1);
}

// Ctrl-C and SIGTERM stop the run like the panel's Cancel: the write in hand finishes, the session is left stopped
// (resume goes on), the summary and the --json object are printed, exit 130. The command may run in a worker thread,
// which gets no signals: this thread catches them and tells it. A second one ends the process at once.
const stop = new AbortController();
let tellWorker: (() => void) | null = null;
let signalled = false;
const onSignal = (): void => {
	if (signalled) process.exit(130);
	signalled = true;
	process.stderr.write("\nStopping after the current write (the session can be resumed); press Ctrl-C again to quit at once.\n");
	stop.abort();
	tellWorker?.();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const plan = launchPlan(argv, heapMb);
// A large export is read in a thread of its own (threaded-export.ts): start it now, while the CLI loads.
const standby =
	plan.startReader && fs.existsSync(reader)
		? startStandbyReader(reader, heapMb, false, plan.program === "worker" ? CAPPED_READER_YOUNG_GENERATION_MB : undefined)
		: null;
if (standby) data.reader.standby = standby.forCli;
if (plan.program === "here") {
	try {
		process.exitCode = await runProgram({ crypto, fs, vm, module, path }, data, loadCachedScript, stop.signal);
	} catch (error) {
		console.error(error); // the program could not be loaded (a build with files missing)
		process.exitCode = 1;
	}
	// A preview is over once its output is written: the process ends then, rather than after what the event loop
	// still had in hand (V8 finishing a major collection it had started while the plan was written, for a heap that is
	// about to go; then tearing the heap down): ~12 ms of a 10,000-note preview's CPU (24 alternating pairs, lower in
	// 19). Everything the run does is awaited before runProgram resolves; only the standard streams can still hold
	// bytes (a pipe is written asynchronously on Windows), hence the callbacks.
	if (isOrganizePreview(argv)) process.stdout.write("", () => process.stderr.write("", () => process.exit()));
} else {
	const cancelFlag = new SharedArrayBuffer(4);
	data.cancelFlag = cancelFlag;
	const worker = new Worker(programWorkerSource(), {
		eval: true,
		workerData: data,
		...(standby ? { transferList: standby.transfer } : {}),
		resourceLimits: workerResourceLimits(heapMb, PROGRAM_YOUNG_GENERATION_MB),
		stdout: false,
		stderr: false,
	});
	tellWorker = () => {
		Atomics.store(new Int32Array(cancelFlag), 0, 1);
		worker.postMessage(CANCEL_MESSAGE);
	};
	if (signalled) tellWorker();
	let code: number | null = null;
	let session: SessionAnnounce | null = null;
	worker.on("message", (message: { code: number } | SessionAnnounce) => {
		if ("kind" in message && message.kind === "knowledge-etl-session") session = message;
		else if ("code" in message) code = message.code;
	});
	worker.on("error", (error: Error & { code?: string }) => {
		if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
			console.error(afterOutOfMemory(heapMb, argv, session));
		} else {
			console.error(error);
		}
		code = 1;
	});
	worker.on("exit", () => {
		process.exitCode = code ?? 1;
	});
}
