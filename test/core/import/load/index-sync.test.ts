import { describe, expect, it } from "vitest";
import { ImportIndex } from "../../../../src/core/import/load/import-index";
import { ImportIndexSync, organizeKeysOf, withOrganizeKeys } from "../../../../src/core/import/load/index-sync";
import { noteHash } from "../../../../src/core/util/note-hash";
import { tempVault } from "../../_support/temp-vault";

const note = (extra = "", body = "Body.\n"): string =>
	`---\nsource: claude\nsource_id: c1\nupdated: 2025-03-01T10:00:00Z\n${extra}---\n${body}`;

async function indexWith(
	text: string,
	path = "AI/Claude/A.md",
): Promise<{ index: ImportIndex; store: Awaited<ReturnType<typeof tempVault>>["store"] }> {
	const { store } = await tempVault();
	const index = await ImportIndex.open(store);
	index.record({
		provider: "claude",
		source_id: "c1",
		path,
		hash: await noteHash(text),
		source_updated: "2025-03-01T10:00:00Z",
		session_id: "s1",
		written_at: "2025-03-01T10:00:00Z",
	});
	await index.flush();
	return { index, store };
}

describe("ImportIndexSync (organize tells the import index)", () => {
	it("a note as the import wrote it: organize's edit and move become the index's path and hash (on disk after flush)", async () => {
		const written = note();
		const { index, store } = await indexWith(written);
		const sync = new ImportIndexSync(index);
		const organized = note("genre: code\n");
		await sync.modified("AI/Claude/A.md", written, organized);
		await sync.moved("AI/Claude/A.md", "AI/Code/A.md");
		await sync.flush();
		const reread = await ImportIndex.open(store);
		expect(await reread.get("claude", "c1")).toMatchObject({ path: "AI/Code/A.md", hash: await noteHash(organized) });
		expect(sync.updated).toBe(2);
	});

	it("a note the user had edited: only the path follows; the hash stays the import's, so it still reads as edited", async () => {
		const written = note();
		const { index } = await indexWith(written);
		const sync = new ImportIndexSync(index);
		const edited = note("", "Body.\nMine.\n");
		await sync.modified("AI/Claude/A.md", edited, note("genre: code\n", "Body.\nMine.\n"));
		await sync.moved("AI/Claude/A.md", "AI/Code/A.md");
		expect(await index.get("claude", "c1")).toMatchObject({ path: "AI/Code/A.md", hash: await noteHash(written) });
	});

	it("notes the import never wrote are left out of the index", async () => {
		const { index } = await indexWith(note());
		const sync = new ImportIndexSync(index);
		await sync.modified("Mine.md", "# mine\n", "---\ngenre: misc\n---\n# mine\n");
		await sync.moved("Mine.md", "Misc/Mine.md");
		expect(sync.updated).toBe(0);
		expect((await index.get("claude", "c1"))?.path).toBe("AI/Claude/A.md");
	});
});

describe("organize's keys through a re-import", () => {
	it("are read from the note and added to the new text where it has none", () => {
		const kept = organizeKeysOf(note("genre: code\ntopic: python\nsummary: A short one\nnormalized: true\ntags:\n  - x\n"));
		expect(kept).toEqual({ genre: "code", topic: "python", summary: "A short one", normalized: true });
		const next = withOrganizeKeys(note("", "New body.\n"), kept);
		expect(organizeKeysOf(next)).toEqual(kept);
		expect(next.endsWith("---\nNew body.\n")).toBe(true);
		expect(organizeKeysOf(note())).toEqual({});
		expect(withOrganizeKeys(note(), {})).toBe(note());
	});
});
