import { afterEach, describe, expect, it } from "vitest";
import { NodeHttpClient } from "../../../src/cli/node-http-client";
import { createLlmClient } from "../../../src/core/llm/create-llm-client";
import { extractKnowledge, planKnowledge, type ExtractOptions, type RawReply } from "../../../src/core/llm/extract-knowledge";
import type { LlmClient } from "../../../src/core/llm/llm-client";
import { HttpStatusError } from "../../../src/core/retry/errors";
import { startFakeLlmServer, type FakeLlmServer, type FakeLlmServerOptions } from "../../support/fake-llm-server";
import { conversation, longConversation, msg } from "./conversation-helpers";

let server: FakeLlmServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function setup(
	options: FakeLlmServerOptions = {},
	provider: "ollama" | "openai" = "ollama",
): Promise<{ s: FakeLlmServer; client: LlmClient }> {
	server = await startFakeLlmServer(options);
	const client = createLlmClient(
		{
			provider,
			url: server.url,
			model: "test-model",
			retries: 2,
			retryMinDelayMs: 1,
			retryMaxDelayMs: 2,
			retryRandomize: false,
			timeoutSeconds: 5,
		},
		new NodeHttpClient(),
	)!;
	return { s: server, client };
}

function opts(client: LlmClient, extra: Partial<ExtractOptions> = {}): ExtractOptions {
	return { client, language: "auto", contextChars: 50_000, onTooLarge: "split", ...extra };
}

const small = conversation([
	msg("1", "user", "How do I create a docker network so that containers find each other by name?"),
	msg(
		"2",
		"assistant",
		"Create a user-defined bridge:",
		{ kind: "code", language: "bash", code: "docker network create app" },
		"Then run containers with --network app.",
	),
]);

describe("extractKnowledge", () => {
	it.each(["ollama", "openai"] as const)("returns the knowledge and hands each reply over as it arrives (%s)", async (provider) => {
		const { s, client } = await setup({}, provider);
		const seen: RawReply[] = [];
		const result = await extractKnowledge(small, opts(client, { onReply: (r) => void seen.push(r) }));
		expect(result.status).toBe("ok");
		if (result.status !== "ok") return;
		expect(result.knowledge).toMatchObject({ title: "Test chat notes", tags: ["test", "fake-llm"], model: "test-model", parts: 1 });
		expect(result.knowledge.content).toContain("docker network create app");
		expect(seen).toEqual(result.rawReplies);
		expect(seen[0]).toMatchObject({ part: 1, totalParts: 1, model: "test-model", promptTokens: 10, completionTokens: 5 });
		expect(s.chatRequests).toHaveLength(1);
	});

	it("calls the model zero times when every reply is saved, and again when the prompt changed", async () => {
		const { s, client } = await setup();
		const saved: RawReply[] = [];
		const first = await extractKnowledge(small, opts(client, { onReply: (r) => void saved.push(r) }));
		s.resetStats();
		const again = await extractKnowledge(small, opts(client, { saved }));
		expect(s.chatRequests).toHaveLength(0);
		expect(again).toEqual(first);
		await extractKnowledge(small, opts(client, { saved, language: "German" }));
		expect(s.chatRequests).toHaveLength(1);
	});

	it.each([
		["a missing section", "## Title\nT\n## Tags\na\n## Content\n" + "x".repeat(200), /^missing required section: summary$/],
		["an unclosed fence", "```markdown\n## Title\nT\n## Summary\nS\n## Tags\na\n## Content\n" + "x".repeat(200), /unclosed code fence/],
		["a body far too short", "## Title\nT\n## Summary\nS\n## Tags\na\n## Content\nok", /^body too short: /],
	])("sends %s to review, keeping what was parsed", async (_name, reply, reason) => {
		const { client } = await setup({ reply: () => reply });
		const result = await extractKnowledge(small, opts(client));
		expect(result.status).toBe("review");
		if (result.status !== "review") return;
		expect(result.reason).toMatch(reason);
		expect(result.knowledge?.title).toBe("T");
		expect(result.rawReplies).toHaveLength(1);
	});

	it("sends an empty reply after all retries to review, without a raw reply", async () => {
		const { s, client } = await setup({ script: () => ({ kind: "reply", content: " " }) });
		const seen: RawReply[] = [];
		const result = await extractKnowledge(small, opts(client, { onReply: (r) => void seen.push(r) }));
		expect(result).toMatchObject({ status: "review", rawReplies: [] });
		if (result.status === "review") expect(result.reason).toMatch(/^LLM extraction failed: .*empty reply/);
		expect(s.chatRequests).toHaveLength(3);
		expect(seen).toEqual([]);
	});

	it("sends a garbage reply body to review after one call", async () => {
		const { s, client } = await setup({ script: () => ({ kind: "raw", body: "<html>proxy error</html>" }) });
		const result = await extractKnowledge(small, opts(client));
		expect(result.status).toBe("review");
		if (result.status === "review") expect(result.reason).toContain("not JSON");
		expect(s.chatRequests).toHaveLength(1);
	});

	it("throws transport failures after the retries (the item fails, it is not reviewed)", async () => {
		const { s, client } = await setup({ script: () => ({ kind: "status", status: 503 }) });
		await expect(extractKnowledge(small, opts(client))).rejects.toBeInstanceOf(HttpStatusError);
		expect(s.chatRequests).toHaveLength(3);
	});

	it("is too large without any call when the setting says skip", async () => {
		const { s, client } = await setup();
		const big = longConversation(20, 1000);
		const result = await extractKnowledge(big, opts(client, { contextChars: 5_000, onTooLarge: "skip" }));
		expect(result).toMatchObject({ status: "too_large", contextChars: 5_000 });
		expect(s.chatRequests).toHaveLength(0);
	});

	it("splits a long conversation, calls once per part and merges into one result", async () => {
		const { s, client } = await setup();
		const big = longConversation(10, 1000);
		const plan = planKnowledge(big, { language: "auto", contextChars: 5_200, onTooLarge: "split" });
		expect(plan.kind === "calls" && plan.calls.length).toBe(3);
		const result = await extractKnowledge(big, opts(client, { contextChars: 5_200 }));
		expect(s.chatRequests).toHaveLength(3);
		expect(
			s.chatRequests.map((r) => (r.json as { messages: { content: string }[] }).messages[1]?.content.match(/part (\d) of 3/)?.[1]),
		).toEqual(["1", "2", "3"]);
		expect(result.status).toBe("ok");
		if (result.status !== "ok") return;
		expect(result.knowledge.parts).toBe(3);
		expect(result.knowledge.title).toBe("Test chat notes");
		expect(result.knowledge.content.match(/^## Part \d of 3$/gm)).toEqual(["## Part 1 of 3", "## Part 2 of 3", "## Part 3 of 3"]);
		expect(result.rawReplies.map((r) => r.part)).toEqual([1, 2, 3]);
	});

	it("a part that stays empty sends the item to review; a retry calls only that part again", async () => {
		const { s, client } = await setup({
			script: (info) => (info.messages[1]?.content.includes("part 2 of 3") ? { kind: "reply", content: "" } : undefined),
		});
		const big = longConversation(10, 1000);
		const saved: RawReply[] = [];
		const first = await extractKnowledge(big, opts(client, { contextChars: 5_200, onReply: (r) => void saved.push(r) }));
		expect(first.status).toBe("review");
		if (first.status === "review") expect(first.reason).toMatch(/^LLM extraction failed \(part 2 of 3\): /);
		expect(saved.map((r) => r.part)).toEqual([1, 3]);
		expect(s.chatRequests).toHaveLength(1 + 3 + 1);

		await s.close();
		const { s: s2, client: client2 } = await setup();
		const second = await extractKnowledge(big, opts(client2, { contextChars: 5_200, saved }));
		expect(s2.chatRequests).toHaveLength(1);
		expect(second.status).toBe("ok");
	});

	it("stops before calling when the signal is already aborted", async () => {
		const { s, client } = await setup();
		const controller = new AbortController();
		controller.abort(new Error("cancelled"));
		await expect(extractKnowledge(small, opts(client, { signal: controller.signal }))).rejects.toThrow("cancelled");
		expect(s.chatRequests).toHaveLength(0);
	});
});
