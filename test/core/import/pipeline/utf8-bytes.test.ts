import { describe, expect, it } from "vitest";
import { utf8Bytes } from "../../../../src/core/import/pipeline/load-stage";

const encoded = (text: string): number => new TextEncoder().encode(text).length;

describe("utf8Bytes: a note's size as written (UTF-8, a lone surrogate as U+FFFD)", () => {
	it.each([
		["empty", ""],
		["ASCII", "Hello, world\n`code`\t~"],
		["two-byte", "é ß ñ Ж ק"],
		["three-byte", "日本語のテキスト。€"],
		["surrogate pairs", "😀 𝄞 🧑‍🚀"],
		["lone high surrogate then ASCII", "a\ud83db"],
		["lone high surrogate then a high one", "\ud83d\ud83d\ude00"],
		["lone low surrogate", "x\ude00y"],
		["high surrogate at the end", "abc\ud83d"],
		["runs of everything", "ascii é 日本 😀 \u0080\u07ff\u0800\uffff end"],
	])("%s", (_name, text) => {
		expect(utf8Bytes(text)).toBe(encoded(text));
	});

	it("equals TextEncoder's length on 2,000 seeded random strings over every kind of code unit", () => {
		let seed = 20261206;
		const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
		const pick = [
			(): number => 0x20 + Math.floor(next() * 0x5f),
			(): number => 0x80 + Math.floor(next() * 0x780),
			(): number => 0x800 + Math.floor(next() * 0xd000),
			(): number => 0xd800 + Math.floor(next() * 0x800),
			(): number => 0xe000 + Math.floor(next() * 0x2000),
		];
		for (let k = 0; k < 2000; k++) {
			const units: number[] = [];
			const len = Math.floor(next() * 40);
			for (let i = 0; i < len; i++) units.push(pick[Math.floor(next() * pick.length)]!());
			const text = String.fromCharCode(...units);
			expect(utf8Bytes(text), JSON.stringify(text)).toBe(encoded(text));
		}
	});
});
