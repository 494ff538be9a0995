import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotePathError, ObsidianNoteVault } from "../../src/plugin/obsidian-note-vault";
import { asObsidianApp, createTestApp, type App } from "../stubs/obsidian";

let dir: string;
let app: App;
let vault: ObsidianNoteVault;

beforeEach(async () => {
	dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-notes-"));
	app = createTestApp(dir);
	vault = new ObsidianNoteVault(asObsidianApp(app));
});

afterEach(async () => {
	await fs.rm(dir, { recursive: true, force: true });
});

const disk = (p: string) => fs.readFile(path.join(dir, p), "utf8");

describe("ObsidianNoteVault", () => {
	it("creates notes with their folders and never overwrites one", async () => {
		await vault.create("AI Conversations/2025/Note.md", "first");
		expect(await disk("AI Conversations/2025/Note.md")).toBe("first");
		await expect(vault.create("AI Conversations/2025/Note.md", "second")).rejects.toThrow(/already exists/);
		expect(await disk("AI Conversations/2025/Note.md")).toBe("first");
	});

	it("reads, modifies and stats", async () => {
		await vault.create("n.md", "a");
		await vault.modify("n.md", "bb");
		expect(await vault.read("n.md")).toBe("bb");
		expect(await vault.stat("n.md")).toMatchObject({ size: 2 });
		expect(await vault.stat("none.md")).toBeNull();
		await expect(vault.read("none.md")).rejects.toThrow(/none\.md/);
	});

	it("renames through FileManager.renameFile (links kept), refusing an existing target", async () => {
		await vault.create("a.md", "A");
		await vault.create("b.md", "B");
		await expect(vault.rename("a.md", "b.md")).rejects.toThrow(/exists/);
		await vault.rename("a.md", "Travel/Japan/a.md");
		expect(await disk("Travel/Japan/a.md")).toBe("A");
		expect(await vault.exists("a.md")).toBe(false);
		expect(app.fileManager.renames).toEqual([{ from: "a.md", to: "Travel/Japan/a.md" }]);
	});

	it("edits frontmatter and keeps the body and untouched keys", async () => {
		await vault.create("n.md", "---\ntitle: Hello\ntags: [a]\n---\nBody text\n");
		await vault.processFrontMatter("n.md", (fm) => {
			fm.genre = "travel";
		});
		const text = await disk("n.md");
		expect(text).toContain("title: Hello");
		expect(text).toContain("genre: travel");
		expect(text.endsWith("---\nBody text\n")).toBe(true);
	});

	it("trashes through FileManager.trashFile", async () => {
		await vault.create("n.md", "x");
		await vault.trash("n.md");
		expect(await vault.exists("n.md")).toBe(false);
		expect(await disk(".trash/n.md")).toBe("x");
	});

	it("ensureFolder creates missing parents, tolerates existing ones and refuses a file in the way", async () => {
		expect(await vault.ensureFolder("A/B/C")).toEqual(["A", "A/B", "A/B/C"]);
		expect(await vault.ensureFolder("A/B/C")).toEqual([]);
		expect(await vault.ensureFolder("A/X")).toEqual(["A/X"]);
		expect((await fs.stat(path.join(dir, "A/B/C"))).isDirectory()).toBe(true);
		await vault.create("A/file.md", "x");
		await expect(vault.ensureFolder("A/file.md/D")).rejects.toThrow(/a file has that name/);
	});

	it("removeFolderIfEmpty trashes an empty folder only: a note, a subfolder or a hidden file keeps it", async () => {
		await vault.ensureFolder("Genre/Empty");
		await vault.create("Genre/Full/n.md", "x");
		await vault.ensureFolder("Genre/Hidden");
		await fs.writeFile(path.join(dir, "Genre/Hidden/.keep"), ""); // on disk, not in the vault's index
		expect(await vault.removeFolderIfEmpty("Genre/Full")).toBe(false);
		expect(await vault.removeFolderIfEmpty("Genre/Hidden")).toBe(false);
		expect(await vault.removeFolderIfEmpty("Genre")).toBe(false);
		expect(await vault.removeFolderIfEmpty("Genre/Missing")).toBe(false);
		expect(await vault.removeFolderIfEmpty("Genre/Empty")).toBe(true);
		expect(await vault.exists("Genre/Empty")).toBe(false);
		expect((await fs.stat(path.join(dir, ".trash/Empty"))).isDirectory()).toBe(true); // trashed, not deleted
		expect(await disk("Genre/Full/n.md")).toBe("x");
	});

	it("lists Markdown files recursively, skipping dot-folders and other files", async () => {
		await vault.create("Notes/a.md", "");
		await vault.create("Notes/sub/b.md", "");
		await vault.create("Notes/img.png", "");
		await fs.mkdir(path.join(dir, "Notes/.hidden"));
		await fs.writeFile(path.join(dir, "Notes/.hidden/c.md"), "");
		expect(await vault.listMarkdown("Notes")).toEqual(["Notes/a.md", "Notes/sub/b.md"]);
		expect(await vault.listMarkdown("Missing")).toEqual([]);
	});

	it.each([["../x.md"], ["/abs.md"], [".staging/x.md"], ["a/../../x.md"], [""]])("refuses %j", async (bad) => {
		await expect(vault.create(bad, "x")).rejects.toBeInstanceOf(NotePathError);
	});
});
