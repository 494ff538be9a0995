/**
 * The input fingerprint a session's manifest records, and the check a resume makes with it (input-manifest.ts): the
 * size, the SHA-256 of the first and last MiB, and a CRC-32 of the whole input when the source computes one; a
 * session from before the CRC recorded a whole SHA-256, which the check computes again.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import { fingerprint, inputDifference, type InputFingerprint } from "../../../../src/core/import/pipeline/input-manifest";

const MIB = 1024 * 1024;

/** An input in memory; `whole` says which whole-input checksums it computes, and counts the calls. */
function source(bytes: Uint8Array, whole: { crc32?: boolean; sha256?: boolean } = { crc32: true, sha256: true }) {
	const calls = { crc32: 0, sha256: 0 };
	const s: ByteSource & { calls: typeof calls } = {
		name: "conversations.json",
		size: bytes.length,
		calls,
		read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
		...(whole.crc32
			? {
					crc32: async () => {
						calls.crc32++;
						return crc32(bytes).toString(16).padStart(8, "0");
					},
				}
			: {}),
		...(whole.sha256
			? {
					sha256: async () => {
						calls.sha256++;
						return createHash("sha256").update(bytes).digest("hex");
					},
				}
			: {}),
	};
	return s;
}

/** 3 MiB and a bit, and the same with one byte changed in the middle (outside the first and last MiB). */
function inputs(): { original: Uint8Array; middle: Uint8Array } {
	const original = new Uint8Array(3 * MIB + 17);
	for (let i = 0; i < original.length; i++) original[i] = (i * 131 + (i >> 9)) & 0xff;
	const middle = original.slice();
	const at = Math.floor(middle.length / 2);
	middle[at] = middle[at]! ^ 0x20;
	return { original, middle };
}

describe("the input fingerprint and the resume's check", () => {
	it("records the size, both ends' SHA-256 and the whole input's CRC-32 (not its SHA-256: a third of the CPU)", async () => {
		const { original } = inputs();
		const src = source(original);
		const print = await fingerprint(src);
		expect(print).toEqual({
			name: "conversations.json",
			size: original.length,
			head_sha256: createHash("sha256").update(original.subarray(0, MIB)).digest("hex"),
			tail_sha256: createHash("sha256")
				.update(original.subarray(original.length - MIB))
				.digest("hex"),
			crc32: crc32(original).toString(16).padStart(8, "0"),
		});
		expect(src.calls).toEqual({ crc32: 1, sha256: 0 });
	});

	it("a change in the middle (both ends and the size the same) is told by the CRC-32; the same input passes", async () => {
		const { original, middle } = inputs();
		const was = await fingerprint(source(original));
		expect(await inputDifference(was, source(original))).toBeNull();
		expect(await inputDifference(was, source(middle))).toBe("changed (same size, different content)");
		// A source that computes no whole checksum is checked by its size and both ends only.
		expect(await inputDifference(was, source(middle, {}))).toBeNull();
	});

	it("a session from before the CRC-32 (a whole SHA-256 recorded) is checked with the SHA-256, computed again", async () => {
		const { original, middle } = inputs();
		const { crc32: _, ...rest } = await fingerprint(source(original));
		const old: InputFingerprint = { ...rest, sha256: createHash("sha256").update(original).digest("hex") };
		const same = source(original);
		expect(await inputDifference(old, same)).toBeNull();
		expect(same.calls).toEqual({ crc32: 0, sha256: 1 });
		expect(await inputDifference(old, source(middle))).toBe("changed (same size, different content)");
	});

	it("an input recorded without a whole checksum (the plugin's sources compute none) is not read through to check it", async () => {
		const { original, middle } = inputs();
		const was = await fingerprint(source(original, {}));
		expect(was.crc32).toBeUndefined();
		const now = source(middle);
		expect(await inputDifference(was, now)).toBeNull(); // its size and both ends are the same
		expect(now.calls).toEqual({ crc32: 0, sha256: 0 });
	});

	it("another size is told before anything is read", async () => {
		const { original } = inputs();
		const was = await fingerprint(source(original));
		const shorter = source(original.subarray(0, original.length - 1));
		expect(await inputDifference(was, shorter)).toBe(
			`changed (${original.length.toLocaleString("en-US")} bytes then, ${(original.length - 1).toLocaleString("en-US")} now)`,
		);
		expect(shorter.calls).toEqual({ crc32: 0, sha256: 0 });
	});
});
