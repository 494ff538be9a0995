import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { openExport } from "../../../../src/core/import/extract";
import { runImportSession } from "../../../../src/core/import/pipeline/import-session";
import type { StageProgress } from "../../../../src/core/pipeline/stage-types";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { claudeConv, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

async function exportOf(n: number): Promise<string> {
	const dir = await tempDir("ketl-progress-");
	return writeJson(
		join(dir, "conversations.json"),
		Array.from({ length: n }, (_, i) => claudeConv({ id: `p${i}`, title: `Progress ${i}` })),
	);
}

describe("extract reports how far it has read the export", () => {
	it("each conversation carries its byte position, rising, within the reader's total", async () => {
		const input = await exportOf(40);
		const source = await NodeByteSource.open(input);
		try {
			const reader = await openExport([source]);
			expect(reader.totalBytes).toBe((await stat(input)).size);
			const positions: number[] = [];
			for await (const r of reader.conversations()) positions.push(r.position ?? -1);
			expect(positions).toHaveLength(40);
			expect(positions[0]).toBeGreaterThan(0); // just after the opening "["
			expect(positions[0]).toBeLessThan(8);
			for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]!);
			expect(positions.at(-1)).toBeLessThan(reader.totalBytes!);
		} finally {
			await source.close();
		}
	});

	it("the import's progress and phase.json carry it: rising while reading, all of it at the end", async () => {
		const input = await exportOf(300);
		const size = (await stat(input)).size;
		const root = await tempDir("ketl-progress-vault-");
		const source = await NodeByteSource.open(input);
		const seen: StageProgress[] = [];
		try {
			const summary = await runImportSession(
				{ store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
				{ mode: "new", sources: [source], options: { inputs: [input] }, onProgress: (p) => p.stage === "extract" && seen.push(p) },
			);
			const reads = seen.map((p) => p.input?.bytes_read ?? -1);
			expect(seen.every((p) => p.input?.bytes_total === size)).toBe(true);
			for (let i = 1; i < reads.length; i++) expect(reads[i]).toBeGreaterThanOrEqual(reads[i - 1]!);
			expect(reads[0]).toBeLessThan(size / 10);
			const phase = JSON.parse(await readFile(join(root, ".staging/@session", summary.session_id, "import/phase.json"), "utf8")) as {
				stages: { extract: { input?: unknown } };
			};
			expect(phase.stages.extract.input).toEqual({ bytes_read: size, bytes_total: size });
		} finally {
			await source.close();
		}
	});
});
