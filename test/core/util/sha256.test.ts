import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sha256, sha256Hex, sha256HexBytes } from "../../../src/core/util/sha256";

const nodeHex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

describe("sha256", () => {
	it.each([
		["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
		["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
		[
			"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		],
		[
			"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
			"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
		],
		["The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"],
	])("known vector %j", (input, expected) => {
		expect(sha256Hex(input)).toBe(expected);
	});

	it("one million 'a' (FIPS 180-2 vector)", () => {
		expect(sha256Hex("a".repeat(1_000_000))).toBe(
			"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		);
	});

	it("hashes the UTF-8 bytes of non-ASCII text (CJK, emoji, RTL) like node:crypto", () => {
		for (const text of ["日本語のタイトル", "🚀 launch 👩‍👩‍👧", "שלום עולם", "é vs é"]) {
			expect(sha256Hex(text)).toBe(nodeHex(text));
		}
	});

	it("matches node:crypto on random byte inputs around block boundaries", () => {
		const lengths = [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65_537];
		for (const length of lengths) {
			const bytes = new Uint8Array(randomBytes(length));
			expect(sha256HexBytes(bytes), `length ${length}`).toBe(nodeHex(bytes));
		}
	});

	it("matches node:crypto on random strings, and incremental updates in random pieces equal one update", () => {
		for (let round = 0; round < 30; round++) {
			const chars: string[] = [];
			const n = Math.floor(Math.random() * 3000);
			for (let i = 0; i < n; i++) {
				const r = Math.random();
				chars.push(
					r < 0.6
						? String.fromCharCode(32 + Math.floor(Math.random() * 95))
						: r < 0.9
							? String.fromCharCode(0x3040 + Math.floor(Math.random() * 200))
							: String.fromCodePoint(0x1f300 + Math.floor(Math.random() * 500)),
				);
			}
			const text = chars.join("");
			expect(sha256Hex(text)).toBe(nodeHex(text));

			const bytes = new TextEncoder().encode(text);
			const hash = new Sha256();
			let offset = 0;
			while (offset < bytes.length) {
				const step = 1 + Math.floor(Math.random() * 150);
				hash.update(bytes.subarray(offset, offset + step));
				offset += step;
			}
			expect(hash.digestHex()).toBe(nodeHex(bytes));
		}
	});

	it("is fast enough for a multi-megabyte note", () => {
		const text = "x".repeat(4 * 1024 * 1024);
		const started = performance.now();
		expect(sha256Hex(text)).toBe(nodeHex(text));
		// Generous bound on a shared, slow machine: this guards against an accidental O(n^2), not a benchmark.
		expect(performance.now() - started).toBeLessThan(5000);
	});

	it("refuses update or digest after digest", () => {
		const hash = new Sha256().updateText("a");
		hash.digest();
		expect(() => hash.updateText("b")).toThrow(/after digest/);
		expect(() => hash.digest()).toThrow(/twice/);
	});
});
