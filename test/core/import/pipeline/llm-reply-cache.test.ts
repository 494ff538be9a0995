import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { runImportSession, type ImportRequest } from "../../../../src/core/import/pipeline/import-session";
import { createLlmClient } from "../../../../src/core/llm/create-llm-client";
import { LlmReplyCache, LLM_CACHE_ROOT } from "../../../../src/core/llm/reply-cache";
import type { LlmConfigInput } from "../../../../src/core/llm/llm-config";
import { silentLogger } from "../../../../src/core/ports/logger";
import { systemClock } from "../../../../src/core/ports/clock";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeHttpClient } from "../../../../src/cli/node-http-client";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { startFakeLlmServer, type FakeLlmServer } from "../../../support/fake-llm-server";

// The prompt version, settable per test (the real module otherwise): a new version must call the model again.
const prompt = vi.hoisted(() => ({ version: null as string | null }));
vi.mock("../../../../src/core/llm/prompt", async (importOriginal) => {
	const real = await importOriginal<typeof import("../../../../src/core/llm/prompt")>();
	return {
		...real,
		get KNOWLEDGE_PROMPT_VERSION() {
			return prompt.version ?? real.KNOWLEDGE_PROMPT_VERSION;
		},
	};
});

const SAMPLES = path.resolve(__dirname, "../../../../samples");
/** The samples hold 7 conversations (4 Claude, 3 ChatGPT), each one model call. */
const CONVERSATIONS = 7;
let vaultDir: string;
let server: FakeLlmServer | undefined;
const opened: NodeByteSource[] = [];

beforeEach(async () => {
	vaultDir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-llm-cache-"));
	prompt.version = null;
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

function client(url: string, extra: Partial<LlmConfigInput> = {}) {
	return createLlmClient(
		{ provider: "ollama", url, model: "test-model", retries: 1, retryMinDelayMs: 1, retryMaxDelayMs: 2, timeoutSeconds: 5, ...extra },
		new NodeHttpClient(),
	)!;
}

async function importAll(url: string, extra: Partial<ImportRequest> = {}, config: Partial<LlmConfigInput> = {}) {
	const model = config.model ?? "test-model";
	return runImportSession(deps(), {
		mode: "new",
		options: { llm: { provider: "ollama", url, model } },
		llmClient: client(url, config),
		sources: await sources(),
		...extra,
	});
}

async function notesUnder(folder: string): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	const walk = async (dir: string): Promise<void> => {
		for (const e of await fs.readdir(path.join(vaultDir, dir), { withFileTypes: true }).catch(() => [])) {
			const rel = `${dir}/${e.name}`;
			if (e.isDirectory()) await walk(rel);
			else if (e.name.endsWith(".md")) out.set(rel, await fs.readFile(path.join(vaultDir, rel), "utf8"));
		}
	};
	await walk(folder);
	return out;
}

describe("no model call paid twice", () => {
	it("a second import of the same export makes no call, and leaves every note as it is", async () => {
		server = await startFakeLlmServer();
		const first = await importAll(server.url);
		expect(first.notes.created).toBe(CONVERSATIONS);
		expect(server.chatRequests).toHaveLength(CONVERSATIONS);
		const before = await notesUnder("AI Conversations");

		// Debug mode keeps every item's records in the completed session (read below).
		const second = await importAll(server.url, { debugMode: true });
		expect(second.status).toBe("completed");
		expect(server.chatRequests).toHaveLength(CONVERSATIONS); // not one more
		expect(second.notes).toMatchObject({ created: 0, updated: 0, unchanged: CONVERSATIONS, preserved: 0 });
		expect(await notesUnder("AI Conversations")).toEqual(before);
		// Decided from the index before any call (not only answered from the cache).
		const log = await fs.readFile(path.join(vaultDir, ".staging/@session", second.session_id, "import/pipeline_stages.jsonl"), "utf8");
		const transform = log
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { stage: string; reason?: string })
			.filter((r) => r.stage === "transform");
		expect(transform).toHaveLength(CONVERSATIONS);
		expect(transform.every((r) => r.reason?.endsWith("no model call"))).toBe(true);
	});

	it("with the index and the notes gone, a new import takes every reply from the vault cache", async () => {
		server = await startFakeLlmServer();
		await importAll(server.url);
		const texts = [...(await notesUnder("AI Conversations")).values()].map((t) => t.replace(/^(session|file_id): .*$/gm, "")).sort();
		expect((await new LlmReplyCache(new NodeStagingStore(vaultDir)).size()).entries).toBe(CONVERSATIONS);
		await fs.rm(path.join(vaultDir, "AI Conversations"), { recursive: true });
		await fs.rm(path.join(vaultDir, ".staging/@index"), { recursive: true });

		const again = await importAll(server.url);
		expect(again.notes.created).toBe(CONVERSATIONS);
		expect(server.chatRequests).toHaveLength(CONVERSATIONS);
		// The same knowledge as the paid replies gave.
		expect([...(await notesUnder("AI Conversations")).values()].map((t) => t.replace(/^(session|file_id): .*$/gm, "")).sort()).toEqual(
			texts,
		);
	});

	it("a new session after a crash reuses every reply the crashed one saved", async () => {
		server = await startFakeLlmServer({ latencyMs: 5 });
		const controller = new AbortController();
		let replies = 0;
		const crashed = await importAll(server.url, {
			signal: controller.signal,
			onProgress: (p) => {
				if (p.stage === "transform" && p.last && ++replies === 3) controller.abort();
			},
		});
		expect(crashed.status).toBe("stopped");
		const paid = server.chatRequests.map((r) => r.body);
		expect(paid.length).toBeGreaterThanOrEqual(3);
		expect(paid.length).toBeLessThan(CONVERSATIONS);
		// As a crash would leave it: the index never flushed (nothing of this run in it).
		await fs.rm(path.join(vaultDir, ".staging/@index"), { recursive: true, force: true });

		const next = await importAll(server.url); // a new session, not a resume
		expect(next.status).toBe("completed");
		expect(next.session_id).not.toBe(crashed.session_id);
		// Every conversation was paid for exactly once over both sessions.
		const bodies = server.chatRequests.map((r) => r.body);
		expect(bodies).toHaveLength(CONVERSATIONS);
		expect(new Set(bodies).size).toBe(CONVERSATIONS);
	});

	it("another model, other reply settings or a new prompt version call the model again", async () => {
		server = await startFakeLlmServer({ models: ["test-model:latest", "other-model:latest"] });
		await importAll(server.url);
		expect(server.chatRequests).toHaveLength(CONVERSATIONS);

		await importAll(server.url, {}, { model: "other-model" });
		expect(server.chatRequests).toHaveLength(2 * CONVERSATIONS);
		expect(server.chatRequests.slice(CONVERSATIONS).every((r) => (JSON.parse(r.body) as { model: string }).model === "other-model")).toBe(
			true,
		);

		await importAll(server.url, {}, { temperature: 0.9 });
		expect(server.chatRequests).toHaveLength(3 * CONVERSATIONS);

		prompt.version = "test-next";
		await importAll(server.url);
		expect(server.chatRequests).toHaveLength(4 * CONVERSATIONS);

		// Back to the first model, settings and prompt: all saved, no call.
		prompt.version = null;
		await importAll(server.url);
		expect(server.chatRequests).toHaveLength(4 * CONVERSATIONS);
	});

	it("--llm-refresh calls again, and a resume of that run reuses its own new replies", async () => {
		server = await startFakeLlmServer({ latencyMs: 5 });
		await importAll(server.url);
		const controller = new AbortController();
		let replies = 0;
		const refresh = await importAll(server.url, {
			llmRefresh: true,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.stage === "transform" && p.last && ++replies === 2) controller.abort();
			},
		});
		const afterCancel = server.chatRequests.length - CONVERSATIONS;
		expect(afterCancel).toBeGreaterThanOrEqual(2);
		const resumed = await runImportSession(deps(), {
			mode: "resume",
			sessionId: refresh.session_id,
			llmClient: client(server.url),
			llmRefresh: true,
		});
		expect(resumed.status).toBe("completed");
		// The refresh run as a whole asked once per conversation: none skipped, none asked twice.
		expect(server.chatRequests.length).toBe(2 * CONVERSATIONS);
	});

	it("the cache reports its size and prunes the replies of sessions that are gone", async () => {
		server = await startFakeLlmServer();
		const first = await importAll(server.url);
		const store = new NodeStagingStore(vaultDir);
		const cache = new LlmReplyCache(store);
		const size = await cache.size();
		expect(size.entries).toBe(CONVERSATIONS);
		let bytes = 0;
		for (const shard of await fs.readdir(path.join(vaultDir, LLM_CACHE_ROOT))) {
			for (const f of await fs.readdir(path.join(vaultDir, LLM_CACHE_ROOT, shard)))
				bytes += (await fs.stat(path.join(vaultDir, LLM_CACHE_ROOT, shard, f))).size;
		}
		expect(size.bytes).toBe(bytes);
		expect(await cache.prune((id) => id === first.session_id)).toEqual({ entries: 0, bytes: 0 });
		expect(await cache.prune(() => false)).toEqual(size);
		expect(await cache.size()).toEqual({ entries: 0, bytes: 0 });
		expect(await fs.readdir(path.join(vaultDir, LLM_CACHE_ROOT))).toEqual([]);
	});
});
