import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeMixedExport, type WrittenExport } from "../../../../bench/generate";
import { runImportSession, type ImportRequest } from "../../../../src/core/import/pipeline/import-session";
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
