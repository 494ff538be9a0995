/**
 * The import's input manifest (input-manifest.ts) gets its whole-input CRC-32 while the import runs, and the run does
 * not end before it has: every way out waits for it (the checksum read of an input that the host closes once the run
 * has ended would fail, and a manifest without it is checked less on resume).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeMixedExport } from "../../../../bench/generate";
import { runImportSession } from "../../../../src/core/import/pipeline/import-session";
import { manifestPath, type InputFingerprint } from "../../../../src/core/import/pipeline/input-manifest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { silentLogger } from "../../../../src/core/ports/logger";
import { systemClock } from "../../../../src/core/ports/clock";

let root: string | undefined;
afterEach(async () => {
	if (root) await fs.rm(root, { recursive: true, force: true });
	root = undefined;
});

/** Opens the export's files, each of whose CRC-32 answers `lateMs` late, and tells when each answered. */
async function lateSources(paths: readonly string[], lateMs: number) {
	const answered: number[] = [];
	const sources = await Promise.all(paths.map((p) => NodeByteSource.open(p)));
	for (const source of sources) {
		const crc32 = source.crc32.bind(source);
		source.crc32 = async () => {
			const crc = await crc32();
			await new Promise((r) => setTimeout(r, lateMs));
			answered.push(Date.now());
			return crc;
		};
	}
	return { sources, answered };
}

describe("the inputs' checksums, taken while the import runs", () => {
	it("are in the manifest when the import has ended, in fingerprint()'s field order", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-manifest-crc-"));
		const exported = await writeMixedExport(path.join(root, "export"), 20, 3);
		const vault = path.join(root, "vault");
		await fs.mkdir(vault);
		const store = new NodeStagingStore(vault);
		const { sources, answered } = await lateSources(
			exported.map((e) => e.path),
			400,
		);
		const summary = await runImportSession(
			{ store, vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger },
			{ mode: "new", sources },
		);
		const ended = Date.now();
		for (const s of sources) await s.close();
		expect(summary.notes.created).toBe(20);
		expect(answered).toHaveLength(sources.length);
		for (const at of answered) expect(at).toBeLessThanOrEqual(ended);
		const manifest = JSON.parse(await fs.readFile(path.join(vault, manifestPath(summary.session_id)), "utf8")) as {
			fingerprints: InputFingerprint[];
		};
		expect(manifest.fingerprints).toHaveLength(sources.length);
		for (const [i, print] of manifest.fingerprints.entries()) {
			// The fields in the order a manifest written in one step had them (a path, when the source has one, last).
			expect(Object.keys(print)).toEqual(["name", "size", "head_sha256", "tail_sha256", "crc32", "path"]);
			expect(print.crc32).toMatch(/^[0-9a-f]{8}$/);
			expect(print.path).toBe(sources[i]!.path);
		}
	});

	it("a run that is cancelled waits for them too", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-manifest-crc-"));
		const exported = await writeMixedExport(path.join(root, "export"), 20, 3);
		const vault = path.join(root, "vault");
		await fs.mkdir(vault);
		const store = new NodeStagingStore(vault);
		const { sources, answered } = await lateSources(
			exported.map((e) => e.path),
			400,
		);
		const cancel = new AbortController();
		const summary = await runImportSession(
			{ store, vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger },
			{ mode: "new", sources, signal: cancel.signal, onSession: () => cancel.abort() },
		);
		const ended = Date.now();
		for (const s of sources) await s.close();
		expect(summary.status).toBe("stopped");
		expect(answered).toHaveLength(sources.length);
		for (const at of answered) expect(at).toBeLessThanOrEqual(ended);
		const manifest = JSON.parse(await fs.readFile(path.join(vault, manifestPath(summary.session_id)), "utf8")) as {
			fingerprints: InputFingerprint[];
		};
		for (const print of manifest.fingerprints) expect(print.crc32).toMatch(/^[0-9a-f]{8}$/);
	});
});
