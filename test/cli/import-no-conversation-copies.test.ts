/**
 * The CLI's session keeps no copy of the conversations (ImportOptions.keepConversations false): extract writes
 * nothing under `import/extract/output/`, and a retry (or a resume after extract finished) reads the recorded
 * export again, checked unchanged by its fingerprint, instead of the copy.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import {
	allFiles,
	chatgptConv,
	claudeConv,
	contractJson,
	importJson,
	newVault,
	notesIn,
	runCli,
	SESSION_ROOT_DIR,
	writeJson,
} from "./import-support";

describe("the CLI's session keeps no copy of the conversations", () => {
	it("none is written; a retry of a failed load reads the export again, and is refused while the export is gone", async () => {
		const dir = await tempDir("ketl-nocopy-");
		const input = join(dir, "export");
		await writeJson(join(input, "claude", "conversations.json"), [claudeConv({ id: "c1", title: "Claude one" })]);
		await writeJson(join(input, "chatgpt", "conversations.json"), [
			chatgptConv({ id: "g1", title: "GPT one" }),
			chatgptConv({ id: "g2", title: "GPT two" }),
		]);
		const vault = await newVault();
		await mkdir(join(vault, "AI Conversations"), { recursive: true });
		// Load fails for the ChatGPT notes: their provider folder is a file.
		await writeFile(join(vault, "AI Conversations", "ChatGPT"), "a file where a folder should be\n");

		const first = await importJson([input], vault);
		expect(first.code).toBe(4);
		expect(first.json.counts).toEqual({ total: 3, success: 1, failed: 2, skipped: 0 });
		const id = first.json.session_id;
		const session = `${SESSION_ROOT_DIR}/${id}/import`;
		const options = JSON.parse(await readFile(join(vault, session, "extract", "input", "options.json"), "utf8")) as Record<string, unknown>;
		expect(options.keepConversations).toBe(false);
		// Not even the failed items' conversations (which a session that keeps copies holds for a retry).
		expect((await allFiles(vault)).filter((f) => f.startsWith(`${session}/extract/output/`))).toEqual([]);

		await rm(join(vault, "AI Conversations", "ChatGPT"));
		// The export moved away: the retry needs it, says so, and changes nothing.
		await rename(input, `${input}-moved`);
		const refused = await runCli(["retry", "--session", id, "--vault", vault, "--json"]);
		expect(refused.code).toBe(2);
		expect(refused.err).toContain(input);
		expect(await notesIn(vault, "AI Conversations/ChatGPT")).toEqual([]);

		await rename(`${input}-moved`, input);
		const retry = await runCli(["retry", "--session", id, "--vault", vault, "--json"]);
		expect(retry.code, retry.err).toBe(0);
		expect(contractJson(retry).counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		expect(await notesIn(vault, "AI Conversations/ChatGPT")).toEqual(["GPT one.md", "GPT two.md"]);
		expect(await notesIn(vault, "AI Conversations/Claude")).toEqual(["Claude one.md"]);
		expect((await allFiles(vault)).filter((f) => f.startsWith(`${session}/extract/output/`))).toEqual([]);
	});
});
