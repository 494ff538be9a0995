// Loads the CLI's scripts (dist/cli-worker.cjs, the program; dist/extract-worker.cjs, the export's reader) with
// V8's code cache when the build left one.
//
// Compiling a 1-2 MB bundle, and then each function it calls for the first time, is most of a short run's start-up.
// `npm run build` runs a small import once and saves V8's code cache of each script then (<script>.cache): later
// runs load the compiled code instead. Organize has a cache of its own (cli-worker.cjs.organize.cache, saved after a
// small preview): its code, not the import's (see programCacheFor). A cache of another build (the build id at the top of the script differs from
// the one recorded in it) or a damaged one (its SHA-1 differs) is not used, and V8 itself refuses one from another
// Node version or with other flags; the script then compiles as without a cache.
//
// The functions here also run as the body of worker threads (started with `eval: true`, a CommonJS script that
// needs no module loader), so each must not use anything outside itself: modules and helpers come as arguments.
import type * as Crypto from "node:crypto";
import type * as Fs from "node:fs";
import type * as Module from "node:module";
import type * as Path from "node:path";
import type * as Vm from "node:vm";
import type { ReaderHandoff } from "./extract-thread/handoff";

export interface ScriptDeps {
	crypto: typeof Crypto;
	fs: typeof Fs;
	vm: typeof Vm;
	module: typeof Module;
	path: typeof Path;
}

export interface LoadedScript {
	/** What the script put on `module.exports`. */
	exports: Record<string, unknown>;
	/** Saves V8's code cache of the script as it is now (after a run: with the functions it compiled). */
	saveCache(): void;
}

export type LoadCachedScript = (deps: ScriptDeps, file: string, cacheFile?: string) => LoadedScript;

/**
 * Compiles and runs a CommonJS script of the build, with its code cache (`cacheFile`, default `<file>.cache`) when
 * there is a good one; saveCache writes that file. Self-contained.
 */
export function loadCachedScript(deps: ScriptDeps, file: string, cacheFile = `${file}.cache`): LoadedScript {
	const scriptBytes = deps.fs.readFileSync(file);
	const source = scriptBytes.toString("utf8");
	// The build writes a random id at the top of each script; the cache's header holds it (so a cache is only used
	// with the build it was made for, wherever the files were copied) and the SHA-1 of the cache: V8 does not check
	// that a cache is whole, and a damaged one could crash the process. The id is matched in a string of the first
	// bytes, not in `source`: a match is a slice of its string and keeps all of it alive, and saveCache holds the id
	// for the whole run (a second copy of the script's source on the heap beside the one V8 compiled: 1.8 MB in the
	// program's thread, 0.7 MB in the reader's).
	const buildId = /^\/\*! knowledge-etl build ([0-9a-z-]+) \*\//.exec(scriptBytes.toString("latin1", 0, 128))?.[1];
	const sha1 = (bytes: Uint8Array): string => deps.crypto.createHash("sha1").update(bytes).digest("hex");
	let cachedData: Buffer | undefined;
	try {
		const saved = buildId ? deps.fs.readFileSync(cacheFile) : null;
		const end = saved ? saved.indexOf(10) : -1;
		if (saved && end > 0) {
			const data = saved.subarray(end + 1);
			if (saved.subarray(0, end).toString("latin1") === `knowledge-etl code cache ${buildId} ${sha1(data)}`) cachedData = data;
		}
	} catch {
		// No cache (a build without its warm-up run): compile.
	}
	// The wrapper stays on the first line: the script's line numbers in stack traces are its file's.
	const script = new deps.vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
		filename: file,
		...(cachedData ? { cachedData } : {}),
	});
	const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
	const mod = { exports: {} as Record<string, unknown> };
	wrapper.call(mod.exports, mod.exports, deps.module.createRequire(file), mod, file, deps.path.dirname(file));
	return {
		exports: mod.exports,
		saveCache: () => {
			if (!buildId) return;
			const data = script.createCachedData();
			const temp = `${cacheFile}.tmp-${process.pid}`;
			deps.fs.writeFileSync(temp, Buffer.concat([Buffer.from(`knowledge-etl code cache ${buildId} ${sha1(data)}\n`, "latin1"), data]));
			deps.fs.renameSync(temp, cacheFile);
		},
	};
}

/** What the launcher hands the thread that runs the program. */
export interface ProgramData {
	kind: "knowledge-etl-cli";
	/** The program's file (dist/cli-worker.cjs). */
	program: string;
	/** The program's code cache, when not `<program>.cache` (organize's own: programCacheFor). */
	programCache?: string;
	argv: string[];
	isTTY: boolean;
	/** The export's reader thread: its script, and the one started ahead when the command line names a large export. */
	reader: ReaderHandoff;
	/** Save V8's code cache of the program after the run (the build's warm-up run). */
	writeCodeCache?: boolean;
	/** Set to 1 by the launcher on Ctrl-C (an Int32Array's first element): see programWorkerSource. */
	cancelFlag?: SharedArrayBuffer;
}

/** What dist/cli-worker.cjs exports (cli-worker.ts). */
export interface ProgramExports {
	runCli(argv: string[], isTTY: boolean, reader?: ReaderHandoff, signal?: AbortSignal): Promise<number>;
	/** V8's default flags again (v8-flags.ts), before the warm-up saves the program's code cache. */
	disarmTiering(): void;
}

/** The launcher's message that stops the run (Ctrl-C or SIGTERM reached the process). */
export const CANCEL_MESSAGE = "knowledge-etl-cancel";

/**
 * Loads the program, runs one command line, resolves to its exit code; `signal` stops the run (Ctrl-C). Self-contained
 * (see above).
 */
export function runProgram(deps: ScriptDeps, data: ProgramData, load: LoadCachedScript, signal?: AbortSignal): Promise<number> {
	const program = load(deps, data.program, data.programCache);
	const programExports = program.exports as unknown as ProgramExports;
	return programExports.runCli(data.argv, data.isTTY, data.reader, signal).then((code) => {
		if (data.writeCodeCache) {
			// Saved under V8's default flags, as the next run loads it (v8-flags.ts).
			programExports.disarmTiering();
			program.saveCache();
		}
		return code;
	});
}

const DEPS = `{ crypto: require("node:crypto"), fs: require("node:fs"), vm: require("node:vm"), module: require("node:module"), path: require("node:path") }`;

/**
 * The source of the worker thread that runs the program (`new Worker(source, { eval: true, workerData: ProgramData })`).
 * A worker gets no signals: on Ctrl-C the launcher sets `cancelFlag` and posts {@link CANCEL_MESSAGE}; either aborts
 * the run's signal. The message reaches a run that awaits I/O (an import); the flag one that does its I/O
 * synchronously and never lets a message in (the CLI vault's organize apply): reading `signal.aborted` looks at it.
 * The port is unref'd, so listening does not keep the thread alive once the run is over.
 */
export function programWorkerSource(): string {
	return `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const stop = new AbortController();
parentPort.on("message", (message) => {
	if (message === ${JSON.stringify(CANCEL_MESSAGE)}) stop.abort();
});
parentPort.unref();
if (workerData.cancelFlag) {
	const flag = new Int32Array(workerData.cancelFlag);
	const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get;
	Object.defineProperty(stop.signal, "aborted", {
		get() {
			if (!aborted.call(this) && Atomics.load(flag, 0) === 1) stop.abort();
			return aborted.call(this);
		},
	});
}
(${runProgram.toString()})(${DEPS}, workerData, ${loadCachedScript.toString()}, stop.signal).then(
	(code) => parentPort.postMessage({ code }),
	(error) => {
		console.error(error);
		parentPort.postMessage({ code: 1 });
	},
);
`;
}

/** What a reader thread gets (`new Worker(readerWorkerSource(), { eval: true, workerData: ReaderData })`). */
export interface ReaderData<Start> {
	/** The reader's script (dist/extract-worker.cjs). */
	script: string;
	start: Start;
	/** Save V8's code cache of the reader when it is closed (the build's warm-up run). */
	writeCodeCache?: boolean;
}

/** The source of a reader thread: loads dist/extract-worker.cjs and calls its `startReader` (extract-worker.ts). */
export function readerWorkerSource(): string {
	return `"use strict";
const { workerData } = require("node:worker_threads");
const reader = (${loadCachedScript.toString()})(${DEPS}, workerData.script);
reader.exports.startReader(workerData.start, workerData.writeCodeCache ? () => reader.saveCache() : undefined);
`;
}
