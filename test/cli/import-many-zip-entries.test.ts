import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatgptWith, fakeBytes } from "../support/attachment-exports";
import { storedZip } from "../support/stored-zip";
import { importJson, newVault } from "./import-support";
import { tempDir } from "../core/_support/temp-vault";

const FILES = 30_000;
const id = (i: number): string => `file-Up${String(i).padStart(6, "0")}x`;

// Issue 15 item 5: ChatGPT zips hold one entry per upload. One with 5 conversations and 30,000 files imports, and
// each note gets the files it refers to (before: "needed more than 192 MB … a very large single conversation?").
describe("a ChatGPT zip with 30,000 files", () => {
	it("imports its 5 conversations with the 10 files they refer to", async () => {
		const conversations = Array.from({ length: 5 }, (_, c) =>
			chatgptWith(`conv-${c}`, `Photos ${c}`, [
				{
					author: { role: "user" },
					content: {
						content_type: "multimodal_text",
						parts: [
							{ content_type: "image_asset_pointer", asset_pointer: `file-service://${id(c * 5000)}`, size_bytes: 64 },
							{ content_type: "image_asset_pointer", asset_pointer: `file-service://${id(c * 5000 + 4999)}`, size_bytes: 64 },
							"What are these?",
						],
					},
				},
				{ author: { role: "assistant" }, content: { content_type: "text", parts: ["Two photos."] } },
			]),
		);
		const entries: [string, Uint8Array][] = [["conversations.json", new TextEncoder().encode(JSON.stringify(conversations))]];
		for (let i = 0; i < FILES; i++) entries.push([`${id(i)}-IMG_${i}.png`, fakeBytes(i + 1, 64)]);
		const dir = await tempDir("ketl-many-entries-");
		const zip = join(dir, "chatgpt-export.zip");
		await writeFile(zip, storedZip(entries));

		const vault = await newVault();
		const run = await importJson([zip], vault);
		expect(run.code).toBe(0);
		expect(run.json.counts).toEqual({ total: 5, success: 5, failed: 0, skipped: 0 });
		const attachments = (await readdir(join(vault, "AI Conversations", "attachments"))).sort();
		const wanted = [0, 1, 2, 3, 4].flatMap((c) => [c * 5000, c * 5000 + 4999]);
		expect(attachments).toEqual(wanted.map((i) => `${id(i)}-IMG_${i}.png`).sort());
		for (const i of wanted)
			expect(new Uint8Array(await readFile(join(vault, "AI Conversations", "attachments", `${id(i)}-IMG_${i}.png`)))).toEqual(
				fakeBytes(i + 1, 64),
			);
		const note = await readFile(join(vault, "AI Conversations", "ChatGPT", "Photos 3.md"), "utf8");
		expect(note).toContain(`![[AI Conversations/attachments/${id(15000)}-IMG_15000.png]]`);
		expect(note).toContain(`![[AI Conversations/attachments/${id(19999)}-IMG_19999.png]]`);
	}, 60_000);
});
