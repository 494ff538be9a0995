/**
 * The plugin's reader worker makes each drafted note whole for its first path (text, index hash, bytes: PremadeNote)
 * and load on the UI thread writes it as is where the note gets that path (issue 17). Run here through the plugin's
 * own two halves (prepareBatch in the worker, a structured clone, takeWorkerWork on arrival) under a whole import:
 * the vault, the import index and the load manifest equal an import that premakes nothing.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { openExport, type ExportReader } from "../../../../src/core/import/extract";
import { toWire, type FromWorker, type WireResult } from "../../../../src/core/import/extract/reader-thread";
import { runImportSession, type ImportDeps } from "../../../../src/core/import/pipeline/import-session";
import type { ImportOptionsInput } from "../../../../src/core/import/pipeline/import-options";
import { draftNote } from "../../../../src/core/import/transform/note-draft";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { batchPreparer, takeWorkerWork } from "../../../../src/plugin/reader-worker";
import { allFiles, claudeConv, vaultFiles, withoutSession, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

/**
 * A reader whose drafts cross as the plugin worker's do: prepared in a batch of their own, cloned, taken on arrival.
 * `tamper`: changes each premade note's text on the wire (to see which notes load wrote from it).
 */
function premaking(tamper?: (text: string) => string): NonNullable<ImportDeps["openExport"]> {
	return async (sources, options) => {
		const inner = await openExport(sources, options);
		const prepareBatch = batchPreparer();
		const reader: ExportReader = {
			inputs: inner.inputs,
			skipped: inner.skipped,
			close: () => inner.close(),
			async *conversations(read) {
				for await (const r of inner.conversations(read)) {
					if (!r.ok || !read?.draft) {
						yield r;
						continue;
					}
					const wire: WireResult = { ...toWire(r), draft: draftNote(r.conversation, read.draft.sessionId, read.draft) } as WireResult;
					await prepareBatch([wire], read.draft);
					if (tamper && wire.ok) {
						const made = (wire.draft as unknown as { premadeNote?: { text: string; bodyAt: number } }).premadeNote;
						if (made) {
							const body = made.text.slice(made.bodyAt);
							made.text = tamper(made.text.slice(0, made.bodyAt)) + body;
							made.bodyAt = made.text.length - body.length;
						}
					}
					const arrived = takeWorkerWork(structuredClone({ type: "batch", run: 1, items: [wire] } satisfies FromWorker));
					const item = arrived.type === "batch" ? arrived.items[0] : undefined;
					yield item?.ok && item.draft ? { ...r, draft: item.draft } : r;
				}
			},
		};
		return reader;
	};
}

async function importWith(input: string, options: ImportOptionsInput, openExportWith?: ImportDeps["openExport"]) {
	const root = await tempDir("ketl-premade-");
	const source = await NodeByteSource.open(input);
	try {
		const summary = await runImportSession(
			{
				store: new NodeStagingStore(root),
				vault: new NodeNoteVault(root),
				clock: systemClock,
				logger: silentLogger,
				...(openExportWith ? { openExport: openExportWith } : {}),
			},
			{ mode: "new", sources: [source], options: { inputs: [input], ...options } },
		);
		return { root, summary };
	} finally {
		await source.close();
	}
}

/** A session file with its session ids and times masked (they differ between two runs). */
function masked(text: string, sessionId: string): string {
	return withoutSession(text)
		.replaceAll(sessionId, "<session>")
		.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>");
}

async function exportOf(dir: string): Promise<string> {
	return writeJson(
		join(dir, "conversations.json"),
		Array.from({ length: 24 }, (_, i) => ({
			...claudeConv({
				id: `p${i}`,
				// Repeated titles: the second and later get `Same 1`, `Same 2` (not their first path).
				title: i % 5 === 0 ? "Same" : i % 7 === 0 ? "Ünïcode 本文 🎉 title" : `Premade ${i}`,
				created: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00.000000Z`,
				messages: [
					{ role: "user", text: `Q ${i} — ✓ 🎉` },
					{ role: "assistant", text: "```py\nprint(1)\n```" },
				],
			}),
			...(i % 3 === 0 ? { project: { uuid: `proj${i % 2}`, name: `Project ${i % 2}` } } : {}),
		})),
	);
}

describe("notes premade by the plugin's reader worker", () => {
	for (const options of [{}, { datePrefix: true, byProject: true, outFolder: "Out/Chats" }] as ImportOptionsInput[]) {
		it(`give the same vault, import index and manifest as notes made on load's side (${JSON.stringify(options)})`, async () => {
			const input = await exportOf(await tempDir("ketl-premade-in-"));
			const plain = await importWith(input, options);
			const made = await importWith(input, options, premaking());
			expect(made.summary.notes.created).toBe(24);
			const files = await vaultFiles(made.root);
			expect(files).toEqual(await vaultFiles(plain.root));
			for (const f of files)
				expect(withoutSession(await readFile(join(made.root, f), "utf8"))).toBe(
					withoutSession(await readFile(join(plain.root, f), "utf8")),
				);
			// The index's hashes cover the note's `session:` line (another id in each run): each is checked against the
			// note written at its path, then masked.
			const staged = async (root: string, id: string) => {
				const out: Record<string, string> = {};
				for (const f of await allFiles(join(root, ".staging"))) {
					if (!f.endsWith("import-index.jsonl") && !f.endsWith("manifest.jsonl")) continue;
					let text = await readFile(join(root, ".staging", f), "utf8");
					if (f.endsWith("import-index.jsonl")) {
						const lines: string[] = [];
						for (const line of text.split("\n").filter((l) => l !== "")) {
							const entry = JSON.parse(line) as { path: string; hash: string };
							const note = await readFile(join(root, entry.path));
							expect(entry.hash).toBe(`s2:${createHash("sha256").update(note).digest("hex")}`);
							lines.push(line.replace(entry.hash, "<hash of the note>"));
						}
						text = `${lines.join("\n")}\n`;
					}
					out[f.replaceAll(id, "<session>")] = masked(text, id);
				}
				return out;
			};
			// Both record notes in the order their writes ended (they overlap): compared as sets.
			const packed = (files: Record<string, string>) => {
				const out: Record<string, string[]> = {};
				for (const [f, text] of Object.entries(files)) {
					const lines = text.split("\n").filter((l) => l !== "");
					out[f] = f.endsWith("manifest.jsonl")
						? lines.flatMap((l) => {
								const { f: folder, d, n } = JSON.parse(l) as { f: string; d: string; n: [string, number][] };
								return n.map(([name, bytes]) => `${d} ${folder}/${name} ${bytes}`);
							})
						: lines;
					out[f].sort();
				}
				return out;
			};
			const a = await staged(plain.root, plain.summary.session_id);
			expect(Object.keys(a)).toHaveLength(2);
			expect(packed(await staged(made.root, made.summary.session_id))).toEqual(packed(a));
		});
	}

	it("are what load writes where a note gets its first path, and only there", async () => {
		const input = await exportOf(await tempDir("ketl-premade-in-"));
		const options: ImportOptionsInput = {};
		const plain = await importWith(input, options);
		let premade = 0;
		const made = await importWith(
			input,
			options,
			premaking((frontmatter) => {
				premade++;
				return frontmatter.replace(/^title: /m, "premade: true\ntitle: ");
			}),
		);
		const files = await vaultFiles(made.root);
		expect(files).toEqual(await vaultFiles(plain.root));
		const fromPremade = [];
		for (const f of files) if ((await readFile(join(made.root, f), "utf8")).includes("\npremade: true\n")) fromPremade.push(f);
		// Every note but the repeated titles' later ones (`Same 1`…), which load named otherwise.
		const later = files.filter((f) => /(Same|title) \d\.md$/.test(f));
		expect(later).toHaveLength(6);
		expect(fromPremade).toEqual(files.filter((f) => !later.includes(f)));
		// The worker premade only those: a repeated title's later drafts crossed without a note.
		expect(premade).toBe(fromPremade.length);
	});
});
