import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentHash } from "../../src/core/util/content-hash";
import { tempDir } from "../core/_support/temp-vault";
import {
	claudeConv,
	frontmatterValue,
	importJson,
	newVault,
	notesIn,
	readNote,
	snapshot,
	vaultFiles,
	writeJson,
	type ConvSpec,
} from "./import-support";

const FOLDER = "AI Conversations/Claude";
const INDEX = join(".staging", "@index", "import-index.jsonl");

const base: ConvSpec[] = [
	{ id: "r1", title: "Alpha", updated: "2025-03-01T10:00:00Z" },
	{ id: "r2", title: "Beta", updated: "2025-03-01T10:00:00Z" },
	{ id: "r3", title: "Gamma", updated: "2025-03-01T10:00:00Z" },
];

async function exportOf(dir: string, specs: ConvSpec[], name = "conversations.json"): Promise<string> {
	return writeJson(join(dir, name), specs.map(claudeConv));
}

/** r2 updated at the source: a new time and one more message. */
function updatedR2(specs: ConvSpec[]): ConvSpec[] {
	return specs.map((s) =>
		s.id === "r2"
			? {
					...s,
					updated: "2025-04-01T12:00:00Z",
					messages: [
						{ role: "user", text: "Question about Beta?" },
						{ role: "assistant", text: "Answer for r2." },
						{ role: "user", text: "FOLLOW-UP-MARKER" },
					],
				}
			: s,
	);
}

async function setup(): Promise<{ dir: string; vault: string; first: string }> {
	const dir = await tempDir("ketl-re-");
	const vault = await newVault();
	const first = await exportOf(dir, base, "v1.json");
	const r = await importJson([first], vault, ["--provider", "claude"]);
	expect(r.code).toBe(0);
	expect(r.json.notes.created).toBe(3);
	return { dir, vault, first };
}

describe("re-import", () => {
	it("unchanged at the source: no note is written (same bytes, same mtime, same inode)", async () => {
		const { vault, first } = await setup();
		const before = await snapshot(vault);
		await new Promise((r) => setTimeout(r, 30));
		const r = await importJson([first], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		expect(r.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 3, preserved: 0 });
		expect(await snapshot(vault)).toEqual(before);
	});

	it("updated at the source: the note is updated in place; the others are not touched", async () => {
		const { dir, vault } = await setup();
		const before = await snapshot(vault);
		const second = await exportOf(dir, updatedR2(base), "v2.json");
		const r = await importJson([second], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 1, unchanged: 2, preserved: 0 });
		const after = await snapshot(vault);
		expect([...after.keys()]).toEqual([...before.keys()]);
		const beta = after.get(`${FOLDER}/Beta.md`)!;
		expect(beta.text).toContain("FOLLOW-UP-MARKER");
		expect(frontmatterValue(beta.text, "updated")).toMatch(/^2025-04-01T12:00:00/);
		expect(frontmatterValue(beta.text, "session")).toBe(r.json.session_id);
		for (const p of [`${FOLDER}/Alpha.md`, `${FOLDER}/Gamma.md`]) expect(after.get(p)).toEqual(before.get(p));
		// And a third run of the same updated export changes nothing.
		const again = await importJson([second], vault, ["--provider", "claude"]);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
		expect(await snapshot(vault)).toEqual(after);
	});

	it("edited by the user and updated at the source, --edited preserve: preserved, untouched, reported", async () => {
		const { dir, vault } = await setup();
		const path = join(vault, FOLDER, "Beta.md");
		const edited = (await readFile(path, "utf8")) + "\nMy own remark.\n";
		await writeFile(path, edited);
		const before = await snapshot(vault);
		// (By default the new messages would be added below the user's text: test/cli/import-append-edited.test.ts.)
		const r = await importJson([await exportOf(dir, updatedR2(base), "v2.json")], vault, ["--provider", "claude", "--edited", "preserve"]);
		expect(r.code).toBe(0);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 2, preserved: 1 });
		expect(await snapshot(vault)).toEqual(before);
		expect(await readFile(path, "utf8")).toBe(edited);
		expect(r.err).toMatch(/1 preserved/);
	});

	it("an index written by an earlier version (c1 hashes) still tells an edited note from an untouched one", async () => {
		const { dir, vault } = await setup();
		// The index as an earlier version wrote it: the JavaScript contentHash of each note.
		const indexPath = join(vault, INDEX);
		const lines = (await readFile(indexPath, "utf8")).split("\n").filter((l) => l.trim() !== "");
		const legacy = await Promise.all(
			lines.map(async (l) => {
				const entry = JSON.parse(l) as { path: string; hash: string };
				expect(entry.hash).toMatch(/^s2:[0-9a-f]{64}$/);
				return JSON.stringify({ ...entry, hash: contentHash(await readFile(join(vault, entry.path), "utf8")) });
			}),
		);
		await writeFile(indexPath, `${legacy.join("\n")}\n`);
		const alpha = join(vault, FOLDER, "Alpha.md");
		const edited = (await readFile(alpha, "utf8")) + "\nMine.\n";
		await writeFile(alpha, edited);
		// Both r1 (edited by the user) and r2 (untouched) changed at the source.
		const specs = updatedR2(base).map((s) =>
			s.id === "r1" ? { ...s, updated: "2025-04-02T12:00:00Z", messages: [{ role: "user" as const, text: "New r1?" }] } : s,
		);
		const r = await importJson([await exportOf(dir, specs, "v2.json")], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 1, unchanged: 1, preserved: 1 });
		expect(await readFile(alpha, "utf8")).toBe(edited);
		expect(await readFile(join(vault, FOLDER, "Beta.md"), "utf8")).toContain("FOLLOW-UP-MARKER");
		// What this run wrote is recorded with the current kind of hash.
		const beta = (await readFile(indexPath, "utf8"))
			.split("\n")
			.filter((l) => l.includes('"source_id":"r2"'))
			.pop();
		expect(beta).toMatch(/"hash":"s2:/);
	});

	it("edited by the user, unchanged at the source: left alone", async () => {
		const { vault, first } = await setup();
		const path = join(vault, FOLDER, "Alpha.md");
		await writeFile(path, (await readFile(path, "utf8")).replace("Answer for r1.", "Answer for r1, with my correction."));
		const before = await snapshot(vault);
		const r = await importJson([first], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		expect(r.json.notes.created + r.json.notes.updated).toBe(0);
		expect(await snapshot(vault)).toEqual(before);
	});

	it("index deleted: no duplicates, nothing overwritten (same export, then an updated one)", async () => {
		const { dir, vault, first } = await setup();
		await rm(join(vault, INDEX));
		const before = await snapshot(vault);
		const r = await importJson([first], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		// The frontmatter's `updated` matches the source: unchanged (not "preserved" for want of an index record).
		expect(r.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 3, preserved: 0 });
		expect(await snapshot(vault)).toEqual(before);

		await rm(join(vault, INDEX), { force: true });
		const r2 = await importJson([await exportOf(dir, updatedR2(base), "v2.json")], vault, ["--provider", "claude"]);
		expect(r2.code).toBe(0);
		expect(r2.json.notes.created).toBe(0);
		// When in doubt, preserve: without the index we cannot tell whether the user edited Beta.
		expect(await notesIn(vault, FOLDER)).toEqual(["Alpha.md", "Beta.md", "Gamma.md"]);
		expect(r2.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 2, preserved: 1 });
		expect(await snapshot(vault)).toEqual(before);
	});

	it("a user's own note with the same title (any case): we take `Title 1`, theirs is untouched", async () => {
		const dir = await tempDir("ketl-re-");
		const vault = await newVault();
		await mkdir(join(vault, FOLDER), { recursive: true });
		const theirs = "# Alpha\n\nMy own note about alpha.\n";
		const theirsLower = "---\ntags: [mine]\n---\nlower-case beta\n";
		await writeFile(join(vault, FOLDER, "Alpha.md"), theirs);
		await writeFile(join(vault, FOLDER, "beta.md"), theirsLower);
		const r = await importJson([await exportOf(dir, base)], vault);
		expect(r.code).toBe(0);
		expect(r.json.notes.created).toBe(3);
		expect(await readFile(join(vault, FOLDER, "Alpha.md"), "utf8")).toBe(theirs);
		expect(await readFile(join(vault, FOLDER, "beta.md"), "utf8")).toBe(theirsLower);
		expect(await notesIn(vault, FOLDER)).toEqual(["Alpha 1.md", "Alpha.md", "Beta 1.md", "Gamma.md", "beta.md"]);
		expect(frontmatterValue(await readNote(vault, `${FOLDER}/Alpha 1.md`), "source_id")).toBe("r1");
		// Re-import: still theirs untouched, ours unchanged, no `Alpha 2`.
		const again = await importJson([await exportOf(dir, base)], vault);
		expect(again.json.notes).toMatchObject({ created: 0, unchanged: 3 });
		expect(await notesIn(vault, FOLDER)).toEqual(["Alpha 1.md", "Alpha.md", "Beta 1.md", "Gamma.md", "beta.md"]);
		expect(await readFile(join(vault, FOLDER, "Alpha.md"), "utf8")).toBe(theirs);
	});

	it("a note the user moved elsewhere is found by its source_id: no duplicate; an update goes where it is", async () => {
		const { dir, vault, first } = await setup();
		await mkdir(join(vault, "Archive"), { recursive: true });
		await rename(join(vault, FOLDER, "Beta.md"), join(vault, "Archive", "Beta.md"));
		const r = await importJson([first], vault, ["--provider", "claude"]);
		expect(r.json.notes.created).toBe(0);
		expect(await vaultFiles(vault)).toEqual(["AI Conversations/Claude/Alpha.md", "AI Conversations/Claude/Gamma.md", "Archive/Beta.md"]);
		const r2 = await importJson([await exportOf(dir, updatedR2(base), "v2.json")], vault, ["--provider", "claude"]);
		expect(r2.json.notes.created).toBe(0);
		expect(await vaultFiles(vault)).toEqual(["AI Conversations/Claude/Alpha.md", "AI Conversations/Claude/Gamma.md", "Archive/Beta.md"]);
		// Moved but not edited: still byte-for-byte what we wrote, so it is updated where it now is.
		expect(r2.json.notes).toMatchObject({ created: 0, updated: 1, unchanged: 2, preserved: 0 });
		expect(await readNote(vault, "Archive/Beta.md")).toContain("FOLLOW-UP-MARKER");
	});

	it("a note the user deleted is not recreated", async () => {
		const { vault, first } = await setup();
		await rm(join(vault, FOLDER, "Gamma.md"));
		const r = await importJson([first], vault, ["--provider", "claude"]);
		expect(r.code).toBe(0);
		expect(r.json.notes.created).toBe(0);
		expect(await notesIn(vault, FOLDER)).toEqual(["Alpha.md", "Beta.md"]);
	});
});
