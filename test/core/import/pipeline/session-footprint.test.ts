import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeMixedExport } from "../../../../bench/generate";
import { runImportSession } from "../../../../src/core/import/pipeline/import-session";
import { readLoadManifest, sessionBytes } from "../../../../src/core/import/pipeline/compact-session";
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

async function files(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...(await files(p)));
		else out.push(p);
	}
	return out;
}

describe("a completed import session keeps what a retry needs, not a copy of everything", () => {
	it("no canonical conversations, no step logs and no note copies are left after a clean run; the notes are in the manifest", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-footprint-"));
		const exported = await writeMixedExport(path.join(root, "export"), 200, 7);
		const vault = path.join(root, "vault");
		await fs.mkdir(vault);
		const store = new NodeStagingStore(vault);
		const deps = { store, vault: new NodeNoteVault(vault), clock: systemClock, logger: silentLogger };
		const run = async () => {
			const sources = await Promise.all(exported.map((e) => NodeByteSource.open(e.path)));
			try {
				return await runImportSession(deps, { mode: "new", sources });
			} finally {
				for (const s of sources) await s.close();
			}
		};
		const first = await run();
		expect(first.notes.created).toBe(200);
		const session = path.join(vault, ".staging/@session", first.session_id, "import");
		const left = (await files(session)).map((f) => path.relative(session, f)).sort();
		// Every conversation went through for good: its records are folded into a count (pipeline_folded.json).
		expect(left).toEqual([
			"extract/input/manifest.json",
			"extract/input/options.json",
			"load/output/manifest.jsonl",
			"phase.json",
			"pipeline_folded.json",
		]);
		// Packed on completion: folder, name and bytes of each note (the hashes are in the import index).
		const manifest = await readLoadManifest(store, first.session_id);
		expect(manifest).toHaveLength(200);
		expect(new Set(manifest.map((m) => m.p)).size).toBe(200);
		const notesBytes = (await files(path.join(vault, "AI Conversations"))).length;
		expect(notesBytes).toBe(200);
		// The session is its per-item log and the manifest: well under the notes' own size.
		const size = await sessionBytes(store, first.session_id);
		let notes = 0;
		for (const f of await files(path.join(vault, "AI Conversations"))) notes += (await fs.stat(f)).size;
		expect(size).toBeLessThan(notes / 4);

		// A no-op re-import writes no note and keeps no manifest line.
		await new Promise((r) => setTimeout(r, 1100)); // a new session id
		const again = await run();
		expect(again.notes.unchanged).toBe(200);
		expect(
			await fs
				.readFile(path.join(vault, ".staging/@session", again.session_id, "import/load/output/manifest.jsonl"), "utf8")
				.catch(() => ""),
		).toBe("");
		const noop = await sessionBytes(store, again.session_id);
		console.log(`footprint: 200 conversations, notes ${notes} B, session ${size} B, no-op re-import ${noop} B`);
		// Nothing per conversation is left of a no-op: options, input fingerprint, phase and a count.
		expect(noop).toBeLessThan(8 * 1024);
	});
});
