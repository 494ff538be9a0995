import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { runImportSession, type ImportRequest } from "../../../../src/core/import/pipeline/import-session";
import { createLlmClient } from "../../../../src/core/llm/create-llm-client";
import { LlmUnavailableError } from "../../../../src/core/llm/errors";
import { silentLogger } from "../../../../src/core/ports/logger";
import { systemClock } from "../../../../src/core/ports/clock";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeHttpClient } from "../../../../src/cli/node-http-client";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { deadUrl, startFakeLlmServer, type FakeLlmServer } from "../../../support/fake-llm-server";

const SAMPLES = path.resolve(__dirname, "../../../../samples");
let vaultDir: string;
let server: FakeLlmServer | undefined;
const opened: NodeByteSource[] = [];

beforeEach(async () => {
	vaultDir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-llm-import-"));
});
afterEach(async () => {
	await server?.close();
	server = undefined;
	for (const s of opened.splice(0)) await s.close();
	await fs.rm(vaultDir, { recursive: true, force: true });
});

async function sources(): Promise<NodeByteSource[]> {
	const list = [
		await NodeByteSource.open(path.join(SAMPLES, "claude-export.zip")),
		await NodeByteSource.open(path.join(SAMPLES, "chatgpt", "conversations.json")),
	];
	opened.push(...list);
	return list;
}

function deps() {
	return { store: new NodeStagingStore(vaultDir), vault: new NodeNoteVault(vaultDir), clock: systemClock, logger: silentLogger };
}

function client(url: string) {
	return createLlmClient(
		{ provider: "ollama", url, model: "test-model", retries: 1, retryMinDelayMs: 1, retryMaxDelayMs: 2, timeoutSeconds: 5 },
		new NodeHttpClient(),
	)!;
}

async function notesIn(folder: string): Promise<string[]> {
	const dir = path.join(vaultDir, folder);
	return (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".md")).sort();
}

function request(extra: Partial<ImportRequest> & { url: string; concurrency?: number }): ImportRequest {
	return {
		mode: "new",
		options: { llm: { provider: "ollama", url: extra.url, model: "test-model", concurrency: extra.concurrency ?? 1 } },
		llmClient: client(extra.url),
		...extra,
	};
}

describe("import with the LLM knowledge transform", () => {
	it("writes knowledge notes with the model's summary and tags, the transcript kept, N calls in flight", async () => {
		server = await startFakeLlmServer({ latencyMs: 40 });
		const summary = await runImportSession(deps(), { ...request({ url: server.url, concurrency: 3 }), sources: await sources() });
		expect(summary.status).toBe("completed");
		expect(summary.notes.created).toBe(7);
		expect(server.chatRequests).toHaveLength(7);
		expect(server.maxInFlight).toBeGreaterThan(1);
		expect(server.maxInFlight).toBeLessThanOrEqual(3);
		const claude = await notesIn("AI Conversations/Claude");
		expect(claude).toHaveLength(4);
		const text = await fs.readFile(path.join(vaultDir, "AI Conversations/Claude", claude[0]!), "utf8");
		expect(text).toMatch(/^llm_model: test-model$/m);
		expect(text).toMatch(/^ {2}- fake-llm$/m);
		expect(text).toContain("> [!quote]- Conversation");
		expect(text).toMatch(/^title: ".* notes"$/m);
	});

	it("logs and notes are the same whatever the concurrency", async () => {
		server = await startFakeLlmServer({ script: (info) => ({ kind: "reply", latencyMs: (7 - (info.n % 7)) * 10 }) });
		// Debug mode: a completed session keeps every item's records (else it folds the ones that went through into a count).
		await runImportSession(deps(), { ...request({ url: server.url, concurrency: 4 }), sources: await sources(), debugMode: true });
		const a = await fs.readdir(path.join(vaultDir, "AI Conversations/ChatGPT"));
		const session = (await fs.readdir(path.join(vaultDir, ".staging/@session")))[0]!;
		const log = await fs.readFile(path.join(vaultDir, ".staging/@session", session, "import/pipeline_stages.jsonl"), "utf8");
		const order = log
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { stage: string; item_id: string })
			.filter((r) => r.stage === "transform")
			.map((r) => r.item_id);
		const extractOrder = log
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { stage: string; item_id: string })
			.filter((r) => r.stage === "extract")
			.map((r) => r.item_id);
		expect(order).toEqual(extractOrder);
		expect(a.sort()).toHaveLength(3);
	});

	it("a cancelled run resumes without calling the model again for saved replies", async () => {
		server = await startFakeLlmServer({ latencyMs: 5 });
		const controller = new AbortController();
		let replies = 0;
		const first = await runImportSession(deps(), {
			...request({ url: server.url }),
			sources: await sources(),
			signal: controller.signal,
			onProgress: (p) => {
				if (p.stage === "transform" && p.last && ++replies === 3) controller.abort();
			},
		});
		expect(first.status).toBe("stopped");
		const callsBefore = server.chatRequests.length;
		expect(callsBefore).toBeGreaterThanOrEqual(3);
		expect(callsBefore).toBeLessThan(7);
		const resumed = await runImportSession(deps(), { mode: "resume", sessionId: first.session_id, llmClient: client(server.url) });
		expect(resumed.status).toBe("completed");
		expect(resumed.notes.created).toBe(7);
		// every conversation was sent exactly once over both runs
		expect(server.chatRequests.length).toBe(7);
		const prompts = server.chatRequests.map((r) => r.body);
		expect(new Set(prompts).size).toBe(7);
	});

	it("routes poor replies to _review with the reason, and retry sends them to the model again", async () => {
		server = await startFakeLlmServer({
			script: (info) =>
				info.messages.some((m) => m.content.includes("Docker COPY")) ? { kind: "reply", content: "## Title\nOnly a title" } : undefined,
		});
		const first = await runImportSession(deps(), { ...request({ url: server.url }), sources: await sources() });
		expect(first.notes.review).toBe(1);
		const review = await notesIn("AI Conversations/_review");
		expect(review).toHaveLength(1);
		const text = await fs.readFile(path.join(vaultDir, "AI Conversations/_review", review[0]!), "utf8");
		expect(text).toMatch(/^review_reason: /m);
		expect(text).toContain("> [!quote]- Conversation");
		expect(await notesIn("AI Conversations/ChatGPT")).toHaveLength(2);

		// The model behaves now: retry asks again and the note leaves review.
		await server.close();
		server = await startFakeLlmServer();
		const retried = await runImportSession(deps(), { mode: "retry", sessionId: first.session_id, llmClient: client(server.url) });
		expect(server.chatRequests).toHaveLength(1);
		expect(retried.notes.review).toBe(0);
		expect(await notesIn("AI Conversations/_review")).toHaveLength(0);
		expect(await notesIn("AI Conversations/ChatGPT")).toHaveLength(3);
	});

	it("stops before any item when the server is down, leaving no session", async () => {
		const url = await deadUrl();
		await expect(runImportSession(deps(), { ...request({ url }), sources: await sources() })).rejects.toBeInstanceOf(LlmUnavailableError);
		await expect(fs.readdir(path.join(vaultDir, ".staging/@session"))).rejects.toThrow();
		expect(await notesIn("AI Conversations/Claude")).toHaveLength(0);
	});
});
