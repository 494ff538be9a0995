import { describe, expect, it } from "vitest";
import { exportFileRefs } from "../../../../src/core/import/attachments/export-files";
import { sniffExtension } from "../../../../src/core/import/attachments/resolve-draft-files";

describe("exportFileRefs: the references a zip entry is found by", () => {
	it.each([
		["file-Up1oadAbC9-photo.png", ["file-Up1oadAbC9"]],
		["user-abc/file_00000000aa11-4f1c.png", ["file_00000000aa11"]],
		["ttl/30d/export_data/u1/prod-mc-asset-server/6f1e2d3c/content", ["grok-asset:6f1e2d3c"]],
		["prod-mc-asset-server//a-b/content", ["grok-asset:a-b"]],
		["prod-mc-asset-server/a-b/thumbnail", []],
		["chat-3c1f-files/alps panorama.jpg", ["lechat:3c1f/alps panorama.jpg"]],
		["export/chat-3c1f-files/sub/x.txt", ["lechat:3c1f/sub/x.txt"]],
		["Takeout/My Activity/Gemini Apps/pantry.jpg", ["gemini:pantry.jpg"]],
		["Takeout/Meine Aktivitäten/Gemini-Apps/Foto.png", ["gemini:Foto.png"]],
		["Takeout/My Activity/Gemini Apps/MyActivity.json", []],
		["Takeout/My Activity/Gemini Apps/MyActivity.html", []],
		["Takeout/Drive/pantry.jpg", []],
		["conversations.json", []],
	])("%s", (path, refs) => {
		expect(exportFileRefs(path)).toEqual(refs);
	});
});

const bytesOf = (...parts: (string | number[])[]): Uint8Array => {
	const out: number[] = [];
	for (const p of parts) out.push(...(typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p));
	while (out.length < 16) out.push(0);
	return new Uint8Array(out);
};

describe("sniffExtension: a nameless file's type from its bytes", () => {
	it.each([
		["png", bytesOf([0x89], "PNG\r\n\x1a\n")],
		["jpg", bytesOf([0xff, 0xd8, 0xff, 0xe1])],
		["gif", bytesOf("GIF89a")],
		["webp", bytesOf("RIFF", [1, 2, 3, 4], "WEBPVP8 ")],
		["wav", bytesOf("RIFF", [1, 2, 3, 4], "WAVEfmt ")],
		["pdf", bytesOf("%PDF-1.7")],
		["mp4", bytesOf([0, 0, 0, 0x18], "ftypmp42")],
		["mov", bytesOf([0, 0, 0, 0x14], "ftypqt  ")],
		["m4a", bytesOf([0, 0, 0, 0x20], "ftypM4A ")],
		["avif", bytesOf([0, 0, 0, 0x1c], "ftypavif")],
		["mp3", bytesOf("ID3", [4, 0])],
		["ogg", bytesOf("OggS")],
		["webm", bytesOf([0x1a, 0x45, 0xdf, 0xa3])],
		["zip", bytesOf("PK\x03\x04")],
		["", bytesOf("hello world")],
		["", new Uint8Array([0x89, 0x50])],
	])("%s", (ext, bytes) => {
		expect(sniffExtension(bytes)).toBe(ext);
	});
});
