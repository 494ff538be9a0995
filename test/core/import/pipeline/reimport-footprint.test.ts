import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeMixedExport, type WrittenExport } from "../../../../bench/generate";
import { runImportSession, summarize, type ImportRequest } from "../../../../src/core/import/pipeline/import-session";
import { ItemStatusIndex } from "../../../../src/core/logs/item-status-index";
import { PhaseManager } from "../../../../src/core/session/phase-manager";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { silentLogger } from "../../../../src/core/ports/logger";
import { systemClock } from "../../../../src/core/ports/clock";
import type { StagingStore } from "../../../../src/core/ports/staging-store";

/**
 * What an import writes into its session, counted at the staging store (every write, append and atomic write, by
 * path): what a run costs in bytes written, not what the compaction at its end leaves.
 */
class CountingStore {
	readonly written = new Map<string, number>();
	constructor(readonly inner: StagingStore) {}
	count(file: string, bytes: number): void {
		this.written.set(file, (this.written.get(file) ?? 0) + bytes);
	}
	/** Bytes written under `.staging/@session/<id>/` (all sessions), optionally only paths matching `filter`. */
	sessionBytes(filter: (path: string) => boolean = () => true): number {
		let total = 0;
		for (const [p, n] of this.written) if (p.includes("@session/") && filter(p)) total += n;
		return total;
	}
	store(): StagingStore {
		const inner = this.inner;
		const bytes = (s: string): number => Buffer.byteLength(s, "utf8");
		return new Proxy(inner, {
			get: (target, prop, receiver) => {
				const value: unknown = Reflect.get(target, prop, receiver);
				if (typeof value !== "function") return value;
				const fn = value as (...args: unknown[]) => unknown;
				if (prop === "writeAtomic" || prop === "write" || prop === "createExclusive" || prop === "append")
					return (p: string, data: string, ...rest: unknown[]) => {
						this.count(p, bytes(data));
						return fn.call(target, p, data, ...rest);
					};
				if (prop === "appendLines")
					return (p: string, lines: readonly string[], ...rest: unknown[]) => {
						for (const l of lines) this.count(p, bytes(l) + 1);
						return fn.call(target, p, lines, ...rest);
					};
				return fn.bind(target);
			},
		});
	}
}

let root: string | undefined;
afterEach(async () => {
	if (root) await fs.rm(root, { recursive: true, force: true });
	root = undefined;
});

async function setUp(conversations: number, seed: number): Promise<{ exported: WrittenExport[]; vault: string }> {
	root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-reimport-"));
	const exported = await writeMixedExport(path.join(root, "export"), conversations, seed);
	const vault = path.join(root, "vault");
	await fs.mkdir(vault);
	return { exported, vault };
}

async function importOnce(vault: string, exported: WrittenExport[], request: Partial<ImportRequest> = {}, counting?: CountingStore) {
	const store = counting ? counting.store() : new NodeStagingStore(vault);
	const deps = { store, vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger };
	const sources = await Promise.all(exported.map((e) => NodeByteSource.open(e.path)));
	try {
		return await runImportSession(deps, { mode: "new", sources, ...request });
	} finally {
		for (const s of sources) await s.close();
	}
}

const stepLogs = (p: string): boolean => p.endsWith("/steps.jsonl");

describe("per-step logs of an import", () => {
	it("are written for every step in debug mode only; a run outside it writes none for items that went through", async () => {
		const { exported, vault } = await setUp(60, 11);
		const plain = new CountingStore(new NodeStagingStore(vault));
		const first = await importOnce(vault, exported, {}, plain);
		expect(first.notes.created).toBe(60);
		expect(first.counts.failed).toBe(0);
		expect(plain.sessionBytes(stepLogs)).toBe(0);

		// Debug mode keeps everything: a record for each step of each item in each stage (here a re-import).
		await new Promise((r) => setTimeout(r, 1100)); // a new session id
		const debug = new CountingStore(new NodeStagingStore(vault));
		const again = await importOnce(vault, exported, { debugMode: true }, debug);
		expect(again.notes.unchanged).toBe(60);
		const session = path.join(vault, ".staging/@session", again.session_id, "import");
		for (const stage of ["extract", "transform", "load"]) {
			const lines = (await fs.readFile(path.join(session, stage, "steps.jsonl"), "utf8")).split("\n").filter((l) => l !== "");
			const items = new Set(lines.map((l) => (JSON.parse(l) as { item_id: string }).item_id));
			expect(items.size, stage).toBe(60);
		}
	});
});

const underSessionOutput = (p: string): boolean => p.includes("/extract/output/");
const stageLog = (p: string): boolean => p.endsWith("/pipeline_stages.jsonl");

describe("an unchanged re-import", () => {
	it("keeps no copy of its conversations and no record per item, and counts every one of them", async () => {
		const N = 120;
		const { exported, vault } = await setUp(N, 21);
		const first = await importOnce(vault, exported);
		expect(first.notes.created).toBe(N);
		await new Promise((r) => setTimeout(r, 1100));

		const counting = new CountingStore(new NodeStagingStore(vault));
		const again = await importOnce(vault, exported, {}, counting);
		expect(again.counts).toEqual({ total: N, success: N, failed: 0, skipped: 0 });
		expect(again.notes).toEqual({ created: 0, updated: 0, unchanged: N, preserved: 0, review: 0 });
		expect(counting.sessionBytes(underSessionOutput)).toBe(0);
		expect(counting.sessionBytes(stageLog)).toBe(0);
		// What is left is the session's state files (phase.json saved every 2 s, session.json, the inputs): a few KB
		// whatever the number of conversations (the first import wrote ~100 times this).
		expect(counting.sessionBytes()).toBeLessThan(32 * 1024);
		// status reads the same counts back from the finished session.
		const status = await ItemStatusIndex.read(new NodeStagingStore(vault), again.session_id, "import");
		for (const stage of ["extract", "transform", "load"] as const) expect(status.counts(stage)).toMatchObject({ total: N, success: N });
		const phase = await new PhaseManager(new NodeStagingStore(vault), systemClock).load(again.session_id, "import");
		for (const stage of ["extract", "transform", "load"] as const)
			expect(phase.stages[stage].counts).toMatchObject({ total: N, success: N });

		// Debug mode keeps everything: each conversation's copy and its records.
		await new Promise((r) => setTimeout(r, 1100));
		const debug = new CountingStore(new NodeStagingStore(vault));
		const inDebug = await importOnce(vault, exported, { debugMode: true }, debug);
		expect(inDebug.notes.unchanged).toBe(N);
		expect(debug.sessionBytes(underSessionOutput)).toBeGreaterThan(0);
		const records = (await fs.readFile(path.join(vault, ".staging/@session", inDebug.session_id, "import/pipeline_stages.jsonl"), "utf8"))
			.split("\n")
			.filter((l) => l !== "");
		expect(records).toHaveLength(3 * N);
	});
});

/** The notes of a vault (path → text), the session ids in them made alike. */
async function notesOf(vault: string): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	const walk = async (dir: string): Promise<void> => {
		for (const e of await fs.readdir(dir, { withFileTypes: true })) {
			if (e.name === ".staging") continue;
			const p = path.join(dir, e.name);
			if (e.isDirectory()) await walk(p);
			else out.set(path.relative(vault, p), (await fs.readFile(p, "utf8")).replace(/\d{8}_\d{6}/g, "SESSION"));
		}
	};
	await walk(vault);
	return out;
}

/** Conversations `at` of the Claude export renamed and updated at the source (their notes are re-rendered). */
async function changeClaude(exported: WrittenExport[], at: number[]): Promise<void> {
	const file = exported.find((e) => e.shape === "claude")!.path;
	const conversations = JSON.parse(await fs.readFile(file, "utf8")) as { name: string; updated_at: string }[];
	for (const i of at) {
		conversations[i]!.name = `${conversations[i]!.name} (renamed)`;
		conversations[i]!.updated_at = new Date(Date.parse(conversations[i]!.updated_at) + 86_400_000).toISOString();
	}
	await fs.writeFile(file, JSON.stringify(conversations));
}

describe("an interrupted re-import", () => {
	const N = 160;
	// Early: extract is stopped too (the resume extracts again); late: extract has read everything (the resume reads
	// back what it kept, which holds none of the unchanged ones).
	for (const { stopAt, extractDone } of [
		{ stopAt: 2, extractDone: false },
		// Some changed ones already updated: the resume's extract finds them unchanged now, yet they are counted once.
		{ stopAt: 50, extractDone: false },
		{ stopAt: N - 4, extractDone: true },
	]) {
		it(`resumed, gives the vault an uninterrupted one gives, and counts every conversation once (stopped after ${stopAt} loaded)`, async () => {
			const { exported, vault } = await setUp(N, 31);
			expect((await importOnce(vault, exported)).notes.created).toBe(N);
			const twin = path.join(root!, "twin");
			await fs.cp(vault, twin, { recursive: true });
			const changed = [3, 17, 30, 44, 58, 61, 70, 75];
			await changeClaude(exported, changed);
			await new Promise((r) => setTimeout(r, 1100));

			const whole = await importOnce(twin, exported);
			expect(whole.notes).toMatchObject({ updated: changed.length, unchanged: N - changed.length });

			const stop = new AbortController();
			const cut = await importOnce(vault, exported, {
				signal: stop.signal,
				onProgress: (p) => {
					if (p.stage === "load" && p.counts.total >= stopAt) stop.abort();
				},
			});
			expect(cut.status).toBe("stopped");
			const phases = new PhaseManager(new NodeStagingStore(vault), systemClock);
			expect((await phases.load(cut.session_id, "import")).stages.extract.status === "completed").toBe(extractDone);
			// An interrupted session's counts add up: what was found unchanged so far is counted, the rest pending.
			const store = new NodeStagingStore(vault);
			const summary = await summarize(store, cut.session_id, silentLogger, "stopped", { unfinished: "pending" });
			expect(summary.counts.total).toBe(
				summary.counts.success + summary.counts.failed + summary.counts.skipped + (summary.counts.pending ?? 0),
			);

			const sources = await Promise.all(exported.map((e) => NodeByteSource.open(e.path)));
			let resumed;
			try {
				resumed = await runImportSession(
					{ store, vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger },
					{ mode: "resume", sessionId: cut.session_id, sources },
				);
			} finally {
				for (const s of sources) await s.close();
			}
			expect(resumed.status).toBe("completed");
			expect(resumed.counts).toEqual({ total: N, success: N, failed: 0, skipped: 0 });
			expect(resumed.notes).toMatchObject({ created: 0, updated: changed.length, unchanged: N - changed.length });
			expect(await notesOf(vault)).toEqual(await notesOf(twin));
		});
	}
});
