import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { conversationFacts } from "../../../../src/core/model/conversation-facts";
import { openExport, type ExportReader, type ReadOptions } from "../../../../src/core/import/extract";
import { runImportSession, type ImportDeps } from "../../../../src/core/import/pipeline/import-session";
import { draftNote, type NoteDraft } from "../../../../src/core/import/transform/note-draft";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { claudeConv, vaultFiles, withoutSession, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

/** A reader that attaches a draft to each conversation, as the CLI's reader thread does. */
function drafting(
	make: (d: ReturnType<typeof draftNote>, read: NonNullable<ReadOptions["draft"]>) => NoteDraft,
	seen: (ReadOptions | undefined)[],
): NonNullable<ImportDeps["openExport"]> {
	return async (sources, options) => {
		const inner = await openExport(sources, options);
		const reader: ExportReader = {
			inputs: inner.inputs,
			skipped: inner.skipped,
			close: () => inner.close(),
			async *conversations(read) {
				seen.push(read);
				for await (const r of inner.conversations(read)) {
					yield r.ok && read?.draft ? { ...r, draft: make(draftNote(r.conversation, read.draft.sessionId, read.draft), read.draft) } : r;
				}
			},
		};
		return reader;
	};
}

async function importWith(input: string, openExportWith?: ImportDeps["openExport"], includeThinking = false) {
	const root = await tempDir("ketl-drafts-");
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
			{ mode: "new", sources: [source], options: { inputs: [input], includeThinking } },
		);
		return { root, summary };
	} finally {
		await source.close();
	}
}

describe("runImportSession with a reader that renders drafts (the CLI's reader thread)", () => {
	it("asks for drafts with the session and options, and the notes equal those rendered by transform", async () => {
		const dir = await tempDir("ketl-drafts-in-");
		const input = await writeJson(
			join(dir, "conversations.json"),
			Array.from({ length: 30 }, (_, i) =>
				claudeConv({
					id: `d${i}`,
					title: i % 4 === 0 ? "Same" : `Draft ${i}`,
					messages: [
						{ role: "user", text: `Q ${i}` },
						{ role: "assistant", text: "```py\nprint(1)\n```" },
					],
				}),
			),
		);
		for (const includeThinking of [false, true]) {
			const plain = await importWith(input, undefined, includeThinking);
			const seen: (ReadOptions | undefined)[] = [];
			const drafted = await importWith(
				input,
				drafting((d) => d, seen),
				includeThinking,
			);
			expect(seen).toEqual([
				{
					draft: {
						sessionId: drafted.summary.session_id,
						includeThinking,
						premake: { outFolder: "AI Conversations", byProject: false, datePrefix: false },
					},
				},
			]);
			expect(drafted.summary.notes.created).toBe(30);
			const files = await vaultFiles(drafted.root);
			expect(files).toEqual(await vaultFiles(plain.root));
			for (const f of files)
				expect(withoutSession(await readFile(join(drafted.root, f), "utf8"))).toBe(
					withoutSession(await readFile(join(plain.root, f), "utf8")),
				);
		}
	});

	it("a drafted conversation sent with its facts and line is never parsed back: no stage reads `conversation`", async () => {
		const dir = await tempDir("ketl-drafts-in-");
		const input = await writeJson(
			join(dir, "conversations.json"),
			Array.from({ length: 12 }, (_, i) => claudeConv({ id: `f${i}`, title: `Facts ${i}` })),
		);
		const plain = await importWith(input);
		let reads = 0;
		const lazy: NonNullable<ImportDeps["openExport"]> = async (sources, options) => {
			const inner = await openExport(sources, options);
			return {
				inputs: inner.inputs,
				skipped: inner.skipped,
				close: () => inner.close(),
				async *conversations(read) {
					for await (const r of inner.conversations(read)) {
						if (!r.ok || !read?.draft) {
							yield r;
							continue;
						}
						const c = r.conversation;
						const draft = draftNote(c, read.draft.sessionId, read.draft);
						// As the reader thread's results (fromWire): the conversation only behind a getter.
						yield {
							ok: true,
							get conversation() {
								reads++;
								return c;
							},
							facts: conversationFacts(c),
							line: JSON.stringify(c),
							draft,
							source: r.source,
							index: r.index,
						};
					}
				},
			};
		};
		const run = await importWith(input, lazy);
		expect(run.summary.notes.created).toBe(12);
		expect(reads).toBe(0);
		const files = await vaultFiles(run.root);
		expect(files).toEqual(await vaultFiles(plain.root));
		for (const f of files)
			expect(withoutSession(await readFile(join(run.root, f), "utf8"))).toBe(withoutSession(await readFile(join(plain.root, f), "utf8")));
	});

	it("transform takes the reader's draft as it is (it does not render again)", async () => {
		const dir = await tempDir("ketl-drafts-in-");
		const input = await writeJson(join(dir, "conversations.json"), [claudeConv({ id: "only", title: "Only one" })]);
		const { root } = await importWith(
			input,
			drafting((d) => ({ ...d, body: "\nrendered by the reader\n" }), []),
		);
		const [file] = await vaultFiles(root);
		expect(await readFile(join(root, file!), "utf8")).toMatch(/---\n\nrendered by the reader\n$/);
	});
});
