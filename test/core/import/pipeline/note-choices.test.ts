import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { IMPORT_INDEX_FILE } from "../../../../src/core/import/load/import-index";
import type { ImportOptionsInput } from "../../../../src/core/import/pipeline/import-options";
import { runImportSession, type ImportSummary } from "../../../../src/core/import/pipeline/import-session";
import { RENDERER_VERSION } from "../../../../src/core/import/transform/note-draft";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { ItemStatusIndex } from "../../../../src/core/logs/item-status-index";
import { readPipelineStageRecords } from "../../../../src/core/logs/pipeline-stages";
import { claudeConv, vaultFiles, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

const OUT = "AI Conversations/Claude";

/** A Claude export: a conversation of a named project, one of a project known only by id, one of none; with thinking. */
async function exportFile(dir: string): Promise<string> {
	const withThinking = (c: Record<string, unknown>): Record<string, unknown> => {
		const messages = c.chat_messages as { content: unknown[] }[];
		messages[1]!.content.unshift({ type: "thinking", thinking: "Let me work it out." });
		return c;
	};
	return writeJson(join(dir, "conversations.json"), [
		{
			...withThinking(claudeConv({ id: "p1", title: "Packing list", created: "2025-03-09T23:40:00Z", updated: "2025-03-09T23:50:00Z" })),
			project: { uuid: "proj-9", name: "Japan trip" },
		},
		{
			...claudeConv({ id: "p2", title: "Loose idea", created: "2025-02-01T08:00:00Z", updated: "2025-02-01T08:10:00Z" }),
			project_uuid: "proj-unnamed",
		},
		claudeConv({ id: "p3", title: "Plain chat", created: "2024-12-31T20:00:00Z", updated: "2024-12-31T20:05:00Z" }),
	]);
}

async function run(
	vault: string,
	input: string,
	options: ImportOptionsInput = {},
	extra: { mode?: "new" | "resume"; sessionId?: string; signal?: AbortSignal } = {},
): Promise<ImportSummary> {
	const deps = { store: new NodeStagingStore(vault), vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger };
	const mode = extra.mode ?? "new";
	const source = await NodeByteSource.open(input);
	try {
		return await runImportSession(deps, {
			mode,
			...(extra.sessionId ? { sessionId: extra.sessionId } : {}),
			...(mode === "new" ? { sources: [source] } : { openSources: async () => [await NodeByteSource.open(input)] }),
			options: { inputs: [input], ...options },
			...(extra.signal ? { signal: extra.signal } : {}),
		});
	} finally {
		await source.close();
	}
}

async function loadReasons(vault: string, sessionId: string): Promise<Map<string, string>> {
	// The log's whole records (the status index keeps only the label of a reason that went through).
	const { records } = await readPipelineStageRecords(new NodeStagingStore(vault), sessionId, "import");
	return new Map(records.filter((r) => r.stage === "load").map((r) => [r.item_id, r.reason ?? ""]));
}

async function indexRecords(vault: string): Promise<Record<string, unknown>[]> {
	return (await readFile(join(vault, IMPORT_INDEX_FILE), "utf8"))
		.split("\n")
		.filter((l) => l.trim() !== "")
		.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("where notes go: a folder per project, a date in the file name", () => {
	it("puts a named project's notes in its sub-folder, dated in the import's time zone; others stay in the provider folder", async () => {
		const dir = await tempDir("ketl-choices-");
		const vault = await tempDir("ketl-choices-vault-");
		const summary = await run(vault, await exportFile(dir), { byProject: true, datePrefix: true, timeZone: "Asia/Tokyo" });
		expect(summary.notes.created).toBe(3);
		expect(await vaultFiles(vault)).toEqual(
			[`${OUT}/2025-02-01 Loose idea.md`, `${OUT}/2025-01-01 Plain chat.md`, `${OUT}/Japan trip/2025-03-10 Packing list.md`].sort(),
		);
		const note = await readFile(join(vault, OUT, "Japan trip/2025-03-10 Packing list.md"), "utf8");
		expect(note).toContain("\nproject: Japan trip\n");
		expect(note).toContain("\ncreated: 2025-03-10T08:40:00+09:00\n");
		expect(note).toContain("\nurl: https://claude.ai/chat/p1\n");
	});

	it("without the options: every note in the provider folder under its title, times in UTC", async () => {
		const dir = await tempDir("ketl-choices-");
		const vault = await tempDir("ketl-choices-vault-");
		await run(vault, await exportFile(dir));
		expect(await vaultFiles(vault)).toEqual([`${OUT}/Loose idea.md`, `${OUT}/Packing list.md`, `${OUT}/Plain chat.md`]);
		expect(await readFile(join(vault, OUT, "Packing list.md"), "utf8")).toContain("\ncreated: 2025-03-09T23:40:00+00:00\n");
	});
});

describe("re-render on option change", () => {
	it("re-renders unedited notes when an option changed, preserves an edited one, and records the options in the index", async () => {
		const dir = await tempDir("ketl-rerender-");
		const vault = await tempDir("ketl-rerender-vault-");
		const input = await exportFile(dir);
		await run(vault, input, { timeZone: "UTC" });
		const first = await indexRecords(vault);
		expect(first.map((r) => r.render)).toEqual(Array(3).fill({ version: RENDERER_VERSION, include_thinking: false, time_zone: "UTC" }));

		// The same options again: nothing to do.
		const same = await run(vault, input, { timeZone: "UTC" });
		expect(same.notes).toMatchObject({ unchanged: 3, updated: 0 });

		// The user edits one note; then thinking is turned on and the zone changes.
		await appendFile(join(vault, OUT, "Plain chat.md"), "\nMy own line.\n");
		const changed = await run(vault, input, { timeZone: "Asia/Tokyo", includeThinking: true });
		expect(changed.notes).toMatchObject({ updated: 2, preserved: 1, unchanged: 0 });
		expect(changed.rerendered).toBe(2);
		const reasons = await loadReasons(vault, changed.session_id);
		expect(reasons.get("p1")).toBe(`updated (options changed): ${OUT}/Packing list.md`);
		expect(reasons.get("p3")).toMatch(/^preserved: .*Plain chat\.md: options changed, but the note was edited since it was imported/);
		// The same, typed: the log's outcome, the note's path and whether it was re-rendered (summarize reads these).
		const typed = (await readPipelineStageRecords(new NodeStagingStore(vault), changed.session_id, "import")).records
			.filter((r) => r.stage === "load")
			.map((r) => [r.item_id, r.outcome, r.note_path, r.rerendered]);
		// What the status index keeps of them: the outcome and the re-render flag (summarize reads these).
		const index = await ItemStatusIndex.read(new NodeStagingStore(vault), changed.session_id, "import");
		expect([...index.latest("load")].map(([id, r]) => [id, r.outcome, r.rerendered]).sort()).toEqual(
			typed.map(([id, outcome, , rerendered]) => [id, outcome, rerendered]).sort(),
		);
		expect(typed.sort()).toEqual([
			["p1", "updated", `${OUT}/Packing list.md`, true],
			["p2", "updated", expect.stringMatching(/\.md$/), true],
			["p3", "preserved", `${OUT}/Plain chat.md`, undefined],
		]);
		const packing = await readFile(join(vault, OUT, "Packing list.md"), "utf8");
		expect(packing).toContain("Let me work it out.");
		expect(packing).toContain("\ncreated: 2025-03-10T08:40:00+09:00\n");
		expect(await readFile(join(vault, OUT, "Plain chat.md"), "utf8")).toContain("My own line.");

		// Recorded: the next import with the same options leaves them alone.
		const again = await run(vault, input, { timeZone: "Asia/Tokyo", includeThinking: true });
		expect(again.notes).toMatchObject({ unchanged: 2, preserved: 1, updated: 0 });
		expect(again.rerendered).toBeUndefined();
	});

	it("--rerender rewrites every unedited note though nothing changed; old index records without options keep working", async () => {
		const dir = await tempDir("ketl-rerender-");
		const vault = await tempDir("ketl-rerender-vault-");
		const input = await exportFile(dir);
		await run(vault, input, { timeZone: "UTC" });
		// An index written before render options were recorded.
		const legacy = (await indexRecords(vault)).map(({ render: _render, ...rest }) => JSON.stringify(rest)).join("\n");
		await writeFile(join(vault, IMPORT_INDEX_FILE), `${legacy}\n`);
		// Unknown options are not taken for changed ones: the notes are left as they are.
		const unknown = await run(vault, input, { timeZone: "Asia/Tokyo" });
		expect(unknown.notes).toMatchObject({ unchanged: 3, updated: 0 });

		await appendFile(join(vault, OUT, "Loose idea.md"), "\nEdited.\n");
		const forced = await run(vault, input, { timeZone: "Asia/Tokyo", rerender: true });
		expect(forced.notes).toMatchObject({ updated: 2, preserved: 1 });
		const reasons = await loadReasons(vault, forced.session_id);
		expect(reasons.get("p3")).toBe(`updated (re-render asked): ${OUT}/Plain chat.md`);
		expect(reasons.get("p2")).toMatch(/^preserved: .*re-render asked, but the note was edited/);
		// Rewritten notes are recorded with the options they now have.
		expect(
			(await indexRecords(vault))
				.slice(3)
				.map((r) => [r.source_id, r.render])
				.sort(),
		).toEqual(["p1", "p3"].map((id) => [id, { version: RENDERER_VERSION, include_thinking: false, time_zone: "Asia/Tokyo" }]));
		expect(await readFile(join(vault, OUT, "Plain chat.md"), "utf8")).toContain("\ncreated: 2025-01-01T05:00:00+09:00\n");
	});
});

describe("choosing what to import", () => {
	it("imports only the selected ids and those updated since a time; the rest never enter the session", async () => {
		const dir = await tempDir("ketl-select-");
		const vault = await tempDir("ketl-select-vault-");
		const input = await exportFile(dir);
		const picked = await run(vault, input, { select: ["p1", "p3", "not-in-export"] });
		expect(picked.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		expect(await vaultFiles(vault)).toEqual([`${OUT}/Packing list.md`, `${OUT}/Plain chat.md`]);

		const vault2 = await tempDir("ketl-select-vault-");
		const recent = await run(vault2, input, { since: "2025-02-01T00:00:00.000Z" });
		expect(recent.counts.total).toBe(2);
		expect(await vaultFiles(vault2)).toEqual([`${OUT}/Loose idea.md`, `${OUT}/Packing list.md`]);
	});

	it("the selection is part of the session: a resume imports the selection, not the whole export", async () => {
		const dir = await tempDir("ketl-select-");
		const vault = await tempDir("ketl-select-vault-");
		const input = await exportFile(dir);
		const stop = new AbortController();
		stop.abort();
		const cut = await run(vault, input, { select: ["p2", "p3"] }, { signal: stop.signal });
		expect(cut.error).toMatch(/Cancelled/);
		const options = JSON.parse(
			await readFile(join(vault, ".staging/@session", cut.session_id, "import/extract/input/options.json"), "utf8"),
		) as { select?: string[] };
		expect(options.select).toEqual(["p2", "p3"]);
		const resumed = await run(vault, input, {}, { mode: "resume", sessionId: cut.session_id });
		expect(resumed.status).toBe("completed");
		expect(resumed.counts.total).toBe(2);
		expect(await vaultFiles(vault)).toEqual([`${OUT}/Loose idea.md`, `${OUT}/Plain chat.md`]);
	});
});
