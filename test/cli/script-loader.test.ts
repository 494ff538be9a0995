/**
 * dist/cli.js loads the program (dist/cli-worker.cjs) and the reader (dist/extract-worker.cjs) with the code caches
 * the build saved: used when one belongs to that build, ignored when it is damaged or of another build, refused by
 * V8 when it is not for this script; the script runs the same every time. Also the launcher's files as built: the launcher stays small and loads none of the program.
 */
import { createHash } from "node:crypto";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as module from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { MessageChannel } from "node:worker_threads";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { programCacheFor } from "../../src/cli/launch-plan";
import { loadCachedScript, runProgram, type ScriptDeps } from "../../src/cli/script-loader";
import { CLI_V8_FLAGS, disarmTiering, setCliV8Flags } from "../../src/cli/v8-flags";
import { cacheUnderNowFlags, refused } from "./code-cache-check";
import { buildCli } from "./cli-bundle";

let work = "";
let launcher = "";
let program = "";

interface Compiled {
	withCache: boolean;
	rejected: boolean | undefined;
}

/** The loader's modules, with vm.Script watched: whether it was given a cache, and whether V8 took it. */
function watched(): { deps: ScriptDeps; compiled: Compiled[] } {
	const compiled: Compiled[] = [];
	class Script extends vm.Script {
		constructor(code: string, options?: vm.ScriptOptions) {
			super(code, options);
			compiled.push({ withCache: options?.cachedData !== undefined, rejected: this.cachedDataRejected });
		}
	}
	return { deps: { crypto, fs, module, path, vm: { ...vm, Script } }, compiled };
}

async function runHelp(): Promise<{ code: number; compiled: Compiled[] }> {
	const { deps, compiled } = watched();
	const code = await runProgram(
		deps,
		{ kind: "knowledge-etl-cli", program, argv: ["status", "--help"], isTTY: false, reader: {} },
		loadCachedScript,
	);
	return { code, compiled };
}

beforeAll(async () => {
	// The launcher's V8 flags, as dist/cli.js sets them before it loads the program: V8 takes a code cache only under
	// the flags it was made with, and the build's warm-up run made it through the launcher.
	setCliV8Flags();
	work = await mkdtemp(path.join(tmpdir(), "ketl-loader-"));
	launcher = await buildCli(work, undefined, { codeCache: true });
	program = path.join(work, "cli-worker.cjs");
}, 120_000);

afterAll(async () => {
	if (work) await rm(work, { recursive: true, force: true });
});

// Each run of the program is a process of its own, which arms the interrupt budget once loaded (v8-flags.ts); the
// runs here share one process.
afterEach(() => disarmTiering());

/** Made before any run of the program here: under V8's default flags. */
const PRISTINE = cacheUnderNowFlags();

describe("the program's code cache", () => {
	it("the build's warm-up runs save one for the program, one for organize and one for the reader, each tied to its build and checked whole", async () => {
		const ids = new Set<string>();
		for (const [file, cacheFile] of [
			[program, `${program}.cache`],
			[program, `${program}.organize.cache`],
			[path.join(work, "extract-worker.cjs"), path.join(work, "extract-worker.cjs.cache")],
		] as const) {
			const cache = await readFile(cacheFile);
			const id = /^\/\*! knowledge-etl build ([0-9a-f-]{36}) \*\//.exec(await readFile(file, "utf8"))?.[1];
			expect(id, file).toBeDefined();
			ids.add(id!);
			const end = cache.indexOf(10);
			const sha1 = createHash("sha1")
				.update(cache.subarray(end + 1))
				.digest("hex");
			expect(cache.subarray(0, end).toString("latin1")).toBe(`knowledge-etl code cache ${id} ${sha1}`);
			expect(cache.length).toBeGreaterThan(100_000);
		}
		expect(ids.size).toBe(2);
	});

	it("organize loads the program with its own cache, every other command with the import's", async () => {
		expect(programCacheFor(program, ["organize", "Inbox", "--vault", "v"])).toBe(`${program}.organize.cache`);
		expect(programCacheFor(program, ["organize", "--apply-plan", "s", "--vault", "v"])).toBe(`${program}.organize.cache`);
		for (const argv of [["import", "x.json"], ["status"], ["clean"], []]) expect(programCacheFor(program, argv)).toBeUndefined();
		const { deps, compiled } = watched();
		const read: string[] = [];
		const readFileSync = ((file: string, ...rest: unknown[]) => {
			read.push(file);
			return (fs.readFileSync as (...args: unknown[]) => unknown)(file, ...rest);
		}) as typeof fs.readFileSync;
		const argv = ["organize", "--help"];
		const code = await runProgram(
			{ ...deps, fs: { ...fs, readFileSync } },
			{ kind: "knowledge-etl-cli", program, programCache: programCacheFor(program, argv), argv, isTTY: false, reader: {} },
			loadCachedScript,
		);
		expect(code).toBe(0);
		expect(read).toEqual([program, `${program}.organize.cache`]);
		expect(compiled.map((entry) => entry.withCache)).toEqual([true]);
	});

	it("is used when it belongs to the program", async () => {
		const run = await runHelp();
		expect(run.code).toBe(0);
		expect(run.compiled).toEqual([{ withCache: true, rejected: false }]);
	});

	it("once loaded, the program arms V8's interrupt budget, unless a reader thread was started ahead (which arms it when it gets its inputs)", async () => {
		const ahead = new MessageChannel();
		const relay = new MessageChannel();
		try {
			const withReader = await runProgram(
				watched().deps,
				{
					kind: "knowledge-etl-cli",
					program,
					argv: ["status", "--help"],
					isTTY: false,
					reader: { standby: { port: ahead.port1, relay: relay.port2, heapMb: 0 } },
				},
				loadCachedScript,
			);
			expect(withReader).toBe(0);
			expect(refused(PRISTINE)).toBe(false);
		} finally {
			for (const port of [ahead.port1, ahead.port2, relay.port1, relay.port2]) port.close();
		}
		const run = await runHelp();
		expect(run.code).toBe(0);
		expect(run.compiled).toEqual([{ withCache: true, rejected: false }]);
		expect(refused(PRISTINE)).toBe(true);
	});

	it("each cache the warm-up runs saved is taken by V8 in a fresh process under the launcher's flags (saved disarmed)", async () => {
		// A fresh process: in this one V8 answers from the scripts it compiled already, whatever the cache.
		const child = (file: string, cacheFile: string): string => `"use strict";
const v8 = require("node:v8");
for (const flag of ${JSON.stringify(CLI_V8_FLAGS)}) v8.setFlagsFromString(flag);
const vm = require("node:vm");
let rejected = "not compiled";
class Script extends vm.Script {
	constructor(code, options) {
		super(code, options);
		if (options && options.cachedData) rejected = String(this.cachedDataRejected);
	}
}
const deps = { crypto: require("node:crypto"), fs: require("node:fs"), vm: { ...vm, Script }, module: require("node:module"), path: require("node:path") };
try { (${loadCachedScript.toString()})(deps, ${JSON.stringify(file)}, ${JSON.stringify(cacheFile)}); } catch (e) { /* the reader's script needs its thread: compiled is enough */ }
process.stdout.write(rejected);`;
		const reader = path.join(work, "extract-worker.cjs");
		for (const [file, cacheFile] of [
			[program, `${program}.cache`],
			[program, `${program}.organize.cache`],
			[reader, `${reader}.cache`],
		] as const) {
			const { stdout } = await promisify(execFile)(process.execPath, ["-e", child(file, cacheFile)]);
			expect(stdout, cacheFile).toBe("false");
		}
	});

	/** Replaces the cache for one run of `check`, then puts it back. */
	async function withCache(replace: (cache: Buffer) => Buffer, check: () => Promise<void>): Promise<void> {
		const cache = await readFile(`${program}.cache`);
		await writeFile(`${program}.cache`, replace(cache));
		try {
			await check();
		} finally {
			await writeFile(`${program}.cache`, cache);
		}
	}

	it("is not used when damaged (V8 would not notice: it could crash), and the program runs all the same", async () => {
		await withCache(
			(cache) => {
				const damaged = Buffer.from(cache);
				for (let i = cache.indexOf(10) + 64; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0x5a;
				return damaged;
			},
			async () => {
				const run = await runHelp();
				expect(run.code).toBe(0);
				expect(run.compiled).toEqual([{ withCache: false, rejected: undefined }]);
			},
		);
	});

	it("a whole cache that V8 refuses (here: of another script) is refused safely: the built CLI runs all the same", async () => {
		// In a new process: this one has compiled the program already, and V8 would reuse that instead.
		const other = new vm.Script("(function () { return 1; })").createCachedData();
		await withCache(
			(cache) => {
				const header = cache
					.subarray(0, cache.indexOf(10))
					.toString("latin1")
					.replace(/ [0-9a-f]{40}$/, "");
				return Buffer.concat([Buffer.from(`${header} ${createHash("sha1").update(other).digest("hex")}\n`, "latin1"), other]);
			},
			async () => {
				const vault = await mkdtemp(path.join(tmpdir(), "ketl-loader-vault-"));
				try {
					const { stdout } = await promisify(execFile)(process.execPath, [launcher, "status", "--all", "--json", "--vault", vault]);
					expect(JSON.parse(stdout)).toMatchObject({ sessions: [] });
				} finally {
					await rm(vault, { recursive: true, force: true });
				}
			},
		);
	});

	it("is not used with another build of the program (another build id), which runs all the same", async () => {
		const text = await readFile(program, "utf8");
		await writeFile(program, text.replace(/^(\/\*! knowledge-etl build )[0-9a-f-]{36}/, "$100000000-0000-4000-8000-000000000000"));
		try {
			const run = await runHelp();
			expect(run.code).toBe(0);
			expect(run.compiled).toEqual([{ withCache: false, rejected: undefined }]);
		} finally {
			await writeFile(program, text);
		}
	});
});

describe("the built launcher", () => {
	it("is small and holds none of the program (it is loaded in the thread that runs the command)", async () => {
		const text = await readFile(launcher, "utf8");
		expect(text.length).toBeLessThan(20_000);
		expect(text).not.toMatch(/zod|ZodObject|YAMLMap|ZipReader/);
	});

	it("copied alone (without the program beside it), it says what is missing and exits 1, with no stack trace", async () => {
		const lone = await mkdtemp(path.join(tmpdir(), "ketl-lone-"));
		try {
			const copy = path.join(lone, path.basename(launcher));
			await writeFile(copy, await readFile(launcher));
			const failed = await promisify(execFile)(process.execPath, [copy, "--help"]).then(
				() => null,
				(e: { code?: number; stderr?: string }) => e,
			);
			expect(failed?.code).toBe(1);
			expect(failed?.stderr).toContain(`${path.join(lone, "cli-worker.cjs")} is missing`);
			expect(failed?.stderr).not.toMatch(/\n\s+at /);
		} finally {
			await rm(lone, { recursive: true, force: true });
		}
	});

	it("runs a command in its worker, and in its own thread when the heap cap is off", async () => {
		const run = promisify(execFile);
		const vault = await mkdtemp(path.join(tmpdir(), "ketl-loader-vault-"));
		try {
			for (const heap of ["192", "0"]) {
				const { stdout } = await run(process.execPath, [launcher, "status", "--all", "--json", "--vault", vault], {
					env: { ...process.env, KNOWLEDGE_ETL_HEAP_MB: heap },
				});
				expect(JSON.parse(stdout)).toMatchObject({ sessions: [] });
			}
		} finally {
			await rm(vault, { recursive: true, force: true });
		}
	});
});

describe("the scripts' source on the heap", () => {
	it("the program and the reader are built ASCII only: V8 holds a script with one character beyond Latin-1 at two bytes a character", async () => {
		for (const file of [program, path.join(work, "extract-worker.cjs")]) {
			const text = await readFile(file, "utf8");
			expect(text.match(/[\u0080-\uffff]/g), file).toBeNull();
		}
	});

	it("once loaded, the program's source is held once (the copy V8 compiled), not a second time by the loader", async () => {
		// A fresh process, collected before and after: how much the large objects (each source string is one) grew.
		const child = `"use strict";
const v8 = require("node:v8");
const large = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "large_object_space").space_used_size;
const deps = { crypto: require("node:crypto"), fs: require("node:fs"), vm: require("node:vm"), module: require("node:module"), path: require("node:path") };
gc();
const before = large();
const loaded = (${loadCachedScript.toString()})(deps, ${JSON.stringify(program)});
gc();
gc();
process.stdout.write(String(large() - before));
globalThis.keep = loaded;`;
		const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "-e", child]);
		const size = (await readFile(program)).length;
		expect(Number(stdout)).toBeGreaterThan(size * 0.9);
		expect(Number(stdout)).toBeLessThan(size * 1.2);
	});
});
