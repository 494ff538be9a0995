import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { NodeNoteVault } from "../../src/cli/node-note-vault";

let root: string;
let outside: string;
let vault: NodeNoteVault;

beforeEach(async () => {
	root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-vault-"));
	outside = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-outside-"));
	vault = new NodeNoteVault(root);
});
afterEach(async () => {
	await fs.rm(root, { recursive: true, force: true });
	await fs.rm(outside, { recursive: true, force: true });
});

describe("NodeNoteVault", () => {
	it("creates notes with parent folders and never overwrites one by name", async () => {
		await vault.create("A/B/Note.md", "one");
		expect(await fs.readFile(path.join(root, "A/B/Note.md"), "utf8")).toBe("one");
		await expect(vault.create("A/B/Note.md", "two")).rejects.toThrow(/already exists/);
		expect(await vault.read("A/B/Note.md")).toBe("one");
		// no temp files left behind
		expect(await fs.readdir(path.join(root, "A/B"))).toEqual(["Note.md"]);
	});

	it("readHead gives each note's own first bytes, whatever was read before (its buffer is reused)", async () => {
		await vault.create("long.md", `---\ntitle: long\n---\n${"x".repeat(10_000)}`);
		await vault.create("short.md", "---\ntitle: s\n---\n");
		await vault.create("é.md", "é".repeat(3000));
		expect(await vault.readHead("long.md", 4096)).toBe(`---\ntitle: long\n---\n${"x".repeat(4096 - 20)}`);
		expect(await vault.readHead("short.md", 4096)).toBe("---\ntitle: s\n---\n");
		expect(await vault.readHead("short.md", 8)).toBe("---\ntitl");
		expect(await vault.readHead("long.md", 10)).toBe("---\ntitle:");
		// A head cut in the middle of a character ends with U+FFFD, as the whole note read and cut would not: what the
		// import's frontmatter check reads is the frontmatter, well before.
		expect((await vault.readHead("é.md", 4096)).length).toBe(2048);
		expect(await vault.readHead("short.md", 4096)).toBe("---\ntitle: s\n---\n");
	});

	it("modifies only existing notes, atomically", async () => {
		await expect(vault.modify("missing.md", "x")).rejects.toThrow();
		await vault.create("n.md", "old");
		await vault.modify("n.md", "new");
		expect(await vault.read("n.md")).toBe("new");
		expect(await fs.readdir(root)).toEqual(["n.md"]);
	});

	it("create and modify resolve to the UTF-8 bytes they wrote (the import's manifest takes them)", async () => {
		// ASCII, 2-, 3- and 4-byte characters, and a lone surrogate written as U+FFFD (3 bytes).
		const text = "# é 日本 😀 \ud800 end\n";
		expect(await vault.create("bytes.md", text)).toBe((await fs.stat(path.join(root, "bytes.md"))).size);
		expect((await fs.stat(path.join(root, "bytes.md"))).size).toBe(Buffer.byteLength(text));
		const longer = `${text}${"x".repeat(300_000)}ü`;
		expect(await vault.modify("bytes.md", longer)).toBe((await fs.stat(path.join(root, "bytes.md"))).size);
		expect(await vault.modify("bytes.md", longer)).toBe(Buffer.byteLength(longer));
	});

	it.each([
		["ASCII", "Body\n", 'title: "x"'],
		["2-, 3- and 4-byte characters, a lone surrogate at each end (U+FFFD)", "\udc00é 日本 😀 end\ud800", 'title: "日本 😀"'],
		[
			"a head larger than the room kept for it, a body larger than the first buffer",
			"é".repeat(200_000),
			`summary: "${"ü".repeat(20_000)}"`,
		],
	])(
		"createMade writes what create writes of the note finalNote composes, and gives its SHA-256 and bytes: %s",
		async (_label, body, key) => {
			const suffix = "\n---\nAI Conversations/Claude/Note é.md";
			const headFor = (bodyHex: string): string => `---\n${key}\nfile_id: ${bodyHex.slice(0, 12)}\n---\n`;
			const made = await vault.createMade("A/made.md", { body, suffix, headFor });
			const text =
				headFor(
					createHash("sha256")
						.update(body + suffix)
						.digest("hex"),
				) + body;
			await vault.create("A/composed.md", text);
			const bytes = await fs.readFile(path.join(root, "A/made.md"));
			expect(Buffer.compare(bytes, await fs.readFile(path.join(root, "A/composed.md")))).toBe(0);
			expect(made).toEqual({ noteHex: createHash("sha256").update(text).digest("hex"), bytes: bytes.length });
			// A second note through the same buffer, then the first is refused by name and left as it was.
			await vault.createMade("A/other.md", { body: "short", suffix, headFor });
			expect(await vault.read("A/other.md")).toBe(headFor(createHash("sha256").update(`short${suffix}`).digest("hex")) + "short");
			await expect(vault.createMade("A/made.md", { body: "x", suffix, headFor })).rejects.toThrow(/already exists/);
			expect(Buffer.compare(await fs.readFile(path.join(root, "A/made.md")), bytes)).toBe(0);
			expect((await fs.readdir(path.join(root, "A"))).sort()).toEqual(["composed.md", "made.md", "other.md"]);
		},
	);

	it("renames without clobbering a target", async () => {
		await vault.create("a.md", "A");
		await vault.create("b.md", "B");
		await expect(vault.rename("a.md", "b.md")).rejects.toThrow(/already exists/);
		expect(await vault.read("b.md")).toBe("B");
		await vault.rename("a.md", "sub/c.md");
		expect(await vault.exists("a.md")).toBe(false);
		expect(await vault.read("sub/c.md")).toBe("A");
	});

	it("edits frontmatter keeping the body", async () => {
		await vault.create("n.md", "---\nkeep: 1\n---\nBody\n");
		await vault.processFrontMatter("n.md", (fm) => (fm.genre = "ai"));
		expect(await vault.read("n.md")).toBe("---\nkeep: 1\ngenre: ai\n---\nBody\n");
	});

	it("trashes into .trash without losing a same-named earlier trash", async () => {
		await vault.create("x/n.md", "1");
		await vault.trash("x/n.md");
		await vault.create("x/n.md", "2");
		await vault.trash("x/n.md");
		expect((await fs.readdir(path.join(root, ".trash"))).sort()).toEqual(["n 1.md", "n.md"]);
		expect(await fs.readFile(path.join(root, ".trash", "n 1.md"), "utf8")).toBe("2");
	});

	it("ensureFolder says which folders it made; removeFolderIfEmpty removes an empty folder only", async () => {
		expect(await vault.ensureFolder("A/B/C")).toEqual(["A", "A/B", "A/B/C"]);
		expect(await vault.ensureFolder("A/B/C")).toEqual([]);
		expect(await vault.ensureFolder("A/X")).toEqual(["A/X"]);
		await fs.writeFile(path.join(root, "A/B/.hidden"), "x");
		expect(await vault.removeFolderIfEmpty("A/B")).toBe(false); // a subfolder and a hidden file
		expect(await vault.removeFolderIfEmpty("A/B/C")).toBe(true);
		expect(await vault.removeFolderIfEmpty("A/B")).toBe(false); // the hidden file
		expect(await vault.removeFolderIfEmpty("A/missing")).toBe(false);
		expect(await vault.exists("A/B/C")).toBe(false);
		expect(await fs.readFile(path.join(root, "A/B/.hidden"), "utf8")).toBe("x");
		await expect(vault.removeFolderIfEmpty("../outside")).rejects.toThrow();
		const bare = new NodeNoteVault(await fs.mkdtemp(path.join(os.tmpdir(), "ketl-bare-")));
		expect(await bare.removeFolderIfEmpty("")).toBe(false); // an empty vault stays
		expect(await bare.removeFolderIfEmpty(".")).toBe(false);
		await fs.rm(bare.root, { recursive: true });
	});

	it("lists Markdown below a folder, skipping dot-folders and other files", async () => {
		await vault.create("f/a.md", "");
		await vault.create("f/sub/b.MD", "");
		await vault.create("f/.hidden/c.md", "");
		await vault.create("f/d.txt", "");
		expect(await vault.listMarkdown("f")).toEqual(["f/a.md", "f/sub/b.MD"]);
		expect(await vault.listMarkdown("nope")).toEqual([]);
	});

	it.each([["../escape.md"], ["/etc/passwd"], ["a/../../x.md"]])("refuses %s", async (p) => {
		await expect(vault.create(p, "x")).rejects.toThrow(/Refusing path/);
	});

	it("refuses a symlink that leads outside the vault", async () => {
		await fs.symlink(outside, path.join(root, "link"));
		await expect(vault.create("link/evil.md", "x")).rejects.toThrow(/outside the vault/);
		expect(await fs.readdir(outside)).toEqual([]);
	});
});

describe("NodeNoteVault keeps file modes on rewrites", () => {
	it.each([0o600, 0o640, 0o444, 0o755])("modify and processFrontMatter keep mode %s", async (mode) => {
		await fs.writeFile(path.join(root, "n.md"), "---\na: 1\n---\nbody\n");
		await fs.chmod(path.join(root, "n.md"), mode);
		await vault.modify("n.md", "---\na: 2\n---\nbody\n");
		expect((await fs.stat(path.join(root, "n.md"))).mode & 0o777).toBe(mode);
		await vault.processFrontMatter("n.md", (fm) => {
			fm.b = 3;
		});
		expect((await fs.stat(path.join(root, "n.md"))).mode & 0o777).toBe(mode);
		expect(await fs.readFile(path.join(root, "n.md"), "utf8")).toContain("b: 3");
	});
});
