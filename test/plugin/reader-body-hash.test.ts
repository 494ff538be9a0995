/**
 * The plugin's reader worker hashes each draft's body (its SHA-256 state) before a batch goes, and the UI thread keeps
 * that state for the draft as the batch arrives, so that load's file id hashes only the note's path there (issue 17).
 * The message goes through a structured clone, as between a worker and the page.
 */
import { describe, expect, it } from "vitest";
import { prepareBatch, takeWorkerWork } from "../../src/plugin/reader-worker";
import type { FromWorker, WireResult } from "../../src/core/import/extract/reader-thread";
import type { NoteDraft } from "../../src/core/import/transform/note-draft";
import { computeFileId, fileIdOfDraft, saveBodyHash } from "../../src/core/import/transform/file-id";

function draft(body: string): NoteDraft {
	return {
		item_id: "c1",
		provider: "claude",
		title: "T",
		source_updated: null,
		frontmatter: { title: "T" } as NoteDraft["frontmatter"],
		body,
	};
}

function batch(...drafts: (NoteDraft | undefined)[]): FromWorker {
	const items: WireResult[] = drafts.map((d, index) => ({
		ok: true,
		line: "{}",
		facts: {} as Extract<WireResult, { ok: true }>["facts"],
		source: "conversations.json",
		index,
		...(d ? { draft: d } : {}),
	}));
	return { type: "batch", run: 1, items };
}

const draftsOf = (m: FromWorker): (NoteDraft | undefined)[] => (m.type === "batch" ? m.items.map((i) => (i.ok ? i.draft : undefined)) : []);

describe("the reader worker's body hashes", () => {
	it("cross with the batch and are kept for the drafts, not on them: the file id is computeFileId's", async () => {
		const bodies = ["\nOne\n", "本文 🎉\n".repeat(30), "z".repeat(200)];
		const sent = batch(...bodies.map(draft), undefined);
		if (sent.type === "batch") await prepareBatch(sent.items, null);
		const arrived = structuredClone(sent);
		// On the wire: each draft carries its body's state.
		expect(draftsOf(arrived).map((d) => (d as unknown as Record<string, unknown> | undefined)?.bodySha256)).toEqual([
			...bodies.map(saveBodyHash),
			undefined,
		]);
		const taken = takeWorkerWork(arrived);
		for (const [i, d] of draftsOf(taken).slice(0, 3).entries()) {
			expect(Object.keys(d!)).not.toContain("bodySha256");
			expect(await fileIdOfDraft(d!, `AI/N${i}.md`)).toBe(computeFileId(bodies[i]!, `AI/N${i}.md`));
		}
	});

	it("are what the file id is made from on the UI thread (a state sent for another text shows it)", async () => {
		const message = batch(draft("the body\n"));
		(draftsOf(message)[0] as unknown as Record<string, string>).bodySha256 = saveBodyHash("othr body\n");
		const [d] = draftsOf(takeWorkerWork(structuredClone(message)));
		expect(await fileIdOfDraft(d!, "N.md")).toBe(computeFileId("othr body\n", "N.md"));
	});

	it("leave other messages as they are", () => {
		const end: FromWorker = { type: "end", run: 1 };
		expect(takeWorkerWork(end)).toBe(end);
	});
});
