/**
 * A re-import whose reader thread takes the conversations whose id and source time match their notes from a look at
 * their elements, without parsing them (ReadOptions.quick, issue 20): exactly the conversations changed at the source
 * are updated, none of them (nor one holding a file for its note) is taken from a look, the keys' order does not
 * matter, and the vault and the index end as a re-import reading in this thread leaves them.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeMixedExport, type WrittenExport } from "../../../bench/generate";
import { openThreadedExport } from "../../../src/cli/extract-thread/threaded-export";
import { NodeByteSource } from "../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { runImportSession, type ImportDeps } from "../../../src/core/import/pipeline/import-session";
import type { ExportReader, ExtractResult } from "../../../src/core/import/extract/open-export";
import { systemClock } from "../../../src/core/ports/clock";
import { silentLogger } from "../../../src/core/ports/logger";
import { buildCli } from "../cli-bundle";

let build = "";
let root = "";

beforeAll(async () => {
	build = await mkdtemp(join(tmpdir(), "ketl-quick-build-"));
	await buildCli(build, ["extract-worker"]);
	root = await mkdtemp(join(tmpdir(), "ketl-quick-"));
}, 60_000);
afterAll(async () => {
	for (const d of [build, root]) if (d) await rm(d, { recursive: true, force: true });
});

/** Imports `exported` into `vault` (in a reader thread or in this one); `quick` gets the ids taken from a look. */
async function importInto(vault: string, exported: WrittenExport[], threaded: boolean, quick: string[] = []) {
	const deps: ImportDeps = {
		store: new NodeStagingStore(vault),
		vault: new NodeNoteVault(vault),
		clock: systemClock,
		logger: silentLogger,
		...(threaded
			? {
					openExport: async (sources, options) => {
						const reader: ExportReader = await openThreadedExport(sources, options, {
							minBytes: 0,
							script: join(build, "extract-worker.cjs"),
						});
						const all = reader.conversations.bind(reader);
						reader.conversations = (o) =>
							(async function* (): AsyncGenerator<ExtractResult> {
								for await (const r of all(o)) {
									if (r.ok && r.quick) quick.push(r.facts!.id);
									yield r;
								}
							})();
						return reader;
					},
				}
			: {}),
	};
	const sources = await Promise.all(exported.map((e) => NodeByteSource.open(e.path)));
	try {
		return await runImportSession(deps, { mode: "new", sources });
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

/** The import index with its sessions, write times and note hashes left out (two runs differ in those only: a note holds its session). */
async function indexOf(vault: string): Promise<string> {
	const text = await readFile(join(vault, ".staging", "@index", "import-index.jsonl"), "utf8");
	return text
		.replace(/\d{8}_\d{6}/g, "SESSION")
		.replace(/"written_at":"[^"]*"/g, '"written_at":"T"')
		.replace(/"hash":"[^"]*"/g, '"hash":"H"');
}

type Raw = Record<string, unknown>;

async function rewrite(path: string, change: (elements: Raw[]) => Raw[]): Promise<void> {
	await writeFile(path, JSON.stringify(change(JSON.parse(await readFile(path, "utf8")) as Raw[])));
}

/** The same members, in the reverse order (a real export's order is not ours to count on). */
function reversed(e: Raw): Raw {
	return Object.fromEntries(Object.entries(e).reverse());
}

describe("a re-import whose reader takes unchanged conversations from a look at their elements", () => {
	it("updates exactly the conversations changed at the source and ends as an in-thread re-import", async () => {
		const N = 400;
		const exported = await writeMixedExport(join(root, "export"), N, 43);
		const claude = exported.find((e) => e.shape === "claude")!;
		const chatgpt = exported.find((e) => e.shape === "chatgpt")!;
		// One Claude conversation holds an artifact (a file its note may bring): never taken from a look.
		let artifactId = "";
		await rewrite(claude.path, (all) => {
			const e = all[5]!;
			artifactId = e.uuid as string;
			const messages = e.chat_messages as Raw[];
			const last = messages[messages.length - 1]!;
			last.content = [
				...(last.content as Raw[]),
				{
					type: "tool_use",
					name: "artifacts",
					input: { id: "doc", type: "text/markdown", title: "Doc", command: "create", content: "# Doc" },
				},
			];
			return all;
		});
		const vault = join(root, "vault");
		await mkdir(vault);
		expect((await importInto(vault, exported, true)).notes.created).toBe(N);

		// Changed at the source: a later time and a new text, in both files; every element's keys in reverse order.
		const changed: string[] = [];
		await rewrite(claude.path, (all) =>
			all.map((e, i) => {
				if (i === 0 || i === 77 || i === 150 || i === all.length - 1) {
					changed.push(e.uuid as string);
					e.updated_at = new Date(Date.parse(e.updated_at as string) + 86_400_000).toISOString();
					const messages = e.chat_messages as Raw[];
					messages[0]!.text = "Changed at the source.";
					messages[0]!.content = [{ type: "text", text: "Changed at the source." }];
				}
				return reversed(e);
			}),
		);
		await rewrite(chatgpt.path, (all) =>
			all.map((e, i) => {
				if (i === 3 || i === 100) {
					changed.push(e.conversation_id as string);
					e.update_time = (e.update_time as number) + 86_400;
					e.title = "Changed title";
				}
				return reversed(e);
			}),
		);
		const K = changed.length;
		const twin = join(root, "twin");
		await cp(vault, twin, { recursive: true });
		await new Promise((r) => setTimeout(r, 1100)); // a new session id

		const here = await importInto(twin, exported, false);
		const quick: string[] = [];
		const threaded = await importInto(vault, exported, true, quick);
		expect(here.notes).toMatchObject({ created: 0, updated: K, unchanged: N - K });
		expect(threaded.counts).toEqual(here.counts);
		expect(threaded.notes).toEqual(here.notes);
		expect(await notesOf(vault)).toEqual(await notesOf(twin));
		expect(await indexOf(vault)).toBe(await indexOf(twin));
		const notes = [...(await notesOf(vault)).values()];
		expect(notes.filter((n) => n.includes("Changed at the source.")).length).toBe(4);
		// Most were taken from a look (not those of the first batch, read before the import said what it knows); no
		// changed one, nor the one with an artifact.
		expect(quick.length).toBeGreaterThan(N / 2);
		expect(quick.filter((id) => changed.includes(id) || id === artifactId)).toEqual([]);
		expect(new Set(quick).size).toBe(quick.length);
	}, 180_000);
});
