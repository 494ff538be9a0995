import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runOrganizeCommand } from "../../src/cli/commands/organize";
import { deadUrl, startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server";
import { tempDir } from "../core/_support/temp-vault";

let server: FakeLlmServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

async function vaultWithNotes(): Promise<string> {
	const root = await tempDir();
	await mkdir(join(root, "Inbox"), { recursive: true });
	// Keywords alone would call both "travel"; the model decides otherwise for the first.
	await writeFile(
		join(root, "Inbox", "Budget.md"),
		"A long note about the hotel and flight budget for next spring, with a spreadsheet of costs.\n",
	);
	await writeFile(
		join(root, "Inbox", "Kyoto.md"),
		"紅葉の季節に京都へ旅行する計画。ホテルと観光の予定をまとめたメモです。十分な長さの本文。紅葉の名所を巡り、夜は旅館に泊まり、翌日は嵐山を歩く予定です。\n",
	);
	return root;
}

describe("knowledge-etl organize --llm", () => {
	it("classifies each note by the model's JSON reply", async () => {
		server = await startFakeLlmServer({
			reply: (info) =>
				info.messages[0]!.content.includes("Title: Budget")
					? 'Sure! ```json\n{"genre": "economy", "topic": "budget", "confidence": 0.9}\n```'
					: '{"genre": "travel", "topic": "京都", "confidence": "high"}',
		});
		const root = await vaultWithNotes();
		const c = capture();
		const code = await runOrganizeCommand(
			["Inbox", "--vault", root, "--apply", "--llm", "ollama", "--llm-url", server.url, "--model", "test-model"],
			c.io,
		);
		expect(code).toBe(0);
		expect(server.chatRequests).toHaveLength(2);
		expect(await readdir(join(root, "AI Conversations/Economy"))).toEqual(["Budget.md"]);
		expect(await readdir(join(root, "AI Conversations/Travel"))).toEqual(["Kyoto.md"]);
		await rm(root, { recursive: true, force: true });
	});

	it("exits 3 before touching anything when the server is down", async () => {
		const root = await vaultWithNotes();
		const c = capture();
		const code = await runOrganizeCommand(
			["Inbox", "--vault", root, "--apply", "--llm", "ollama", "--llm-url", await deadUrl(), "--model", "m"],
			c.io,
		);
		expect(code).toBe(3);
		expect(c.err.join("")).toContain("ollama serve");
		expect((await readdir(join(root, "Inbox"))).sort()).toEqual(["Budget.md", "Kyoto.md"]);
		await rm(root, { recursive: true, force: true });
	});

	it("needs --model with --llm (usage error, exit 2)", async () => {
		const root = await vaultWithNotes();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--llm", "ollama"], capture().io)).toBe(2);
		await rm(root, { recursive: true, force: true });
	});
});
