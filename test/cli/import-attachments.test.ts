import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importJson, newVault, vaultFiles, writeJson } from "./import-support";
import {
	claudeArtifactConversation,
	GENERATED_BYTES,
	PDF_BYTES,
	UPLOAD_BYTES,
	writeChatgptAttachmentZip,
} from "../support/attachment-exports";
import { tempDir } from "../core/_support/temp-vault";

const ATTACHMENTS = "AI Conversations/attachments";

async function note(vault: string, title: string, provider = "ChatGPT"): Promise<string> {
	return readFile(join(vault, "AI Conversations", provider, `${title}.md`), "utf8");
}

describe("import: files of a ChatGPT zip", () => {
	it("copies the upload, the PDF and the generated image, embeds or links each, and says which file is missing", async () => {
		const dir = await tempDir("ketl-attach-");
		const zip = await writeChatgptAttachmentZip(join(dir, "export.zip"));
		const vault = await newVault();
		const run = await importJson([zip], vault);
		expect(run.code, run.err).toBe(0);
		expect(run.json.notes.created).toBe(2);

		const files = (await vaultFiles(vault)).filter((f) => f.startsWith(`${ATTACHMENTS}/`));
		expect(files).toEqual([
			`${ATTACHMENTS}/Q1 report.pdf`,
			`${ATTACHMENTS}/file_000000001234abcd5678ef901234abcd-4f1c2b7e-0d1e-4a39-9d3c-5a1b2c3d4e5f.png`,
			`${ATTACHMENTS}/whiteboard photo.png`,
		]);
		expect(new Uint8Array(await readFile(join(vault, ATTACHMENTS, "whiteboard photo.png")))).toEqual(UPLOAD_BYTES);
		expect(new Uint8Array(await readFile(join(vault, ATTACHMENTS, "Q1 report.pdf")))).toEqual(PDF_BYTES);
		expect(new Uint8Array(await readFile(join(vault, files[1]!)))).toEqual(GENERATED_BYTES);

		const text = await note(vault, "Whiteboard and a picture");
		expect(text).toContain(`![[${ATTACHMENTS}/whiteboard photo.png]]`);
		expect(text).toContain(`[[${ATTACHMENTS}/Q1 report.pdf|Q1 report.pdf]]`);
		expect(text).toContain(`![[${files[1]}]]`);
		expect(text).toContain("> [!note] Attachment: file\\_00000000ffff0000ffff0000ffff0000 (not in the export)");
		expect(text).not.toContain("not imported");
		expect(text).not.toMatch(/\uE000|\uE001/);
		// The second conversation shows the same upload: the file already copied, not a second copy.
		expect(await note(vault, "The whiteboard again")).toContain(`![[${ATTACHMENTS}/whiteboard photo.png]]`);
	});

	it("copies nothing twice on re-import, and honours --attachments", async () => {
		const dir = await tempDir("ketl-attach-");
		const zip = await writeChatgptAttachmentZip(join(dir, "export.zip"));
		const vault = await newVault();
		expect((await importJson([zip], vault, ["--attachments", "Files/From AI"])).code).toBe(0);
		const before = await vaultFiles(vault);
		expect(before.filter((f) => f.startsWith("Files/From AI/"))).toHaveLength(3);
		expect(before.some((f) => f.startsWith(ATTACHMENTS))).toBe(false);
		const index = await readFile(join(vault, ".staging/@index/attachments.jsonl"), "utf8");

		const again = await importJson([zip], vault, ["--attachments", "Files/From AI"]);
		expect(again.code, again.err).toBe(0);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
		expect(await vaultFiles(vault)).toEqual(before);
		expect(await readFile(join(vault, ".staging/@index/attachments.jsonl"), "utf8")).toBe(index);
	});

	it("a dry run decides the links and writes no file", async () => {
		const dir = await tempDir("ketl-attach-");
		const zip = await writeChatgptAttachmentZip(join(dir, "export.zip"));
		const vault = await newVault();
		expect((await importJson([zip], vault, ["--dry-run"])).code).toBe(0);
		expect(await vaultFiles(vault)).toEqual([]);
	});
});

describe("import: Claude artifacts", () => {
	it("writes each artifact's latest version beside the note and links it from every version's message", async () => {
		const dir = await tempDir("ketl-attach-");
		const input = await writeJson(join(dir, "conversations.json"), [claudeArtifactConversation()]);
		const vault = await newVault();
		const run = await importJson([input], vault);
		expect(run.code, run.err).toBe(0);
		const folder = "AI Conversations/Claude/A small script artifacts";
		expect((await readdir(join(vault, folder))).sort()).toEqual(["Flow.md", "greet.py"]);
		expect(await readFile(join(vault, folder, "greet.py"), "utf8")).toBe('print("goodbye")\n');
		expect(await readFile(join(vault, folder, "Flow.md"), "utf8")).toBe("```mermaid\ngraph TD\n  A --> B\n```\n");
		const text = await note(vault, "A small script", "Claude");
		expect(text).toContain(`**Artifact:** [[${folder}/greet.py|greet.py]] · version 1 of 2 (the file holds the latest)`);
		expect(text).toContain(`**Artifact:** [[${folder}/greet.py|greet.py]] · version 2`);
		expect(text).toContain(`**Artifact:** [[${folder}/Flow.md|Flow.md]]`);
		// The code is in the files, not repeated in the note.
		expect(text).not.toContain('print("hello")');

		const again = await importJson([input], vault);
		expect(again.json.notes).toMatchObject({ created: 0, unchanged: 1 });
		expect((await readdir(join(vault, folder))).sort()).toEqual(["Flow.md", "greet.py"]);
	});
});
