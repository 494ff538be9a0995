import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLlmClient } from "../../src/core/llm/create-llm-client";
import { NetworkError, TimeoutError } from "../../src/core/retry/errors";
import { RequestUrlHttpClient } from "../../src/plugin/request-url-http-client";
import { deadUrl, startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server";

// The client uses window timers (Obsidian's popout-safe rule); on Node the globals are the same functions.
beforeAll(() => {
	if (typeof window === "undefined") vi.stubGlobal("window", globalThis);
});

let server: FakeLlmServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

const http = new RequestUrlHttpClient();

describe("RequestUrlHttpClient (over the stub's real-HTTP requestUrl)", () => {
	it("returns non-2xx as a response, with lower-case headers", async () => {
		server = await startFakeLlmServer();
		server.enqueue({ kind: "status", status: 429, headers: { "Retry-After": "3" }, body: "slow down" });
		const response = await http.request({
			url: `${server.url}/api/chat`,
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ model: "test-model", messages: [] }),
			timeoutMs: 2000,
		});
		expect(response).toMatchObject({ status: 429, text: "slow down", headers: { "retry-after": "3" } });
		expect(server.chatRequests[0]?.headers["content-type"]).toBe("application/json");
	});

	it("maps a refused connection to NetworkError", async () => {
		const url = await deadUrl();
		expect(await http.request({ url, method: "GET", timeoutMs: 2000 }).catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
	});

	it("applies our own timeout, since requestUrl has none", async () => {
		server = await startFakeLlmServer({ script: () => ({ kind: "hang" }) });
		const began = Date.now();
		const error = await http
			.request({ url: `${server.url}/api/chat`, method: "POST", body: '{"model":"test-model"}', timeoutMs: 150 })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TimeoutError);
		expect(Date.now() - began).toBeLessThan(1500);
	});

	it("rejects at once when the signal aborts", async () => {
		server = await startFakeLlmServer({ script: () => ({ kind: "hang" }) });
		const controller = new AbortController();
		setTimeout(() => controller.abort(new Error("stop")), 50);
		const error = await http
			.request({
				url: `${server.url}/api/chat`,
				method: "POST",
				body: '{"model":"test-model"}',
				timeoutMs: 5000,
				signal: controller.signal,
			})
			.catch((e: unknown) => e);
		expect(error).toEqual(new Error("stop"));
	});

	it("carries the Ollama client end to end (preflight, retry of a 500, reply)", async () => {
		server = await startFakeLlmServer();
		server.enqueue({ kind: "status", status: 500 }, { kind: "reply", content: "hello" });
		const client = createLlmClient(
			{ provider: "ollama", url: server.url, model: "test-model", retryMinDelayMs: 1, retryRandomize: false },
			http,
		)!;
		await client.preflight();
		expect((await client.chat([{ role: "user", content: "hi" }])).content).toBe("hello");
		expect(server.chatRequests).toHaveLength(2);
	});
});
