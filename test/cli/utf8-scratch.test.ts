import { describe, expect, it } from "vitest";
import { utf8View } from "../../src/cli/utf8-scratch";

describe("utf8View", () => {
	it.each([
		["empty", ""],
		["ASCII", "plain text\n"],
		["accents, CJK, right-to-left", "héllo 日本語 שלום"],
		["emoji (surrogate pairs: 4 bytes from 2 code units)", "🎉🙂".repeat(50)],
		["a lone surrogate (U+FFFD, as Buffer.from)", "a\ud800b\udc00"],
	])("gives the same bytes as Buffer.from: %s", (_label, text) => {
		expect(Buffer.compare(utf8View(text), Buffer.from(text, "utf8"))).toBe(0);
	});

	it("grows for a text larger than the buffer so far, and stays right afterwards for small ones", () => {
		const big = "é".repeat(300_000) + "🙂".repeat(100_000); // > 256 KiB × 3
		expect(Buffer.compare(utf8View(big), Buffer.from(big, "utf8"))).toBe(0);
		expect(utf8View("short").toString("utf8")).toBe("short");
	});

	it("gives a text beyond the kept size a buffer of its own", () => {
		const huge = "x".repeat(6 * 1024 * 1024); // × 3 > 16 MiB
		const view = utf8View(huge);
		expect(view.length).toBe(huge.length);
		const small = utf8View("after");
		expect(small.toString("utf8")).toBe("after");
		// The huge view was not the shared buffer: the next call did not overwrite its first bytes.
		expect(view.subarray(0, 5).toString("latin1")).toBe("xxxxx");
	});

	it("reuses one buffer: a view is valid only until the next call of another text", () => {
		const first = utf8View("aaaa");
		utf8View("bbbb");
		expect(first.toString("utf8")).toBe("bbbb");
	});

	it("gives the held text's bytes again without encoding it again, and never another text's", () => {
		const note = `${"note ".repeat(10)}é`;
		const first = utf8View(note);
		const again = utf8View(note);
		expect(again.buffer).toBe(first.buffer);
		expect(again.byteOffset).toBe(first.byteOffset);
		expect(again.toString("utf8")).toBe(note);
		// Same length, other content: encoded, not the held bytes.
		const other = `${"eton ".repeat(10)}é`;
		expect(utf8View(other).toString("utf8")).toBe(other);
		expect(utf8View(note).toString("utf8")).toBe(note);
		// After a huge text (a buffer of its own), the held text is still the one in the shared buffer.
		utf8View("y".repeat(6 * 1024 * 1024));
		expect(utf8View(note).toString("utf8")).toBe(note);
	});
});
