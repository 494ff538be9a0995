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

/**
 * Imports a 20-conversation export whose inputs' CRC-32 answer 400 ms late (`cancelled`: the run is cancelled as soon
 * as its session exists); when it has returned: its summary, the fingerprints of its manifest, the sources, and
 * whether every checksum had answered by then.
 */
async function lateImport(cancelled: boolean) {
	root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-manifest-crc-"));
	const exported = await writeMixedExport(path.join(root, "export"), 20, 3);
	const vault = path.join(root, "vault");
	await fs.mkdir(vault);
	const { sources, answered } = await lateSources(
		exported.map((e) => e.path),
		400,
	);
	const cancel = new AbortController();
	const summary = await runImportSession(
		{ store: new NodeStagingStore(vault), vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger },
		{ mode: "new", sources, ...(cancelled ? { signal: cancel.signal, onSession: () => cancel.abort() } : {}) },
	);
	const ended = Date.now();
	for (const s of sources) await s.close();
	const manifest = JSON.parse(await fs.readFile(path.join(vault, manifestPath(summary.session_id)), "utf8")) as {
		fingerprints: InputFingerprint[];
	};
	return {
		summary,
		fingerprints: manifest.fingerprints,
		sources,
		allAnswered: answered.length === sources.length && answered.every((at) => at <= ended),
	};
}

describe("the inputs' checksums, taken while the import runs", () => {
	it("are in the manifest when the import has ended, in fingerprint()'s field order", async () => {
		const { summary, fingerprints, sources, allAnswered } = await lateImport(false);
		expect(summary.notes.created).toBe(20);
		expect(allAnswered).toBe(true);
		expect(fingerprints).toHaveLength(sources.length);
		for (const [i, print] of fingerprints.entries()) {
			// The fields in the order a manifest written in one step had them (a path, when the source has one, last).
			expect(Object.keys(print)).toEqual(["name", "size", "head_sha256", "tail_sha256", "crc32", "path"]);
			expect(print.crc32).toMatch(/^[0-9a-f]{8}$/);
			expect(print.path).toBe(sources[i]!.path);
		}
	});

	it("a run that is cancelled waits for them too", async () => {
		const { summary, fingerprints, allAnswered } = await lateImport(true);
		expect(summary.status).toBe("stopped");
		expect(allAnswered).toBe(true);
		expect(fingerprints.length).toBeGreaterThan(0);
		for (const print of fingerprints) expect(print.crc32).toMatch(/^[0-9a-f]{8}$/);
	});
});
