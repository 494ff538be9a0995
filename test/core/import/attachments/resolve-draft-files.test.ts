import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { AttachmentIndex } from "../../../../src/core/import/attachments/attachment-index";
import { DraftFileCollector } from "../../../../src/core/import/attachments/draft-files";
import { ExportFiles } from "../../../../src/core/import/attachments/export-files";
import { DraftFileWriter } from "../../../../src/core/import/attachments/resolve-draft-files";
import type { NoteDraft } from "../../../../src/core/import/transform/note-draft";
import { createLogger } from "../../../../src/core/logging/logger";
import { tempVault } from "../../_support/temp-vault";

function artifactDraft(content: string, version: number): NoteDraft {
	const files = new DraftFileCollector();
	const token = files.tokenFor({
		kind: "attachment",
		name: "notes",
		artifact: { id: "a", type: "text/markdown", language: "", title: "Notes", version, content },
	});
	return {
		item_id: "c1",
		provider: "claude",
		title: "Chat",
		source_updated: null,
		frontmatter: { title: "Chat" } as NoteDraft["frontmatter"],
		body: `\n${token}\n`,
		files: files.files,
	};
}

describe("DraftFileWriter", () => {
	it("writes a newer artifact version over its file, unless the user edited the file since", async () => {
		const { dir, store } = await tempVault();
		const vault = new NodeNoteVault(dir);
		const logger = createLogger({ debugMode: false, store, clock: { now: () => new Date(0) } });
		const writer = async () =>
			new DraftFileWriter({
				vault,
				index: await AttachmentIndex.open(store),
				exportFiles: () => Promise.resolve(ExportFiles.none()),
				folder: "att",
				sessionId: "s",
				dryRun: false,
				logger,
			});

		const first = await writer();
		const out = await first.resolve(artifactDraft("# v1\n", 1), "Notes/Chat.md");
		expect(out.body).toBe("\n**Artifact:** [[Notes/Chat artifacts/Notes.md|Notes.md]]\n");
		await first.flush();
		const file = join(dir, "Notes/Chat artifacts/Notes.md");
		expect(await readFile(file, "utf8")).toBe("# v1\n");

		// v2 written, then the run stops before its index is flushed: the next run finds v2 there and records it.
		await (await writer()).resolve(artifactDraft("# v2\n", 2), "Notes/Chat.md");
		expect(await readFile(file, "utf8")).toBe("# v2\n");
		const again = await writer();
		await again.resolve(artifactDraft("# v2\n", 2), "Notes/Chat.md");
		await again.flush();
		expect((await readFile(join(dir, ".staging/@index/attachments.jsonl"), "utf8")).trim().split("\n")).toHaveLength(2);

		// The user edits the file: a later version is not written over it (the link stays).
		await writeFile(file, "my own edits\n");
		const third = await writer();
		expect((await third.resolve(artifactDraft("# v3\n", 3), "Notes/Chat.md")).body).toContain("[[Notes/Chat artifacts/Notes.md|Notes.md]]");
		expect(await readFile(file, "utf8")).toBe("my own edits\n");
	});
});
