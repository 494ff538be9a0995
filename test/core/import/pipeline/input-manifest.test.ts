/**
 * The input fingerprint a session's manifest records, and the check a resume makes with it (input-manifest.ts): the
 * size, the SHA-256 of the first and last MiB, and a CRC-32 of the whole input when the source computes one; a
 * session from before the CRC recorded a whole SHA-256, which the check computes again. The manifest is written
 * with the ends first and again with the CRC-32 once it is taken, so that the import does not wait for it.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import type { ExportReader } from "../../../../src/core/import/extract";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import {
	fingerprint,
	inputDifference,
	manifestPath,
	writeManifest,
	type InputFingerprint,
} from "../../../../src/core/import/pipeline/input-manifest";

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

describe("the manifest: the ends at once, the whole input's CRC-32 once taken", () => {
	let dir = "";
	afterEach(async () => {
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	const reader = { inputs: [], skipped: [] } as unknown as ExportReader;

	async function recorded(vault: string): Promise<{ text: string; fingerprints: InputFingerprint[] }> {
		const text = await readFile(join(vault, manifestPath("S")), "utf8");
		return { text, fingerprints: (JSON.parse(text) as { fingerprints: InputFingerprint[] }).fingerprints };
	}

	it("returns before the checksum is taken; the manifest then gets it, as one written whole would have it", async () => {
		dir = await mkdtemp(join(tmpdir(), "ketl-manifest-"));
		const { original } = inputs();
		const src = source(original);
		const taken = src.crc32!.bind(src);
		let release = (): void => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		src.crc32 = async () => {
			await gate;
			return taken();
		};
		const store = new NodeStagingStore(dir);
		const { checksummed } = await writeManifest(store, "S", reader, [src]);
		const first = await recorded(dir);
		const { crc32: whole, ...ends } = await fingerprint(source(original));
		expect(whole).toMatch(/^[0-9a-f]{8}$/);
		expect(first.fingerprints).toEqual([ends]);
		release();
		await checksummed;
		const second = await recorded(dir);
		expect(second.fingerprints).toEqual([{ ...ends, crc32: whole }]);
		// Field for field in fingerprint()'s order: a resume reads the same manifest as before the two steps.
		expect(second.text).toBe(
			`${JSON.stringify({ inputs: [], skipped: [], fingerprints: [await fingerprint(source(original))] }, null, "\t")}\n`,
		);
	});

	it("a checksum that fails leaves the ends; a write that fails goes to onError, and neither rejects", async () => {
		dir = await mkdtemp(join(tmpdir(), "ketl-manifest-"));
		const { original } = inputs();
		const failing = source(original);
		failing.crc32 = () => Promise.reject(new Error("read error"));
		const store = new NodeStagingStore(dir);
		const { checksummed } = await writeManifest(store, "S", reader, [failing]);
		await checksummed;
		expect((await recorded(dir)).fingerprints[0]!.crc32).toBeUndefined();

		const errors: unknown[] = [];
		const writes = { n: 0 };
		const flaky = Object.create(store) as NodeStagingStore;
		flaky.writeAtomic = (path, text) => (++writes.n === 2 ? Promise.reject(new Error("disk full")) : store.writeAtomic(path, text));
		const second = await writeManifest(flaky, "S", reader, [source(original)], undefined, (e) => errors.push(e));
		await expect(second.checksummed).resolves.toBeUndefined();
		expect(writes.n).toBe(2);
		expect(errors.map((e) => (e as Error).message)).toEqual(["disk full"]);
		expect((await recorded(dir)).fingerprints[0]!.crc32).toBeUndefined();
	});

	it("fingerprints taken already (a preview's) are written once, as they are", async () => {
		dir = await mkdtemp(join(tmpdir(), "ketl-manifest-"));
		const { original } = inputs();
		const known = [await fingerprint(source(original))];
		const src = source(original);
		const { checksummed } = await writeManifest(new NodeStagingStore(dir), "S", reader, [src], known);
		await checksummed;
		expect((await recorded(dir)).fingerprints).toEqual(known);
		expect(src.calls).toEqual({ crc32: 0, sha256: 0 });
	});
});
