// Loads the CLI program (dist/cli-worker.cjs) for dist/cli.js, with V8's code cache when the build left one.
//
// Compiling the 1.7 MB program, and then each function it calls for the first time, is most of a short run's
// start-up. `npm run build` runs a small import once and saves V8's code cache of the program then
// (cli-worker.cjs.cache): later runs load the compiled code instead. A cache of another build (the build id at the
// top of the program differs from the one recorded in it) or a damaged one (its SHA-1 differs) is not used, and V8
// itself refuses one from another Node version or with other flags; the program then compiles as without a cache.
//
// `runProgram` is also the body of the worker thread (started with `eval: true`, a CommonJS script that needs no
// module loader), so it must not use anything outside itself: its modules come in `deps`.
import type * as Crypto from "node:crypto";
import type * as Fs from "node:fs";
import type * as Module from "node:module";
import type * as Path from "node:path";
import type * as Vm from "node:vm";
import type { ReaderHandoff } from "./extract-thread/handoff";

/** What the launcher hands the thread that runs the program. */
export interface ProgramData {
	kind: "knowledge-etl-cli";
	/** The program's file (dist/cli-worker.cjs). */
	program: string;
	argv: string[];
	isTTY: boolean;
	/** The export's reader thread: its worker script, and the one started ahead when the command line names a large export. */
	reader: ReaderHandoff;
	/** Save V8's code cache of the program after the run (the build's warm-up run). */
	writeCodeCache?: boolean;
}

export interface ProgramDeps {
	crypto: typeof Crypto;
	fs: typeof Fs;
	vm: typeof Vm;
	module: typeof Module;
	path: typeof Path;
}

/** What dist/cli-worker.cjs exports (cli-worker.ts). */
export interface ProgramExports {
	runCli(argv: string[], isTTY: boolean, reader?: ReaderHandoff): Promise<number>;
}

/** Loads the program, runs one command line, resolves to its exit code. Self-contained (see above). */
export function runProgram(deps: ProgramDeps, data: ProgramData): Promise<number> {
	const file = data.program;
	const cacheFile = `${file}.cache`;
	const source = deps.fs.readFileSync(file, "utf8");
	// The build writes a random id at the top of the program; the cache's header holds it (so a cache is only used
	// with the build it was made for, wherever the files were copied) and the SHA-1 of the cache: V8 does not check
	// that a cache is whole, and a damaged one could crash the process.
	const buildId = /^\/\*! knowledge-etl build ([0-9a-z-]+) \*\//.exec(source)?.[1];
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
	// The wrapper stays on the first line: the program's line numbers in stack traces are its file's.
	const script = new deps.vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
		filename: file,
		...(cachedData ? { cachedData } : {}),
	});
	const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
	const mod = { exports: {} as ProgramExports };
	wrapper.call(mod.exports, mod.exports, deps.module.createRequire(file), mod, file, deps.path.dirname(file));
	return mod.exports.runCli(data.argv, data.isTTY, data.reader).then((code) => {
		if (data.writeCodeCache && buildId) {
			const temp = `${cacheFile}.tmp-${process.pid}`;
			const data = script.createCachedData();
			deps.fs.writeFileSync(temp, Buffer.concat([Buffer.from(`knowledge-etl code cache ${buildId} ${sha1(data)}\n`, "latin1"), data]));
			deps.fs.renameSync(temp, cacheFile);
		}
		return code;
	});
}

/** The source of the worker thread that runs the program (`new Worker(source, { eval: true, workerData })`). */
export function programWorkerSource(): string {
	return `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const deps = { crypto: require("node:crypto"), fs: require("node:fs"), vm: require("node:vm"), module: require("node:module"), path: require("node:path") };
(${runProgram.toString()})(deps, workerData).then(
	(code) => parentPort.postMessage({ code }),
	(error) => {
		console.error(error);
		parentPort.postMessage({ code: 1 });
	},
);
`;
}
