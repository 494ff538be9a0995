import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHttpClient } from "../../src/cli/node-http-client";
import { NetworkError, TimeoutError } from "../../src/core/retry/errors";
import { deadUrl } from "../support/fake-llm-server";

let server: Server | undefined;
afterEach(async () => {
	if (server) {
		const s = server;
		await new Promise<void>((resolve) => {
			s.close(() => resolve());
			s.closeAllConnections();
		});
	}
	server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
	server = createServer(handler);
	await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const http = new NodeHttpClient();

describe("NodeHttpClient", () => {
	it("sends method, headers and body; returns status, lower-case headers and text", async () => {
		let seen: { method?: string; type?: string; body: string } = { body: "" };
		const url = await serve((req, res) => {
			let body = "";
			req.on("data", (c: Buffer) => (body += c.toString()));
			req.on("end", () => {
				seen = { method: req.method, type: req.headers["content-type"], body };
				res.writeHead(201, { "X-Thing": "yes" });
				res.end("créé");
			});
		});
		const response = await http.request({
			url,
			method: "POST",
			headers: { "content-type": "application/json" },
			body: '{"a":1}',
			timeoutMs: 2000,
		});
		expect(response.status).toBe(201);
		expect(response.headers["x-thing"]).toBe("yes");
		expect(response.text).toBe("créé");
		expect(seen).toEqual({ method: "POST", type: "application/json", body: '{"a":1}' });
	});

	it("returns non-2xx statuses instead of throwing", async () => {
		const url = await serve((_req, res) => {
			res.writeHead(503, { "retry-after": "7" });
			res.end("busy");
		});
		expect(await http.request({ url, method: "GET", timeoutMs: 2000 })).toMatchObject({
			status: 503,
			text: "busy",
			headers: { "retry-after": "7" },
		});
	});

	it("throws NetworkError when nothing listens", async () => {
		const url = await deadUrl();
		const error = await http.request({ url, method: "GET", timeoutMs: 2000 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NetworkError);
		expect((error as Error).message).toContain("ECONNREFUSED");
	});

	it("throws NetworkError when the connection is reset", async () => {
		const url = await serve((req) => req.socket.destroy());
		expect(await http.request({ url, method: "GET", timeoutMs: 2000 }).catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
	});

	it("throws TimeoutError after timeoutMs, also when the body is slow", async () => {
		const url = await serve((req, res) => {
			if (req.url === "/slow-body") {
				res.writeHead(200);
				res.write("partial");
			}
			// never ends
		});
		for (const path of ["/hang", "/slow-body"]) {
			const began = Date.now();
			const error = await http.request({ url: url + path, method: "GET", timeoutMs: 150 }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TimeoutError);
			expect(Date.now() - began).toBeLessThan(1500);
		}
	});

	it("rejects with the signal's reason when aborted, not a NetworkError", async () => {
		const url = await serve(() => undefined);
		const controller = new AbortController();
		setTimeout(() => controller.abort(new Error("stop")), 50);
		const error = await http.request({ url, method: "GET", timeoutMs: 5000, signal: controller.signal }).catch((e: unknown) => e);
		expect(error).toEqual(new Error("stop"));
		expect(error).not.toBeInstanceOf(NetworkError);
	});
});
