import { createLlmClient } from "../src/core/llm/create-llm-client";
import { extractKnowledge } from "../src/core/llm/extract-knowledge";
import { openExport } from "../src/core/import/extract";
import type { Conversation } from "../src/core/model/conversation";
import { NodeByteSource } from "../src/cli/node-byte-source";
import { NodeHttpClient } from "../src/cli/node-http-client";
import type { FakeLlmServer } from "../test/support/fake-llm-server";

/**
 * The LLM layer on its own (not the pipeline): extractKnowledge for each conversation through a pool of N
 * workers, against the fake server. Used when the import has no LLM path to drive.
 */

export const MODEL = "bench-model:latest";
/** The transcript budget per call (the import's default contextChars). */
export const CONTEXT_CHARS = 24_000;

export async function loadConversations(files: string[]): Promise<Conversation[]> {
	const sources = await Promise.all(files.map((f) => NodeByteSource.open(f)));
	try {
		const reader = await openExport(sources, { provider: "auto" });
		const out: Conversation[] = [];
		for await (const r of reader.conversations()) if (r.ok) out.push(r.conversation);
		await reader.close();
		return out;
	} finally {
		for (const s of sources) await s.close();
	}
}

export interface LayerRun {
	wallMs: number;
	calls: number;
	maxInFlight: number;
	ok: number;
	review: number;
	failed: number;
}

export async function runLayer(server: FakeLlmServer, conversations: Conversation[], concurrency: number): Promise<LayerRun> {
	const client = createLlmClient({ provider: "ollama", url: server.url, model: MODEL, retryRandomize: false }, new NodeHttpClient());
	if (!client) throw new Error("no client");
	await client.preflight();
	server.resetStats();
	server.maxInFlight = 0;
	let next = 0;
	const counts = { ok: 0, review: 0, failed: 0 };
	const worker = async (): Promise<void> => {
		for (;;) {
			const i = next++;
			const conversation = conversations[i];
			if (conversation === undefined) return;
			try {
				const r = await extractKnowledge(conversation, { client, language: "auto", contextChars: CONTEXT_CHARS, onTooLarge: "split" });
				if (r.status === "ok") counts.ok++;
				else counts.review++;
			} catch {
				counts.failed++;
			}
		}
	};
	const t0 = performance.now();
	await Promise.all(Array.from({ length: concurrency }, worker));
	const wallMs = performance.now() - t0;
	return { wallMs, calls: server.chatRequests.length, maxInFlight: server.maxInFlight, ...counts };
}
