import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import { claudeConv, importJson, newVault, notesIn, writeJson } from "./import-support";

/** Issue 15 leftover: a conversation id met twice in one export is reported as skipped: not failed, not two notes. */
describe("duplicate conversation ids in one export", () => {
	it("the first is imported, the repeat is skipped and said why; a re-import changes nothing", async () => {
		const dir = await tempDir("ketl-dup-");
		const vault = await newVault();
		const file = await writeJson(join(dir, "c.json"), [
			claudeConv({ id: "d1", title: "First" }),
			claudeConv({ id: "d2", title: "Other" }),
			claudeConv({ id: "d1", title: "Repeat" }),
		]);
		const r = await importJson([file], vault, ["--provider", "claude", "--debug"]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 3, success: 2, failed: 0, skipped: 1 });
		expect(r.json.notes).toMatchObject({ created: 2 });
		expect(await notesIn(vault, "AI Conversations/Claude")).toEqual(["First.md", "Other.md"]);
		expect(r.err).toMatch(/d1 appears earlier/);
		const again = await importJson([file], vault, ["--provider", "claude"]);
		expect(again.json.counts).toEqual({ total: 3, success: 2, failed: 0, skipped: 1 });
		expect(again.json.notes).toMatchObject({ created: 0, unchanged: 2 });
	});
});
