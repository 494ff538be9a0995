import { afterEach, describe, expect, it } from "vitest";
import { NodeHttpClient } from "../../../src/cli/node-http-client";
import { createLlmClient } from "../../../src/core/llm/create-llm-client";
import { LlmUnavailableError } from "../../../src/core/llm/errors";
import type { LlmClient } from "../../../src/core/llm/llm-client";
import type { LlmConfigInput } from "../../../src/core/llm/llm-config";
import { EmptyResponseError, HttpStatusError, TimeoutError, ValidationError } from "../../../src/core/retry/errors";
import { deadUrl, startFakeLlmServer, type FakeLlmServer, type FakeLlmServerOptions } from "../../support/fake-llm-server";

const http = new NodeHttpClient();
let server: FakeLlmServer | undefined;

afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function start(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
	server = await startFakeLlmServer(options);
	return server;
}

function client(provider: "ollama" | "openai", url: string, extra: Partial<LlmConfigInput> = {}): LlmClient {
	const made = createLlmClient(
		{
			provider,
			url,
			model: "test-model",
			retries: 3,
			retryMinDelayMs: 1,
			retryMaxDelayMs: 5,
			retryRandomize: false,
			timeoutSeconds: 5,
			...extra,
		},
		http,
	);
	if (!made) throw new Error("no client");
	return made;
}

const messages = [
	{ role: "system" as const, content: "sys" },
	{ role: "user" as const, content: "hello" },
];

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error("expected a rejection");
}

describe.each(["ollama", "openai"] as const)("%s client", (provider) => {
	it("sends the protocol's request and returns the content with token counts", async () => {
		const s = await start();
		s.enqueue({ kind: "reply", content: "## Title\nX" });
		const reply = await client(provider, s.url, { temperature: 0.3, numCtx: 4096, numPredict: 100, keepAlive: "5m" }).chat(messages);
		expect(reply).toEqual({ content: "## Title\nX", promptTokens: 10, completionTokens: 5 });
		const [req] = s.chatRequests;
		const body = req?.json as Record<string, unknown>;
		expect(body.model).toBe("test-model");
		expect(body.messages).toEqual(messages);
		expect(body.stream).toBe(false);
		if (provider === "ollama") {
			expect(req?.path).toBe("/api/chat");
			expect(body.options).toEqual({ num_ctx: 4096, temperature: 0.3, num_predict: 100 });
			expect(body.keep_alive).toBe("5m");
		} else {
			expect(req?.path).toBe("/v1/chat/completions");
			expect(body.temperature).toBe(0.3);
			expect(body.max_tokens).toBe(100);
		}
	});

	it("retries 500 and succeeds on the last allowed attempt", async () => {
		const s = await start();
		s.enqueue(
			{ kind: "status", status: 500 },
			{ kind: "status", status: 503 },
			{ kind: "status", status: 502 },
			{ kind: "reply", content: "ok" },
		);
		const reply = await client(provider, s.url, { retries: 3 }).chat(messages);
		expect(reply.content).toBe("ok");
		expect(s.chatRequests).toHaveLength(4);
	});

	it("gives up after retries + 1 attempts and throws the last HttpStatusError", async () => {
		const s = await start({ script: () => ({ kind: "status", status: 500 }) });
		const error = await rejection(client(provider, s.url, { retries: 2 }).chat(messages));
		expect(error).toBeInstanceOf(HttpStatusError);
		expect((error as HttpStatusError).status).toBe(500);
		expect(s.chatRequests).toHaveLength(3);
	});

	it("aborts on a 400 after exactly one call", async () => {
		const s = await start();
		s.enqueue({ kind: "status", status: 400, body: '{"error":"bad request"}' });
		const error = await rejection(client(provider, s.url).chat(messages));
		expect(error).toBeInstanceOf(HttpStatusError);
		expect((error as HttpStatusError).status).toBe(400);
		expect(error.message).toContain("bad request");
		expect(s.chatRequests).toHaveLength(1);
	});

	it("honours Retry-After on 429", async () => {
		const s = await start();
		s.enqueue({ kind: "status", status: 429, headers: { "retry-after": "1" } }, { kind: "reply", content: "later" });
		const reply = await client(provider, s.url).chat(messages);
		expect(reply.content).toBe("later");
		const [first, second] = s.chatRequests;
		expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
	});

	it("times out a hanging call with our own timeout, retries, then throws TimeoutError", async () => {
		const s = await start({ script: () => ({ kind: "hang" }) });
		const began = Date.now();
		const error = await rejection(client(provider, s.url, { timeoutSeconds: 0.2, retries: 1 }).chat(messages));
		expect(error).toBeInstanceOf(TimeoutError);
		expect(s.chatRequests).toHaveLength(2);
		expect(Date.now() - began).toBeLessThan(3000);
	});

	it("retries empty and whitespace replies, then surfaces EmptyResponseError", async () => {
		const s = await start({ script: () => ({ kind: "reply", content: "  \n " }) });
		s.enqueue({ kind: "empty-body" });
		const error = await rejection(client(provider, s.url, { retries: 2 }).chat(messages));
		expect(error).toBeInstanceOf(EmptyResponseError);
		expect(s.chatRequests).toHaveLength(3);
	});

	it("recovers when an empty reply is followed by a real one", async () => {
		const s = await start();
		s.enqueue({ kind: "reply", content: "" }, { kind: "reply", content: "now" });
		expect((await client(provider, s.url).chat(messages)).content).toBe("now");
		expect(s.chatRequests).toHaveLength(2);
	});

	it("treats a garbage or truncated body as ValidationError without retrying", async () => {
		const s = await start();
		s.enqueue({ kind: "raw", body: '{"message": {"content": "trunc' });
		const error = await rejection(client(provider, s.url).chat(messages));
		expect(error).toBeInstanceOf(ValidationError);
		expect(s.chatRequests).toHaveLength(1);
		s.enqueue({ kind: "raw", body: '{"unexpected": true}' });
		expect(await rejection(client(provider, s.url).chat(messages))).toBeInstanceOf(ValidationError);
	});

	it("retries a dropped connection as a network error", async () => {
		const s = await start();
		s.enqueue({ kind: "reset" }, { kind: "reply", content: "back" });
		expect((await client(provider, s.url).chat(messages)).content).toBe("back");
		expect(s.chatRequests).toHaveLength(2);
	});

	it("preflight passes when the model is listed", async () => {
		const s = await start({ models: ["other:7b", "test-model:latest"] });
		await client(provider, s.url).preflight();
		expect(s.requests.map((r) => r.path)).toEqual([provider === "ollama" ? "/api/tags" : "/v1/models"]);
	});

	it("preflight: server down → LlmUnavailableError saying what to start", async () => {
		const url = await deadUrl();
		const error = await rejection(client(provider, url).preflight());
		expect(error).toBeInstanceOf(LlmUnavailableError);
		expect(error.message).toContain(provider === "ollama" ? 'Start Ollama with "ollama serve"' : "Start the server");
	});

	it("preflight: missing model → LlmUnavailableError saying what to pull", async () => {
		const s = await start({ models: ["other:7b"] });
		const error = await rejection(client(provider, s.url).preflight());
		expect(error).toBeInstanceOf(LlmUnavailableError);
		if (provider === "ollama") expect(error.message).toContain('Pull the model with "ollama pull test-model"');
		else expect(error.message).toContain('"other:7b"');
	});

	it("preflight: server error on the list → LlmUnavailableError", async () => {
		const s = await start({ listBehaviour: { kind: "status", status: 500 } });
		expect(await rejection(client(provider, s.url).preflight())).toBeInstanceOf(LlmUnavailableError);
	});

	it("a model unknown to the server aborts the chat after one call", async () => {
		const s = await start({ models: ["other:7b"] });
		const error = await rejection(client(provider, s.url).chat(messages));
		if (provider === "ollama") {
			expect(error).toBeInstanceOf(LlmUnavailableError);
			expect(error.message).toContain("ollama pull test-model");
		} else {
			expect(error).toBeInstanceOf(HttpStatusError);
		}
		expect(s.chatRequests).toHaveLength(1);
	});

	it("an aborted signal stops a call in flight without retrying", async () => {
		const s = await start({ script: () => ({ kind: "hang" }) });
		const controller = new AbortController();
		const pending = client(provider, s.url).chat(messages, { signal: controller.signal });
		setTimeout(() => controller.abort(new Error("cancelled by user")), 100);
		const error = await rejection(pending);
		expect(error.message).toBe("cancelled by user");
		expect(s.chatRequests).toHaveLength(1);
	});
});

describe("openai client API key", () => {
	const key = "sk-secret-1234567890";

	it("sends the key as a bearer token and works", async () => {
		const s = await start({ apiKey: key });
		await client("openai", s.url, { apiKey: key }).preflight();
		await client("openai", s.url, { apiKey: key }).chat(messages);
		expect(s.requests.every((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true);
	});

	it("never puts the key in thrown messages, even when the server echoes it", async () => {
		const s = await start({ apiKey: key });
		s.enqueue({ kind: "status", status: 400, body: JSON.stringify({ error: `bad header Bearer ${key}` }) });
		const c = client("openai", s.url, { apiKey: key });
		const error = await rejection(c.chat(messages));
		expect(error).toBeInstanceOf(HttpStatusError);
		expect(error.message).toContain("***");
		expect(error.message).not.toContain(key);
		expect((error as HttpStatusError).body ?? "").not.toContain(key);
		expect(c.label).not.toContain(key);
	});

	it("a wrong key fails the preflight with advice to check it, without the key", async () => {
		const s = await start({ apiKey: key });
		const error = await rejection(client("openai", s.url, { apiKey: "sk-wrong-key-000" }).preflight());
		expect(error).toBeInstanceOf(LlmUnavailableError);
		expect(error.message).toContain("Check the API key");
		expect(error.message).not.toContain("sk-wrong-key-000");
	});

	it("accepts a base URL that already ends in /v1", async () => {
		const s = await start();
		await client("openai", `${s.url}/v1/`).preflight();
		expect(s.requests[0]?.path).toBe("/v1/models");
	});

	it("sends no Authorization header without a key", async () => {
		const s = await start();
		await client("openai", s.url).chat(messages);
		expect(s.chatRequests[0]?.headers.authorization).toBeUndefined();
	});
});

describe("createLlmClient", () => {
	it("returns nothing for provider none and rejects bad settings", () => {
		expect(createLlmClient({ provider: "none" }, http)).toBeUndefined();
		expect(() => createLlmClient({ provider: "ollama", temperature: 5 }, http)).toThrow();
	});

	it("labels clients without secrets and defaults the URL per provider", () => {
		expect(createLlmClient({ provider: "ollama", model: "m" }, http)?.label).toBe("ollama http://127.0.0.1:11434");
		expect(createLlmClient({ provider: "openai", model: "m", apiKey: "sk-x" }, http)?.label).toBe("openai http://127.0.0.1:1234/v1");
	});

	it("preflight without a model says to choose one", async () => {
		const s = await start();
		const c = createLlmClient({ provider: "ollama", url: s.url }, http)!;
		const error = await rejection(c.preflight());
		expect(error).toBeInstanceOf(LlmUnavailableError);
		expect(error.message).toContain("No model is set");
	});
});

describe("fake server in-flight measure", () => {
	it("counts concurrent chat calls at the server", async () => {
		const s = await start({ latencyMs: 150 });
		const c = client("ollama", s.url);
		await Promise.all([c.chat(messages), c.chat(messages), c.chat(messages)]);
		expect(s.maxInFlight).toBe(3);
		expect(s.inFlight).toBe(0);
		await c.chat(messages);
		s.resetStats();
		await Promise.all([c.chat(messages)]);
		expect(s.maxInFlight).toBe(1);
	});
});
