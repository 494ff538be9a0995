/**
 * A re-import whose reader thread holds back the lines of the conversations likely unchanged (DraftOptions.holdUnchanged):
 * the import asks for the line of each it cannot leave as it is (a note moved, deleted or renamed since), and the vault
 * ends as a re-import reading in this thread leaves it.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeMixedExport, type WrittenExport } from "../../../bench/generate";
import { openThreadedExport } from "../../../src/cli/extract-thread/threaded-export";
import { NodeByteSource } from "../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { runImportSession, type ImportDeps } from "../../../src/core/import/pipeline/import-session";
import type { ExportReader } from "../../../src/core/import/extract/open-export";
import { systemClock } from "../../../src/core/ports/clock";
import { silentLogger } from "../../../src/core/ports/logger";
import { buildCli } from "../cli-bundle";

let build = "";
let root = "";

beforeAll(async () => {
	build = await mkdtemp(join(tmpdir(), "ketl-held-build-"));
	await buildCli(build, ["extract-worker"]);
	root = await mkdtemp(join(tmpdir(), "ketl-held-"));
}, 60_000);
afterAll(async () => {
	for (const d of [build, root]) if (d) await rm(d, { recursive: true, force: true });
});

async function importInto(vault: string, exported: WrittenExport[], threaded: boolean) {
	const readers: ExportReader[] = [];
	const deps: ImportDeps = {
		store: new NodeStagingStore(vault),
		vault: new NodeNoteVault(vault),
		clock: systemClock,
		logger: silentLogger,
		...(threaded
			? {
					openExport: async (sources, options) => {
						const reader = await openThreadedExport(sources, options, { minBytes: 0, script: join(build, "extract-worker.cjs") });
						readers.push(reader);
						return reader;
					},
				}
			: {}),
	};
	const sources = await Promise.all(exported.map((e) => NodeByteSource.open(e.path)));
	try {
		return { summary: await runImportSession(deps, { mode: "new", sources }), readers };
	} finally {
		for (const s of sources) await s.close();
	}
}

async function notesOf(vault: string): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	const walk = async (dir: string): Promise<void> => {
		for (const e of await readdir(dir, { withFileTypes: true })) {
			if (e.name === ".staging") continue;
			const p = join(dir, e.name);
			if (e.isDirectory()) await walk(p);
			else out.set(relative(vault, p), (await readFile(p, "utf8")).replace(/\d{8}_\d{6}/g, "SESSION"));
		}
	};
	await walk(vault);
	return out;
}

describe("a re-import whose reader holds back the lines of likely unchanged conversations", () => {
	it("asks for the line of each note it cannot leave, and ends with the vault an in-thread re-import gives", async () => {
		const N = 300;
		const exported = await writeMixedExport(join(root, "export"), N, 41);
		const vault = join(root, "vault");
		await mkdir(vault);
		expect((await importInto(vault, exported, false)).summary.notes.created).toBe(N);
		// Notes moved (found again by their source id), deleted (written again) and renamed in place, early and late.
		const claude = join(vault, "AI Conversations", "Claude");
		const names = (await readdir(claude)).sort();
		await mkdir(join(vault, "Moved"));
		for (const i of [0, 7, 120]) await rename(join(claude, names[i]!), join(vault, "Moved", names[i]!));
		for (const i of [3, 140]) await rm(join(claude, names[i]!));
		await rename(join(claude, names[60]!), join(claude, `Renamed ${names[60]!}`));
		const twin = join(root, "twin");
		await cp(vault, twin, { recursive: true });
		await new Promise((r) => setTimeout(r, 1100)); // a new session id

		const here = await importInto(twin, exported, false);
		const threaded = await importInto(vault, exported, true);
		expect(threaded.readers.length).toBe(1);
		expect(threaded.readers[0]!.constructor.name).toBe("WorkerReader");
		expect(threaded.summary.counts).toEqual(here.summary.counts);
		expect(threaded.summary.notes).toEqual(here.summary.notes);
		// The deleted ones stay deleted (preserved); the moved and renamed are found by their source id.
		expect(here.summary.notes).toMatchObject({ unchanged: N - 2, preserved: 2 });
		expect(await notesOf(vault)).toEqual(await notesOf(twin));
	}, 120_000);
});
