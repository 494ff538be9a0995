import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { runImportSession } from "../../../../src/core/import/pipeline/import-session";
import { silentLogger } from "../../../../src/core/ports/logger";
import { systemClock } from "../../../../src/core/ports/clock";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";

const SAMPLE = path.resolve(__dirname, "../../../../samples/chatgpt/conversations.json");
let dir = "";
afterEach(async () => {
	if (dir) await fs.rm(dir, { recursive: true, force: true });
});

function source(name: string, text: string): ByteSource {
	const bytes = new TextEncoder().encode(text);
	return { name, size: bytes.length, read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)) };
}

/** A vault where the user edits a note right after the import has read it (between decision and write). */
class EditingVault extends NodeNoteVault {
	target: string | null = null;
	override async read(p: string): Promise<string> {
		const text = await super.read(p);
		if (p === this.target) {
			this.target = null;
			await fs.appendFile(path.join(this.root, p), "\nMy own line, typed just now.\n");
		}
		return text;
	}
}

describe("load: a note edited while the import runs", () => {
	it("is preserved, not overwritten with the update", async () => {
		dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-race-"));
		const store = new NodeStagingStore(dir);
		const original = await fs.readFile(SAMPLE, "utf8");
		const first = await runImportSession(
			{ store, vault: new NodeNoteVault(dir), clock: systemClock, logger: silentLogger },
			{ mode: "new", sources: [source("conversations.json", original)] },
		);
		expect(first.notes.created).toBe(3);

		// The source moves on: every conversation gets a later update_time and a changed title line in its first message.
		const updated = JSON.parse(original) as { update_time: number; title: string }[];
		for (const c of updated) c.update_time += 3600;
		const notes = (await fs.readdir(path.join(dir, "AI Conversations/ChatGPT"))).sort();
		const vault = new EditingVault(dir);
		vault.target = `AI Conversations/ChatGPT/${notes[0]!}`;
		const second = await runImportSession(
			{ store, vault, clock: systemClock, logger: silentLogger },
			{ mode: "new", sources: [source("conversations.json", JSON.stringify(updated))] },
		);
		expect(second.notes.preserved).toBe(1);
		expect(second.notes.updated + second.notes.unchanged).toBe(2);
		expect(await fs.readFile(path.join(dir, "AI Conversations/ChatGPT", notes[0]!), "utf8")).toContain("My own line, typed just now.");
	});
});
