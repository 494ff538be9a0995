import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
	Sha256,
	sha256BodyThenNote,
	sha256Hex,
	sha256HexAsync,
	sha256HexBytes,
	sha256HexBytesAsync,
	webCryptoSubtle,
} from "../../../src/core/util/sha256";
import { seededRandom } from "../../support/seeded-random";

const nodeHex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** FIPS 180-2 / NIST example vectors. */
const VECTORS: [string, string][] = [
	["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
	["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
	["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
	[
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	],
	["The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"],
];

/** Random text mixing ASCII, 2- and 3-byte UTF-8, astral characters and lone surrogates of both kinds. */
function randomText(random: () => number, length: number): string {
	const units: string[] = [];
	for (let i = 0; i < length; i++) {
		const r = random();
		if (r < 0.5) units.push(String.fromCharCode(32 + Math.floor(random() * 95)));
		else if (r < 0.6) units.push(String.fromCharCode(0x80 + Math.floor(random() * 0x700)));
		else if (r < 0.75) units.push(String.fromCharCode(0x3040 + Math.floor(random() * 0x5000)));
		else if (r < 0.9) units.push(String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff)));
		else if (r < 0.95) units.push(String.fromCharCode(0xd800 + Math.floor(random() * 0x400)));
		else units.push(String.fromCharCode(0xdc00 + Math.floor(random() * 0x400)));
	}
	return units.join("");
}

describe("sha256", () => {
	it.each(VECTORS)("known vector %j", (input, expected) => {
		expect(sha256Hex(input)).toBe(expected);
	});

	it("one million 'a' (FIPS 180-2 vector)", () => {
		expect(sha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
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

	it("hashes lone surrogates as U+FFFD, like TextEncoder and node's Buffer", () => {
		for (const text of ["\ud800", "a\udc00b", "\udbff\udbff\udfff", "x\ud83d", "\ude80y", "🚀\ud800🚀"]) {
			expect(sha256Hex(text)).toBe(nodeHex(Buffer.from(text, "utf8")));
			expect(sha256Hex(text)).toBe(
				sha256Hex(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")),
			);
		}
	});

	it("encodes long text in pieces without splitting a character (astral characters across the 64 KB scratch)", () => {
		const random = seededRandom(7);
		for (const [unit, count] of [
			["🚀", 40_000],
			["é", 70_000],
			["語", 50_000],
			["a", 200_001],
		] as const) {
			for (const pad of ["", "x", "xy", "xyz"]) {
				const text = pad + unit.repeat(count);
				expect(sha256Hex(text), `${unit} x ${count} after ${JSON.stringify(pad)}`).toBe(nodeHex(text));
			}
		}
		const mixed = randomText(random, 300_000);
		expect(sha256Hex(mixed)).toBe(nodeHex(Buffer.from(mixed, "utf8")));
	});

	it("updateText in pieces equals one update, also after raw bytes left a partial block", () => {
		const random = seededRandom(11);
		for (let round = 0; round < 40; round++) {
			// Pieces are cut between code points, so no piece ends in half of a surrogate pair.
			const points = Array.from(randomText(random, Math.floor(random() * 3000)).replace(/[\ud800-\udfff]/g, "?"));
			const hash = new Sha256().update(new Uint8Array([1, 2, 3]));
			let at = 0;
			while (at < points.length) {
				const step = 1 + Math.floor(random() * 200);
				hash.updateText(points.slice(at, at + step).join(""));
				at += step;
			}
			const expected = createHash("sha256")
				.update(new Uint8Array([1, 2, 3]))
				.update(points.join(""))
				.digest("hex");
			expect(hash.digestHex()).toBe(expected);
		}
	});

	it("goes on from a saved state as if never stopped (save, then resume elsewhere)", () => {
		const random = seededRandom(99);
		for (let round = 0; round < 200; round++) {
			const a = randomText(random, Math.floor(random() * 300));
			const b = `\n${randomText(random, Math.floor(random() * 100))}`;
			const saved = new Sha256().updateText(a).save();
			expect(Sha256.resume(saved).updateText(b).digestHex(), `round ${round}`).toBe(nodeHex(Buffer.from(a + b, "utf8")));
		}
		expect(() => Sha256.resume("not a state")).toThrow(/saved state/);
		expect(() => Sha256.resume(`${"0".repeat(64)}ab:5`)).toThrow(/saved state/);
	});

	it("refuses update or digest after digest", () => {
		const hash = new Sha256().updateText("a");
		hash.digest();
		expect(() => hash.updateText("b")).toThrow(/after digest/);
		expect(() => hash.digest()).toThrow(/twice/);
	});
});

describe("sha256HexAsync", () => {
	const subtle = webCryptoSubtle();

	it("finds the Web Crypto API on Node 20", () => {
		expect(subtle).not.toBeNull();
	});

	it.each(VECTORS)("known vector %j, through Web Crypto and through the JavaScript fallback", async (input, expected) => {
		expect(await sha256HexAsync(input)).toBe(expected);
		expect(await sha256HexAsync(input, null)).toBe(expected);
	});

	it("one million 'a' through Web Crypto", async () => {
		expect(await sha256HexAsync("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	});

	it("agrees with sha256Hex and node:crypto on random text with astral characters and lone surrogates", async () => {
		const random = seededRandom(2024);
		for (let round = 0; round < 300; round++) {
			const text = randomText(random, Math.floor(random() * (round % 10 === 0 ? 20_000 : 300)));
			const expected = nodeHex(Buffer.from(text, "utf8"));
			expect(sha256Hex(text), `round ${round}`).toBe(expected);
			expect(await sha256HexAsync(text), `round ${round}`).toBe(expected);
			expect(await sha256HexAsync(text, null), `round ${round}`).toBe(expected);
		}
	});

	it("many hashes started at once each hash their own text (the shared scratch is written over while digests run)", async () => {
		const random = seededRandom(17);
		const texts = Array.from({ length: 64 }, (_, i) => randomText(random, 200 + i * 37));
		const started = texts.map((text) => sha256HexAsync(text));
		expect(await Promise.all(started)).toEqual(texts.map((text) => nodeHex(Buffer.from(text, "utf8"))));
	});

	it("hands Web Crypto one reused buffer, not a copy per text, and looks the API up once", async () => {
		const buffers = new Set<ArrayBufferLike>();
		const counting = {
			digest: (algorithm: string, data: Uint8Array) => {
				buffers.add(data.buffer);
				return subtle!.digest(algorithm, data as Uint8Array<ArrayBuffer>);
			},
		} as unknown as SubtleCrypto;
		for (let i = 0; i < 20; i++) expect(await sha256HexAsync(`note ${i}`, counting)).toBe(nodeHex(Buffer.from(`note ${i}`, "utf8")));
		expect(buffers.size).toBe(1);
		expect(webCryptoSubtle()).toBe(subtle);
	});

	it("falls back to the JavaScript implementation when the Web Crypto call fails", async () => {
		const refusing = { digest: () => Promise.reject(new Error("not here")) } as unknown as SubtleCrypto;
		expect(await sha256HexAsync("abc", refusing)).toBe(VECTORS[1]![1]);
	});
});

describe("sha256BodyThenNote (a premade note's hashes)", () => {
	const utf8 = (text: string) => Buffer.from(text, "utf8");

	it("hash body + suffix, then head + body, as node:crypto hashes those texts, and count the note's UTF-8 bytes", async () => {
		const random = seededRandom(91);
		for (let round = 0; round < 120; round++) {
			// Bodies that start or end with a lone surrogate or an astral character; heads past the room before the body.
			const body = randomText(random, Math.floor(random() * (round % 10 === 0 ? 30_000 : 400)));
			const suffix = `\n---\nAI/Claude/${randomText(random, 20)}.md`;
			const headOf = (hex: string) => `---\nfile_id: ${hex.slice(0, 12)}\ntitle: ${randomText(random, round % 7 === 0 ? 9000 : 40)}\n---\n`;
			let head = "";
			const made = await sha256BodyThenNote(body, suffix, (hex) => (head = headOf(hex)));
			expect(made, `round ${round}`).not.toBeNull();
			expect(made!.bodyHex, `round ${round}`).toBe(nodeHex(utf8(body + suffix)));
			expect(made!.head).toBe(head);
			expect(made!.noteHex, `round ${round}`).toBe(nodeHex(utf8(head + body)));
			expect(made!.bytes, `round ${round}`).toBe(utf8(head + body).length);
		}
	});

	it("calls at the same time each hash their own texts (the second takes a buffer of its own)", async () => {
		const random = seededRandom(5);
		const bodies = Array.from({ length: 16 }, (_, i) => randomText(random, 100 + i * 51));
		const made = await Promise.all(bodies.map((b, i) => sha256BodyThenNote(b, `\n---\nN${i}.md`, (hex) => `---\nid: ${hex}\n---\n`)));
		made.forEach((m, i) => {
			expect(m!.bodyHex).toBe(nodeHex(utf8(`${bodies[i]!}\n---\nN${i}.md`)));
			expect(m!.noteHex).toBe(nodeHex(utf8(`---\nid: ${m!.bodyHex}\n---\n${bodies[i]!}`)));
		});
	});

	it("is null without Web Crypto or when it fails (the caller hashes its own way)", async () => {
		const refusing = { digest: () => Promise.reject(new Error("not here")) } as unknown as SubtleCrypto;
		expect(await sha256BodyThenNote("b", "s", () => "h", null)).toBeNull();
		expect(await sha256BodyThenNote("b", "s", () => "h", refusing)).toBeNull();
	});
});

describe("sha256HexBytesAsync", () => {
	it("agrees with sha256HexBytes and node:crypto, through Web Crypto, the fallback and a refusing API", async () => {
		const random = seededRandom(77);
		const refusing = { digest: () => Promise.reject(new Error("not here")) } as unknown as SubtleCrypto;
		for (const size of [0, 1, 55, 56, 64, 1000, 1024 * 1024]) {
			const bytes = new Uint8Array(size).map(() => Math.floor(random() * 256));
			const expected = nodeHex(Buffer.from(bytes));
			expect(sha256HexBytes(bytes)).toBe(expected);
			expect(await sha256HexBytesAsync(bytes)).toBe(expected);
			expect(await sha256HexBytesAsync(bytes, null)).toBe(expected);
			expect(await sha256HexBytesAsync(bytes, refusing)).toBe(expected);
		}
		// A view into a larger buffer hashes only its own bytes.
		const big = new Uint8Array(4096).map((_, i) => i & 0xff);
		const view = big.subarray(100, 1100);
		expect(await sha256HexBytesAsync(view)).toBe(nodeHex(Buffer.from(view)));
	});
});
