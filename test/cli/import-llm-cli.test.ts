import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/cli";
import { deadUrl, startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server";

const SAMPLE = resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");
let server: FakeLlmServer | undefined;
let vault = "";

afterEach(async () => {
	await server?.close();
	server = undefined;
	if (vault) await rm(vault, { recursive: true, force: true });
});

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: process.cwd() }, out, err };
}

describe("knowledge-etl import --llm", () => {
	it("exits 3 with what to start when the server is down, before any item and without a session", async () => {
		vault = await mkdtemp(join(tmpdir(), "ketl-llm-cli-"));
		const c = capture();
		const code = await main(
			["import", SAMPLE, "--vault", vault, "--llm", "ollama", "--llm-url", await deadUrl(), "--model", "m", "--json"],
			c.io,
		);
		expect(code).toBe(3);
		expect(c.err.join("")).toContain('Start Ollama with "ollama serve"');
		expect(JSON.parse(c.out.join(""))).toMatchObject({ error: { exit_code: 3 } });
		expect(await readdir(vault)).toEqual([]);
	});

	it("exits 3 and says what to pull when the model is missing", async () => {
		server = await startFakeLlmServer({ models: ["other:latest"] });
		vault = await mkdtemp(join(tmpdir(), "ketl-llm-cli-"));
		const c = capture();
		expect(
			await main(["import", SAMPLE, "--vault", vault, "--llm", "ollama", "--llm-url", server.url, "--model", "gpt-oss:20b"], c.io),
		).toBe(3);
		expect(c.err.join("")).toContain("ollama pull gpt-oss:20b");
		expect(server.chatRequests).toHaveLength(0);
	});

	it("imports knowledge notes, reading the API key from the named variable and never printing it", async () => {
		server = await startFakeLlmServer({ apiKey: "sk-test-secret" });
		vault = await mkdtemp(join(tmpdir(), "ketl-llm-cli-"));
		process.env.KETL_TEST_KEY = "sk-test-secret";
		const c = capture();
		const code = await main(
			[
				"import",
				SAMPLE,
				"--vault",
				vault,
				"--llm",
				"openai",
				"--llm-url",
				server.url,
				"--model",
				"test-model",
				"--api-key-env",
				"KETL_TEST_KEY",
				"--concurrency",
				"2",
				"--json",
			],
			c.io,
		);
		delete process.env.KETL_TEST_KEY;
		expect(code).toBe(0);
		expect(JSON.parse(c.out.join(""))).toMatchObject({ notes: { created: 3 } });
		expect(server.chatRequests).toHaveLength(3);
		expect(c.out.join("") + c.err.join("")).not.toContain("sk-test-secret");
		// Nor is it in any file the run wrote (session, logs, notes).
		for (const entry of await readdir(vault, { recursive: true, withFileTypes: true })) {
			if (entry.isFile()) expect(await readFile(join(entry.parentPath, entry.name), "utf8")).not.toContain("sk-test-secret");
		}
	});
});
