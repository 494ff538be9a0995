import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import type { MadeNoteParts } from "../../../../src/core/app/types";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { runImportSession, type ImportSummary } from "../../../../src/core/import/pipeline/import-session";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import type { StageType } from "../../../../src/core/model/status";
import { claudeConv, vaultFiles, withoutSession, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

const COUNT = 60;

async function exportFile(): Promise<string> {
	const dir = await tempDir("ketl-cancel-");
	return writeJson(
		join(dir, "conversations.json"),
		Array.from({ length: COUNT }, (_, i) => claudeConv({ id: `k${i}`, title: i % 5 === 0 ? "Same title" : `Note ${i}` })),
	);
}

async function run(
	vault: string,
	input: string | null,
	mode: "new" | "resume",
	stopIn?: { stage: StageType; after: number },
	sessionId?: string,
): Promise<ImportSummary> {
	const deps = { store: new NodeStagingStore(vault), vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger };
	const controller = new AbortController();
	const sources = input ? [await NodeByteSource.open(input)] : [];
	try {
		return await runImportSession(deps, {
			mode,
			...(sessionId ? { sessionId } : {}),
			...(mode === "new" ? { sources } : { openSources: async () => [await NodeByteSource.open(input!)] }),
			options: { inputs: input ? [input] : [] },
			signal: controller.signal,
			onProgress: (p) => {
				if (stopIn && p.stage === stopIn.stage && p.done >= stopIn.after) controller.abort();
			},
		});
	} finally {
		for (const s of sources) await s.close();
	}
}

describe("runImportSession: cancelled in a stage, then resumed", () => {
	for (const stage of ["extract", "transform", "load"] as const) {
		it(`cancelled during ${stage}: resume gives the same notes as an uninterrupted run`, async () => {
			const input = await exportFile();
			const reference = await tempDir("ketl-ref-");
			const full = await run(reference, input, "new");
			expect(full.counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });

			const vault = await tempDir("ketl-cut-");
			const cut = await run(vault, input, "new", { stage, after: COUNT / 3 });
			expect(cut.status).toBe("stopped");
			expect(cut.error).toMatch(/Cancelled/);
			// Items in flight when it stopped are pending, not failures, and the counts add up.
			expect(cut.counts.failed).toBe(0);
			expect(cut.failures).toEqual([]);
			const c = cut.counts;
			expect(c.success + c.failed + c.skipped + (c.pending ?? 0)).toBe(c.total);
			const resumed = await run(vault, input, "resume", undefined, cut.session_id);
			expect(resumed.session_id).toBe(cut.session_id);
			expect(resumed.status).toBe("completed");
			expect(resumed.counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });
			expect(resumed.notes.created).toBe(COUNT);

			const files = await vaultFiles(vault);
			expect(files).toEqual(await vaultFiles(reference));
			for (const f of files) {
				expect(withoutSession(await readFile(join(vault, f), "utf8"))).toBe(withoutSession(await readFile(join(reference, f), "utf8")));
			}
		}, 60_000);
	}
});

/** A vault whose note creations wait, after the first `free` ones, until `open()`: load falls behind extract. */
class GatedVault extends NodeNoteVault {
	private created = 0;
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

describe("runImportSession: the stages run at the same time", () => {
	it("notes are written while the export is still being read (the hand-over is bounded)", async () => {
		const dir = await tempDir("ketl-stream-");
		const many = 400;
		const input = await writeJson(
			join(dir, "conversations.json"),
			Array.from({ length: many }, (_, i) => claudeConv({ id: `s${i}`, title: `Note ${i}` })),
		);
		const root = await tempDir("ketl-stream-vault-");
		const source = await NodeByteSource.open(input);
		let extracted = 0;
		let extractedAtFirstNote = -1;
		const summary = await runImportSession(
			{ store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
			{
				mode: "new",
				sources: [source],
				options: { inputs: [input] },
				onProgress: (p) => {
					if (p.stage === "extract") extracted = p.done;
					if (p.stage === "load" && extractedAtFirstNote < 0) extractedAtFirstNote = extracted;
				},
			},
		);
		await source.close();
		expect(summary.notes.created).toBe(many);
		expect(extractedAtFirstNote).toBeGreaterThanOrEqual(0);
		expect(extractedAtFirstNote).toBeLessThan(many / 2);
	}, 60_000);

	it("a cancel after extract finished resumes from the session alone (no export)", async () => {
		const input = await exportFile();
		const reference = await tempDir("ketl-ref-");
		await run(reference, input, "new");

		const root = await tempDir("ketl-gated-");
		const vault = new GatedVault(root, 5);
		const store = new NodeStagingStore(root);
		const controller = new AbortController();
		const source = await NodeByteSource.open(input);
		let sessionId = "";
		const cut = await runImportSession(
			{ store, vault, clock: systemClock, logger: silentLogger },
			{
				mode: "new",
				sources: [source],
				options: { inputs: [input] },
				signal: controller.signal,
				onSession: (id) => (sessionId = id),
				onProgress: (p) => {
					if (p.stage === "extract" && p.done === COUNT) {
						// Every conversation is extracted while load is held at its sixth note: once extract has closed
						// (phase.json says completed), cancel, then let load go.
						void (async () => {
							const phaseFile = join(root, ".staging/@session", sessionId, "import/phase.json");
							for (let i = 0; i < 500; i++) {
								const text = await readFile(phaseFile, "utf8").catch(() => "{}");
								if ((JSON.parse(text) as { stages?: { extract?: { status?: string } } }).stages?.extract?.status === "completed") break;
								await new Promise((r) => setTimeout(r, 5));
							}
							controller.abort();
							vault.open();
						})();
					}
				},
			},
		);
		await source.close();
		expect(cut.error).toMatch(/Cancelled/);
		const phase = JSON.parse(await readFile(join(root, ".staging/@session", cut.session_id, "import/phase.json"), "utf8")) as {
			stages: Record<StageType, { status: string }>;
		};
		expect(phase.stages.extract.status).toBe("completed");
		const written = (await vaultFiles(root)).length;
		expect(written).toBeLessThan(COUNT);

		// No input at all: what is left comes from extract's output in the session.
		const resumed = await run(root, null, "resume", undefined, cut.session_id);
		expect(resumed.status).toBe("completed");
		expect(resumed.counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });
		expect(resumed.notes.created).toBe(COUNT);
		const files = await vaultFiles(root);
		expect(files).toEqual(await vaultFiles(reference));
		for (const f of files) {
			expect(withoutSession(await readFile(join(root, f), "utf8"))).toBe(withoutSession(await readFile(join(reference, f), "utf8")));
		}
	}, 60_000);
});
