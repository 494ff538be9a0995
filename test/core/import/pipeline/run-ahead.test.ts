import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import type { Conversation } from "../../../../src/core/model/conversation";
import { conversationFacts } from "../../../../src/core/model/conversation-facts";
import { CONVERSATION_SHARDS, extractOutputDir } from "../../../../src/core/import/pipeline/extract-stage";
import { shardPath, SHARD_RECORDS } from "../../../../src/core/import/pipeline/jsonl-shards";
import { RunAheadHandOff } from "../../../../src/core/import/pipeline/run-ahead";
import type { Extracted, NoteDraft } from "../../../../src/core/import/pipeline/transform-stage";
import { silentLogger } from "../../../../src/core/ports/logger";
import { tempDir } from "../../_support/temp-vault";

const SESSION = "20260101_000000";

function conversation(i: number): Conversation {
	return {
		id: `c${i}`,
		provider: "claude",
		title: `Conversation ${i}`,
		created: null,
		updated: null,
		models: [],
		messages: [{ id: `c${i}-m0`, role: "user", time: null, parts: [{ kind: "text", text: `hello ${i}` }] }],
	};
}

/** A draft no renderer would make (its body names the item): a re-rendered one would not equal it. */
function draft(i: number): NoteDraft {
	return {
		item_id: `c${i}`,
		provider: "claude",
		title: `Conversation ${i}`,
		source_updated: null,
		frontmatter: {} as NoteDraft["frontmatter"],
		body: `the reader's draft of ${i}`,
	};
}

describe("RunAheadHandOff", () => {
	it.each([
		["in memory", undefined],
		["written out", 0],
	])("keeps the drafts of spilled conversations (%s), parses their lines only when asked, and leaves no drafts file", async (_, memory) => {
		const root = await tempDir("ketl-run-ahead-");
		const store = new NodeStagingStore(root);
		const count = SHARD_RECORDS * 2 + 37;
		const conversations = Array.from({ length: count }, (_, i) => conversation(i));
		// What extract writes: every conversation's line, in order, SHARD_RECORDS a file.
		for (let f = 0; f * SHARD_RECORDS < count; f++) {
			const lines = conversations.slice(f * SHARD_RECORDS, (f + 1) * SHARD_RECORDS).map((c) => JSON.stringify(c));
			await store.append(shardPath(extractOutputDir(SESSION), CONVERSATION_SHARDS, f + 1), `${lines.join("\n")}\n`);
		}
		const handOff = new RunAheadHandOff(store, SESSION, silentLogger, 4, memory);
		let draftsWritten = 0;
		const write = store.write.bind(store);
		store.write = (p, data, options) => {
			if (p.includes("spilled-drafts")) draftsWritten++;
			return write(p, data, options);
		};
		// Item 5 came without a draft (a reader that renders none), item 7 without its line (an in-process reader): both
		// are read back from the shards and parsed, as before.
		for (let i = 0; i < count; i++) {
			const item: Extracted = { conversation: conversations[i]!, facts: conversationFacts(conversations[i]!) };
			if (i !== 5) item.draft = draft(i);
			if (i !== 7) item.line = JSON.stringify(conversations[i]);
			await handOff.push(item);
		}
		handOff.written(count);
		handOff.close();

		const got: Extracted[] = [];
		for await (const e of handOff) got.push(e);
		expect(got).toHaveLength(count);
		expect(handOff.readBack).toBe(count - 4);
		for (let i = 0; i < count; i++) {
			const e = got[i]!;
			if (i === 5 || i === 7) expect(e.draft).toBeUndefined();
			else expect(e.draft).toEqual(draft(i));
			expect(e.facts?.id ?? e.conversation.id).toBe(`c${i}`);
		}
		// The conversation of a spilled item is still there for a stage that needs it.
		expect(got[count - 1]!.conversation).toEqual(conversations[count - 1]);
		const transformOutput = join(root, ".staging/@session", SESSION, "import/transform/output");
		const left = await readdir(transformOutput).catch(() => []);
		expect(left.filter((f) => f.startsWith("spilled-drafts"))).toEqual([]);
		expect(draftsWritten).toBe(memory === 0 ? Math.ceil((count - 4) / SHARD_RECORDS) - 1 : 0);
	});
});
