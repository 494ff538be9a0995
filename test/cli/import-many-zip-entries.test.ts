import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../src/core/import/extract/zip-archive";
import { chatgptWith, fakeBytes } from "../support/attachment-exports";
import { importJson, newVault } from "./import-support";
import { tempDir } from "../core/_support/temp-vault";

/** A zip of stored entries (no compression): local headers, the data, then the central directory. */
function storedZip(entries: [string, Uint8Array][]): Uint8Array {
	const enc = new TextEncoder();
	const parts: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	for (const [name, data] of entries) {
		const n = enc.encode(name);
		const crc = crc32(data);
		const local = new DataView(new ArrayBuffer(30));
		local.setUint32(0, 0x04034b50, true);
		local.setUint16(4, 20, true);
		local.setUint16(6, 0x0800, true); // UTF-8 names
		local.setUint32(14, crc, true);
		local.setUint32(18, data.length, true);
		local.setUint32(22, data.length, true);
		local.setUint16(26, n.length, true);
		parts.push(new Uint8Array(local.buffer), n, data);
		const dir = new DataView(new ArrayBuffer(46));
		dir.setUint32(0, 0x02014b50, true);
		dir.setUint16(4, 20, true);
		dir.setUint16(6, 20, true);
		dir.setUint16(8, 0x0800, true);
		dir.setUint32(16, crc, true);
		dir.setUint32(20, data.length, true);
		dir.setUint32(24, data.length, true);
		dir.setUint16(28, n.length, true);
		dir.setUint32(42, offset, true);
		central.push(new Uint8Array(dir.buffer), n);
		offset += 30 + n.length + data.length;
	}
	const dirBytes = central.reduce((t, p) => t + p.length, 0);
	const end = new DataView(new ArrayBuffer(22));
	end.setUint32(0, 0x06054b50, true);
	end.setUint16(8, entries.length, true);
	end.setUint16(10, entries.length, true);
	end.setUint32(12, dirBytes, true);
	end.setUint32(16, offset, true);
	const all = [...parts, ...central, new Uint8Array(end.buffer)];
	const out = new Uint8Array(all.reduce((t, p) => t + p.length, 0));
	let at = 0;
	for (const p of all) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

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
