import { mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { noteAsWritten, sourceTimesAsRendered, conversationKey, type AsWrittenRules } from "../../../../src/core/import/load/as-written";
import { hintedSameTime } from "../../../../src/core/import/load/source-time-hints";
import { ImportIndex } from "../../../../src/core/import/load/import-index";
import { renderStamp } from "../../../../src/core/import/transform/note-draft";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { tempVault } from "../../_support/temp-vault";

const RULES: AsWrittenRules = { render: { includeThinking: false, timeZone: "UTC" }, reviewFolder: "AI/_review", rerender: false };
const UPDATED = "2025-03-01T10:00:00.000Z";
const note = (id = "c1", extra = ""): string =>
	`---\ntitle: A\nsource: claude\nsource_id: ${id}\nupdated: 2025-03-01T10:00:00+00:00\n${extra}---\n\nBody.\n`;

/** A vault with one imported note at `path` (as the index records it) and the index. */
async function setup(text = note(), path = "AI/Claude/A.md", render = renderStamp(RULES.render)) {
	const { dir, store } = await tempVault();
	await mkdir(dirname(join(dir, path)), { recursive: true });
	await writeFile(join(dir, path), text);
	const index = await ImportIndex.open(store);
	index.record({
		provider: "claude",
		source_id: "c1",
		path,
		hash: "h-as-written",
		source_updated: UPDATED,
		session_id: "s1",
		written_at: UPDATED,
		render,
	});
	return { dir, index, vault: new NodeNoteVault(dir) };
}

const c1 = { provider: "claude" as const, id: "c1", updated: UPDATED };

describe("noteAsWritten (a re-import's unchanged, decided before rendering)", () => {
	it("unchanged at the source, same render, the note where the index says: its path, edited or not", async () => {
		const t = await setup();
		expect(await noteAsWritten(t, RULES, c1)).toBe("AI/Claude/A.md");
		// Edited by the user since: still left as it is (decideNote says unchanged, adopt false, for it too).
		await writeFile(join(t.dir, "AI/Claude/A.md"), `${note()}My own line.\n`);
		expect(await noteAsWritten(t, RULES, c1)).toBe("AI/Claude/A.md");
		// The same second at the source (exports give milliseconds, notes seconds).
		expect(await noteAsWritten(t, RULES, { ...c1, updated: "2025-03-01T10:00:00.900Z" })).toBe("AI/Claude/A.md");
	});

	it("null whenever the usual way may answer otherwise", async () => {
		const t = await setup();
		expect(await noteAsWritten(t, RULES, { ...c1, updated: "2025-03-02T10:00:00.000Z" }), "updated at the source").toBeNull();
		expect(await noteAsWritten(t, { ...RULES, rerender: true }, c1), "re-render asked").toBeNull();
		expect(await noteAsWritten(t, { ...RULES, render: { includeThinking: true, timeZone: "UTC" } }, c1), "other options").toBeNull();
		expect(await noteAsWritten(t, { ...RULES, render: { includeThinking: false, timeZone: "Asia/Tokyo" } }, c1), "other zone").toBeNull();
		expect(await noteAsWritten(t, RULES, { ...c1, id: "c2" }), "not in the index").toBeNull();
		expect(await noteAsWritten(t, RULES, { ...c1, provider: "chatgpt" }), "another provider's id").toBeNull();
		// Another conversation's note at the indexed path: found by its source id the usual way.
		await writeFile(join(t.dir, "AI/Claude/A.md"), note("c9"));
		expect(await noteAsWritten(t, RULES, c1), "another conversation's note there").toBeNull();
		// Gone (moved or deleted): the usual way finds it or preserves.
		await writeFile(join(t.dir, "AI/Claude/A.md"), "");
		await (await import("node:fs/promises")).rm(join(t.dir, "AI/Claude/A.md"));
		expect(await noteAsWritten(t, RULES, c1), "gone").toBeNull();
	});

	it("null for a note in review, and for an index record without its render choices (older versions)", async () => {
		expect(await noteAsWritten(await setup(note(), "AI/_review/A.md"), RULES, c1)).toBeNull();
		const older = await setup();
		older.index.record({ ...(await older.index.recordOf("claude", "c1"))!, render: undefined });
		expect(await noteAsWritten(older, RULES, c1)).toBeNull();
	});

	it("a frontmatter longer than the part read first is read whole (the identity is never taken from a cut one)", async () => {
		const long = `summary: ${"x".repeat(6000)}\n`;
		const t = await setup(note("c1", long));
		expect(await noteAsWritten(t, RULES, c1)).toBe("AI/Claude/A.md");
		await writeFile(
			join(t.dir, "AI/Claude/A.md"),
			`---\ntitle: A\nsummary: ${"x".repeat(6000)}\nsource: claude\nsource_id: c9\n---\nBody\n`,
		);
		expect(await noteAsWritten(t, RULES, c1)).toBeNull();
		// A note with no frontmatter names no conversation: taken as it stands at its path, as currentNoteOf does.
		await writeFile(join(t.dir, "AI/Claude/A.md"), "Just text.\n");
		expect(await noteAsWritten(t, RULES, c1)).toBe("AI/Claude/A.md");
	});

	it("a symlink at the note's name leading out of the vault is refused, not read", async () => {
		const t = await setup();
		const outside = join(dirname(t.dir), `outside-${Date.now()}.md`);
		await writeFile(outside, note());
		await (await import("node:fs/promises")).rm(join(t.dir, "AI/Claude/A.md"));
		await symlink(outside, join(t.dir, "AI/Claude/A.md"));
		expect(await noteAsWritten(t, RULES, c1)).toBeNull();
	});
});

describe("sourceTimesAsRendered", () => {
	it("the source times of notes written with this run's choices, outside review; none when a re-render is asked", async () => {
		const t = await setup();
		const c1Record = (await t.index.recordOf("claude", "c1"))!;
		t.index.record({ ...c1Record, source_id: "c2", path: "AI/_review/B.md" });
		t.index.record({ ...c1Record, source_id: "c3", path: "AI/Claude/C.md", source_updated: null });
		t.index.record({ ...c1Record, source_id: "c4", path: "AI/Claude/D.md", render: undefined });
		const times = await sourceTimesAsRendered(t.index, RULES);
		// Kept as fingerprints and seconds (16 bytes each): asked by key and time, not listed.
		expect(times.h1.length).toBe(2);
		expect(hintedSameTime(times, conversationKey("claude", "c1"), UPDATED)).toBe(true);
		expect(hintedSameTime(times, conversationKey("claude", "c3"), null)).toBe(true);
		expect(hintedSameTime(times, conversationKey("claude", "c1"), null)).toBe(false);
		expect(hintedSameTime(times, conversationKey("claude", "c3"), UPDATED)).toBe(false);
		for (const other of ["c2", "c4", "c5"]) expect(hintedSameTime(times, conversationKey("claude", other), UPDATED)).toBe(false);
		expect((await sourceTimesAsRendered(t.index, { ...RULES, rerender: true })).h1.length).toBe(0);
	});
});
