import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chatgptConv, importJson, newVault, notesIn, writeJson } from "./import-support";
import { tempDir } from "../core/_support/temp-vault";
import { DEFAULT_MAX_STRING_BYTES } from "../../src/core/import/extract/json-array-stream";

// Issue 15 item 5: one message over the limit (KNOWLEDGE_ETL_MAX_MESSAGE_MB, default 64 MB) fails its conversation
// with the reason; the others are imported and the process goes on. A small limit keeps the test cheap.
describe("a message larger than the limit", () => {
	afterEach(() => {
		delete process.env.KNOWLEDGE_ETL_MAX_MESSAGE_MB;
	});

	it("fails that conversation with a reason naming it and the sizes; the others are imported", async () => {
		expect(DEFAULT_MAX_STRING_BYTES).toBe(64 * 1024 * 1024);
		process.env.KNOWLEDGE_ETL_MAX_MESSAGE_MB = "1";
		const dir = await tempDir("ketl-message-limit-");
		const huge = "word ".repeat(600_000); // 3 MB, one message
		const input = await writeJson(join(dir, "conversations.json"), [
			chatgptConv({ id: "c1", title: "Before" }),
			chatgptConv({
				id: "c2",
				title: "Too long",
				messages: [
					{ role: "user", text: "Paste:" },
					{ role: "assistant", text: huge },
				],
			}),
			chatgptConv({ id: "c3", title: "After" }),
		]);
		const vault = await newVault();
		const run = await importJson([input], vault);
		expect(run.code).toBe(4); // some items failed
		expect(run.json.counts).toEqual({ total: 3, success: 2, failed: 1, skipped: 0 });
		expect(run.json.failures).toHaveLength(1);
		const failure = run.json.failures[0]!;
		expect(failure.stage).toBe("extract");
		expect(failure.reason).toMatch(/\("Too long"\) holds a message of 2\.9 MB, over the limit of 1\.0 MB for one message/);
		const notes = await notesIn(vault, "AI Conversations/ChatGPT");
		expect(notes.sort()).toEqual(["After.md", "Before.md"]);
		expect(await readFile(join(vault, "AI Conversations/ChatGPT/After.md"), "utf8")).toContain("Answer for c3.");
	});

	it("imports the same message under the default limit", async () => {
		const dir = await tempDir("ketl-message-limit-");
		const input = await writeJson(join(dir, "conversations.json"), [
			chatgptConv({
				id: "c2",
				title: "Long",
				messages: [
					{ role: "user", text: "Paste:" },
					{ role: "assistant", text: "word ".repeat(600_000) },
				],
			}),
		]);
		const run = await importJson([input], await newVault());
		expect(run.code).toBe(0);
		expect(run.json.counts.success).toBe(1);
	});
});
