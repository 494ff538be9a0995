import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import type { MadeNoteParts } from "../../../../src/core/app/types";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { runImportSession } from "../../../../src/core/import/pipeline/import-session";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { claudeConv, vaultFiles, withoutSession, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

/** A vault whose note creations wait, after the first `free` ones, until `open()`: load falls far behind. */
class GatedVault extends NodeNoteVault {
	created = 0;
	private release: () => void = () => undefined;
	private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
	constructor(
		root: string,
		private readonly free: number,
	) {
		super(root);
	}
	open(): void {
		this.release();
	}
	override async create(p: string, content: string): Promise<void> {
		if (++this.created > this.free) await this.gate;
		await super.create(p, content);
	}
	// The import's way to create a note on this vault (one pass, see note-bytes.ts): held the same.
	override async createMade(p: string, note: MadeNoteParts): Promise<{ noteHex: string; bytes: number }> {
		if (++this.created > this.free) await this.gate;
		return super.createMade(p, note);
	}
}

const COUNT = 450; // more than four shards of 100, far more than the 32 handed over in memory

async function exportFile(): Promise<string> {
	const dir = await tempDir("ketl-ahead-");
	return writeJson(
		join(dir, "conversations.json"),
		Array.from({ length: COUNT }, (_, i) => claudeConv({ id: `a${i}`, title: i % 7 === 0 ? "Same title" : `Note ${i}` })),
	);
}

describe("runImportSession with extractAhead", () => {
	it("extract reads the whole export while load is stalled, and the notes equal a paced run's", async () => {
		const input = await exportFile();
		const reference = await tempDir("ketl-ahead-ref-");
		const refSource = await NodeByteSource.open(input);
		await runImportSession(
			{ store: new NodeStagingStore(reference), vault: new NodeNoteVault(reference), clock: systemClock, logger: silentLogger },
			{ mode: "new", sources: [refSource], options: { inputs: [input] } },
		);
		await refSource.close();

		const root = await tempDir("ketl-ahead-vault-");
		const vault = new GatedVault(root, 3);
		const source = await NodeByteSource.open(input);
		let extracted = 0;
		let notesWhenExtractEnded = -1;
		const run = runImportSession(
			{ store: new NodeStagingStore(root), vault, clock: systemClock, logger: silentLogger },
			{
				mode: "new",
				sources: [source],
				options: { inputs: [input] },
				extractAhead: true,
				onProgress: (p) => {
					if (p.stage !== "extract") return;
					extracted = p.done;
					if (p.done === COUNT && notesWhenExtractEnded < 0) {
						notesWhenExtractEnded = vault.created;
						vault.open(); // only now may load go on
					}
				},
			},
		);
		const summary = await run;
		await source.close();
		expect(extracted).toBe(COUNT);
		// Extract went through all 450 while at most a handful of notes could be written (a paced extract stops near 3 + 2 × 32).
		expect(notesWhenExtractEnded).toBeLessThanOrEqual(10);
		expect(summary.status).toBe("completed");
		expect(summary.notes.created).toBe(COUNT);
		const files = await vaultFiles(root);
		expect(files).toEqual(await vaultFiles(reference));
		for (const f of files)
			expect(withoutSession(await readFile(join(root, f), "utf8"))).toBe(withoutSession(await readFile(join(reference, f), "utf8")));
	}, 120_000);

	it("stopped while load is far behind: extract has finished, and the resume needs no export", async () => {
		const input = await exportFile();
		const reference = await tempDir("ketl-ahead-ref2-");
		const refSource = await NodeByteSource.open(input);
		await runImportSession(
			{ store: new NodeStagingStore(reference), vault: new NodeNoteVault(reference), clock: systemClock, logger: silentLogger },
			{ mode: "new", sources: [refSource], options: { inputs: [input] } },
		);
		await refSource.close();

		const root = await tempDir("ketl-ahead-cut-");
		const store = new NodeStagingStore(root);
		const vault = new GatedVault(root, 40);
		const controller = new AbortController();
		const source = await NodeByteSource.open(input);
		const cut = await runImportSession(
			{ store, vault, clock: systemClock, logger: silentLogger },
			{
				mode: "new",
				sources: [source],
				options: { inputs: [input] },
				extractAhead: true,
				signal: controller.signal,
				onSession: (id) => {
					// Stop (as Obsidian quitting would) once extract is recorded complete: load is still stalled.
					void (async () => {
						const file = join(root, ".staging/@session", id, "import/phase.json");
						for (;;) {
							await new Promise((r) => setTimeout(r, 20));
							const text = await readFile(file, "utf8").catch(() => "");
							if (
								text.includes('"stage_type": "extract"') &&
								(JSON.parse(text) as { stages: { extract: { status: string } } }).stages.extract.status === "completed"
							)
								break;
						}
						controller.abort();
						vault.open();
					})();
				},
			},
		);
		await source.close();
		expect(cut.status).toBe("stopped");
		expect(cut.counts.failed).toBe(0);
		expect(cut.counts.success).toBeLessThan(COUNT);
		expect(cut.counts.success + cut.counts.skipped + (cut.counts.pending ?? 0)).toBe(cut.counts.total);
		const phase = JSON.parse(await readFile(join(root, ".staging/@session", cut.session_id, "import/phase.json"), "utf8")) as {
			stages: { extract: { status: string } };
		};
		expect(phase.stages.extract.status).toBe("completed");

		const resumed = await runImportSession(
			{ store, vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
			{
				mode: "resume",
				sessionId: cut.session_id,
				openSources: () => Promise.reject(new Error("the export is gone")),
				extractAhead: true,
			},
		);
		expect(resumed.status).toBe("completed");
		expect(resumed.counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });
		const files = await vaultFiles(root);
		expect(files).toEqual(await vaultFiles(reference));
		for (const f of files)
			expect(withoutSession(await readFile(join(root, f), "utf8"))).toBe(withoutSession(await readFile(join(reference, f), "utf8")));
	}, 120_000);
});
