import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import type { ExtractResult } from "../../../../src/core/import/extract";
import { previewSources } from "../../../../src/core/import/pipeline/preview-import";
import { PreviewReading } from "../../../../src/core/import/pipeline/preview-reading";
import { tempVault } from "../../_support/temp-vault";

/** A ChatGPT-shaped export of `n` conversations (the shape of conversations.json: a mapping of message nodes). */
function chatgptExport(n: number): string {
	const items = [];
	for (let i = 0; i < n; i++) {
		const root = `r${i}`;
		const user = `u${i}`;
		items.push({
			id: `conv-${i}`,
			conversation_id: `conv-${i}`,
			title: `Talk ${i}`,
			create_time: 1_700_000_000 + i,
			update_time: 1_700_000_100 + i,
			current_node: user,
			mapping: {
				[root]: { id: root, message: null, parent: null, children: [user] },
				[user]: {
					id: user,
					parent: root,
					children: [],
					message: {
						id: user,
						author: { role: "user" },
						create_time: 1_700_000_000 + i,
						content: { content_type: "text", parts: [`question number ${i} ${"é".repeat(i % 7)}`] },
					},
				},
			},
		});
	}
	return JSON.stringify(items);
}

/** Bytes as a ByteSource that counts its reads. */
class Counted implements ByteSource {
	reads = 0;
	readonly size: number;
	constructor(
		readonly name: string,
		private readonly bytes: Uint8Array,
	) {
		this.size = bytes.length;
	}
	read(offset: number, length: number): Promise<Uint8Array> {
		this.reads++;
		return Promise.resolve(this.bytes.subarray(offset, Math.min(this.size, offset + length)));
	}
}

async function all(it: AsyncIterable<ExtractResult>): Promise<ExtractResult[]> {
	const out: ExtractResult[] = [];
	for await (const r of it) out.push(r);
	return out;
}

describe("a preview's reading kept for the import", () => {
	it("replays every result the export gives, in order, without reading the export", async () => {
		const bytes = new TextEncoder().encode(chatgptExport(40));
		const source = new Counted("conversations.json", bytes);
		const keep = new PreviewReading();
		const preview = await previewSources({ store: (await tempVault()).store }, [source], {}, { keep });
		expect(preview.conversations).toBe(40);
		expect(keep.usable).toBe(true);
		expect(keep.size).toBe(40);
		const reads = source.reads;
		const prepared = keep.prepared()!;
		const replayed = await all(prepared.reader.conversations());
		expect(source.reads).toBe(reads);
		expect(replayed.map((r) => (r.ok ? r.conversation.id : null))).toEqual(preview.items.map((c) => c.id));
		expect(replayed.every((r) => r.ok && r.facts !== undefined && r.line !== undefined)).toBe(true);
		// Starts over on each call, as a reader does.
		expect((await all(prepared.reader.conversations())).length).toBe(40);
		expect(prepared.reader.totalBytes).toBe(bytes.length);
		expect(prepared.fingerprints).toEqual([expect.objectContaining({ name: "conversations.json", size: bytes.length })]);
	});

	it("keeps nothing past its budget, and nothing of a preview cut by a limit", async () => {
		const bytes = new TextEncoder().encode(chatgptExport(40));
		const small = new PreviewReading(2_000);
		await previewSources({ store: (await tempVault()).store }, [new Counted("c.json", bytes)], {}, { keep: small });
		expect(small.usable).toBe(false);
		expect(small.size).toBe(0);
		expect(small.prepared()).toBeNull();
		const limited = new PreviewReading();
		const p = await previewSources({ store: (await tempVault()).store }, [new Counted("c.json", bytes)], { limit: 5 }, { keep: limited });
		expect(p.conversations).toBe(5);
		expect(limited.usable).toBe(false);
	});
});
