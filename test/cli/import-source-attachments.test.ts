import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { TextReader, Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { describe, expect, it } from "vitest";
import { importJson, newVault, vaultFiles } from "./import-support";
import { fakeBytes, PDF_BYTES } from "../support/attachment-exports";
import { tempDir } from "../core/_support/temp-vault";

/**
 * The files of Gemini, Grok and Le Chat exports reach the vault, as ChatGPT's do: each zip is laid out as the real
 * one is (Takeout's `Gemini Apps/` folder beside MyActivity.json; Grok's `prod-mc-asset-server/<id>/content` with no
 * name or type; Le Chat's `chat-<id>-files/<name>`), from our own fixtures in test/fixtures/sources.
 */

const SOURCES = fileURLToPath(new URL("../fixtures/sources/", import.meta.url));
const text = (name: string): string => readFileSync(join(SOURCES, name), "utf8");
const ATTACHMENTS = "AI Conversations/attachments";

const JPEG = (() => {
	const b = fakeBytes(7, 2000, false);
	b.set([0xff, 0xd8, 0xff, 0xe0]);
	return b;
})();
const PNG = fakeBytes(8, 1500);

async function zip(path: string, entries: Record<string, string | Uint8Array>): Promise<string> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	for (const [name, data] of Object.entries(entries))
		await writer.add(name, typeof data === "string" ? new TextReader(data) : new Uint8ArrayReader(data));
	await writeFile(path, await writer.close());
	return path;
}

async function note(vault: string, folder: string, title: string): Promise<string> {
	return readFile(join(vault, "AI Conversations", folder, `${title}.md`), "utf8");
}

const bytes = async (vault: string, path: string): Promise<Uint8Array> => new Uint8Array(await readFile(join(vault, path)));

describe("import: files of Gemini, Grok and Le Chat zips", () => {
	it("Gemini: attached files and generated images beside MyActivity.json are copied and embedded", async () => {
		const dir = await tempDir("ketl-src-files-");
		const input = await zip(join(dir, "takeout-20250305T101500Z-001.zip"), {
			"Takeout/My Activity/Gemini Apps/MyActivity.json": text("gemini-MyActivity.json"),
			"Takeout/My Activity/Gemini Apps/pantry.jpg": JPEG,
			"Takeout/My Activity/Gemini Apps/cat-map-7Hk2.png": PNG,
			// Another product's file of the same name is not Gemini's.
			"Takeout/Drive/note-photo.png": fakeBytes(9, 100),
		});
		const vault = await newVault();
		const run = await importJson([input], vault);
		expect(run.code, run.err).toBe(0);
		const files = (await vaultFiles(vault)).filter((f) => f.startsWith(`${ATTACHMENTS}/`));
		expect(files).toEqual([`${ATTACHMENTS}/cat-map-7Hk2.png`, `${ATTACHMENTS}/pantry.jpg`]);
		expect(await bytes(vault, `${ATTACHMENTS}/pantry.jpg`)).toEqual(JPEG);
		expect(await bytes(vault, `${ATTACHMENTS}/cat-map-7Hk2.png`)).toEqual(PNG);
		expect(await note(vault, "Gemini", "A ragù for 6 people quantities")).toContain(`![[${ATTACHMENTS}/pantry.jpg]]`);
		const all = await Promise.all(
			["A ragù for 6 people quantities", "Explain `git rebase --onto` with an example", "Translate good morning into Welsh"].map((t) =>
				note(vault, "Gemini", t),
			),
		);
		expect(all.join("\n")).toContain(`![[${ATTACHMENTS}/cat-map-7Hk2.png]]`);
		expect(all.join("\n")).toContain("Attachment: note-photo.png (not in the export)");
	});

	it("Grok: an asset with no name or type gets its type from its bytes; a re-import copies nothing again", async () => {
		const dir = await tempDir("ketl-src-files-");
		const input = await zip(join(dir, "grok-export.zip"), {
			"ttl/30d/export_data/a1b2c3d4/prod-grok-backend.json": text("grok-prod-grok-backend.json"),
			"ttl/30d/export_data/a1b2c3d4/prod-mc-asset-server/6f1e2d3c-4b5a-4987-8c6d-5e4f3a2b1c0d/content": PDF_BYTES,
		});
		const vault = await newVault();
		expect((await importJson([input], vault)).code).toBe(0);
		const path = `${ATTACHMENTS}/6f1e2d3c-4b5a-4987-8c6d-5e4f3a2b1c0d.pdf`;
		expect(await bytes(vault, path)).toEqual(PDF_BYTES);
		expect(await note(vault, "Grok", "Sourdough starter schedule")).toContain(`[[${path}|6f1e2d3c-4b5a-4987-8c6d-5e4f3a2b1c0d.pdf]]`);
		const before = await vaultFiles(vault);
		const again = await importJson([input], vault);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0 });
		expect(await vaultFiles(vault)).toEqual(before);
	});

	it("Le Chat: uploads in chat-<id>-files/ are found by chat and name (the other chat's file of the same name is not taken)", async () => {
		const dir = await tempDir("ketl-src-files-");
		const input = await zip(join(dir, "lechat-export.zip"), {
			"chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json": text("lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json"),
			"chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json": text("lechat-chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json"),
			"chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d-files/alps-panorama.jpg": fakeBytes(10, 50, false),
			"chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c-files/alps-panorama.jpg": JPEG,
		});
		const vault = await newVault();
		expect((await importJson([input], vault)).code).toBe(0);
		expect(await bytes(vault, `${ATTACHMENTS}/alps-panorama.jpg`)).toEqual(JPEG);
		expect(await note(vault, "Le Chat", "What is the highest mountain in the Alps")).toContain(`![[${ATTACHMENTS}/alps-panorama.jpg]]`);
	});
});
