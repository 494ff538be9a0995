import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nonUtf8Encoding } from "../../src/core/import/extract/text-encoding";
import { claudeConv, newVault, runCli } from "./import-support";

/** The export's JSON in another Unicode encoding (with or without a byte-order mark). */
function encode(text: string, encoding: "utf16le" | "utf16be" | "utf32le" | "utf32be", bom: boolean): Buffer {
	const chars = [...(bom ? "\ufeff" : ""), ...text];
	if (encoding === "utf16le") return Buffer.from((bom ? "\ufeff" : "") + text, "utf16le");
	if (encoding === "utf16be") return Buffer.from((bom ? "\ufeff" : "") + text, "utf16le").swap16();
	const out = Buffer.alloc(chars.length * 4);
	chars.forEach((c, i) =>
		encoding === "utf32le" ? out.writeUInt32LE(c.codePointAt(0)!, i * 4) : out.writeUInt32BE(c.codePointAt(0)!, i * 4),
	);
	return out;
}

describe("an export in UTF-16 or UTF-32 is named as such", () => {
	const json = JSON.stringify([
		claudeConv({ id: "c1", title: "Hello", updated: "2025-03-01T10:00:00Z", messages: [{ role: "user", text: "hi" }] }),
	]);

	it.each([
		["utf16le", true, "UTF-16 (little-endian)"],
		["utf16le", false, "UTF-16 (little-endian)"],
		["utf16be", true, "UTF-16 (big-endian)"],
		["utf16be", false, "UTF-16 (big-endian)"],
		["utf32le", true, "UTF-32 (little-endian)"],
		["utf32le", false, "UTF-32 (little-endian)"],
		["utf32be", true, "UTF-32 (big-endian)"],
		["utf32be", false, "UTF-32 (big-endian)"],
	] as const)("%s (BOM: %s): exit 2, the file and its encoding named, nothing written", async (encoding, bom, name) => {
		const vault = await newVault();
		const file = join(vault, "..", `${encoding}-${bom}-${Date.now()}.json`);
		await writeFile(file, encode(json, encoding, bom));
		const run = await runCli(["import", file, "--vault", vault]);
		expect(run.code).toBe(2);
		expect(run.err).toContain(`the file is ${name} text, not UTF-8`);
		expect(run.err).toContain(file.slice(file.lastIndexOf("/") + 1));
		expect((await readdir(vault)).filter((f) => !f.startsWith("."))).toEqual([]);
	});

	it("leaves UTF-8 (with or without BOM) alone", () => {
		expect(nonUtf8Encoding(Buffer.from(json))).toBeNull();
		expect(nonUtf8Encoding(Buffer.from(`\ufeff${json}`))).toBeNull();
		expect(nonUtf8Encoding(Buffer.from("[]"))).toBeNull();
	});
});
