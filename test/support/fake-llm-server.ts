import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server on 127.0.0.1 that speaks enough of Ollama (`/api/chat`, `/api/tags`) and the OpenAI API
 * (`/v1/chat/completions`, `/v1/models`) for the LLM tests and the benchmark. Chat requests are scripted: a
 * queue of behaviours is used first, then `script(request)`, then the default reply generator. It records every
 * request and the maximum number of chat calls in flight at once.
 */

export type Behaviour =
	/** A normal reply with this content (default: the reply generator's), after an optional latency. */
	| { kind: "reply"; content?: string; latencyMs?: number }
	/** An HTTP status with a body (JSON error by default) and headers, e.g. 500, or 429 with Retry-After. */
	| { kind: "status"; status: number; body?: string; headers?: Record<string, string>; latencyMs?: number }
	/** Never answers (the socket stays open until the client gives up or the server closes). */
	| { kind: "hang" }
	/** 200 with an empty body. */
	| { kind: "empty-body"; latencyMs?: number }
	/** 200 with this exact body (garbage or truncated JSON). */
	| { kind: "raw"; body: string; status?: number; latencyMs?: number }
	/** Drops the connection without an answer. */
	| { kind: "reset" };

export type Protocol = "ollama" | "openai";

export interface RecordedRequest {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: string;
	json?: unknown;
	protocol?: Protocol;
	/** ms since the server started. */
	at: number;
}

export interface ChatRequestInfo {
	protocol: Protocol;
	model: string;
	messages: { role: string; content: string }[];
	/** 1-based count of chat requests so far, this one included. */
	n: number;
	request: RecordedRequest;
}

export interface FakeLlmServerOptions {
	/** Models the list endpoints offer (default ["test-model:latest"]). */
	models?: string[];
	/** Latency for replies without their own (default 0). */
	latencyMs?: number;
	/** Scripted behaviour per chat request; undefined = default reply. Used after the queue is empty. */
	script?: (info: ChatRequestInfo) => Behaviour | undefined;
	/** The default reply content (default: defaultKnowledgeReply). */
	reply?: (info: ChatRequestInfo) => string;
	/** Behaviour of `/api/tags` and `/v1/models` (default: the model list). */
	listBehaviour?: Behaviour;
	/** When set, `/v1/*` requests need `Authorization: Bearer <apiKey>` (401 otherwise). */
	apiKey?: string;
}

/** A knowledge reply in the prompt's format that echoes enough of the transcript to pass the review ratio. */
export function defaultKnowledgeReply(info: ChatRequestInfo): string {
	const user = info.messages.find((m) => m.role === "user")?.content ?? "";
	const title = /^Conversation title: (.*)$/m.exec(user)?.[1] ?? "Untitled";
	const start = user.indexOf("--- Conversation ---");
	const end = user.indexOf("--- End of conversation ---");
	const transcript = start >= 0 && end > start ? user.slice(start + 20, end).trim() : user;
	const excerpt = transcript.slice(0, Math.max(200, Math.ceil(transcript.length * 0.3)));
	const quoted = excerpt
		.split("\n")
		.map((l) => `> ${l}`)
		.join("\n");
	return `## Title\n${title} notes\n\n## Summary\nWhat was learned in "${title}".\n\n## Tags\ntest, fake-llm\n\n## Content\n### Key points\n${quoted}\n`;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
		req.on("error", reject);
	});
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
	const body = JSON.stringify(value);
	res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
	res.end(body);
}

export class FakeLlmServer {
	readonly requests: RecordedRequest[] = [];
	/** Chat calls being answered right now, and the most there ever were. */
	inFlight = 0;
	maxInFlight = 0;
	private readonly queue: Behaviour[] = [];
	private chatCount = 0;
	private readonly started = Date.now();
	url = "";

	constructor(
		private readonly server: Server,
		readonly options: FakeLlmServerOptions,
	) {}

	/** Behaviours for the next chat requests, in order. */
	enqueue(...behaviours: Behaviour[]): this {
		this.queue.push(...behaviours);
		return this;
	}

	get chatRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.path === "/api/chat" || r.path === "/v1/chat/completions");
	}

	resetStats(): void {
		this.requests.length = 0;
		this.maxInFlight = this.inFlight;
	}

	async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await readBody(req);
		const path = (req.url ?? "/").split("?")[0] ?? "/";
		const record: RecordedRequest = { method: req.method ?? "GET", path, headers: req.headers, body, at: Date.now() - this.started };
		try {
			if (body !== "") record.json = JSON.parse(body) as unknown;
		} catch {
			// recorded as text only
		}
		this.requests.push(record);

		const isOpenAi = path.startsWith("/v1/");
		if (isOpenAi && this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
			sendJson(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error" } });
			return;
		}
		const models = this.options.models ?? ["test-model:latest"];
		if (req.method === "GET" && (path === "/api/tags" || path === "/v1/models")) {
			record.protocol = isOpenAi ? "openai" : "ollama";
			if (this.options.listBehaviour) {
				await this.perform(this.options.listBehaviour, res, () => "");
				return;
			}
			if (isOpenAi) sendJson(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", owned_by: "fake" })) });
			else sendJson(res, 200, { models: models.map((name) => ({ name, model: name, size: 1 })) });
			return;
		}
		if (req.method === "POST" && (path === "/api/chat" || path === "/v1/chat/completions")) {
			const protocol: Protocol = isOpenAi ? "openai" : "ollama";
			record.protocol = protocol;
			const json = (record.json ?? {}) as { model?: string; messages?: { role: string; content: string }[] };
			const info: ChatRequestInfo = {
				protocol,
				model: json.model ?? "",
				messages: json.messages ?? [],
				n: ++this.chatCount,
				request: record,
			};
			this.inFlight++;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			let done = false;
			const finish = (): void => {
				if (!done) {
					done = true;
					this.inFlight--;
				}
			};
			res.on("close", finish);
			const known = models.some((m) => m === info.model || m === `${info.model}:latest`);
			if (!known) {
				if (protocol === "ollama") sendJson(res, 404, { error: `model '${info.model}' not found, try pulling it first` });
				else sendJson(res, 404, { error: { message: `The model \`${info.model}\` does not exist`, type: "invalid_request_error" } });
				return;
			}
			const behaviour = this.queue.shift() ?? this.options.script?.(info) ?? { kind: "reply" };
			const reply = this.options.reply ?? defaultKnowledgeReply;
			await this.perform(behaviour, res, () => reply(info), info);
			return;
		}
		sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
	}

	private async perform(b: Behaviour, res: ServerResponse, content: () => string, info?: ChatRequestInfo): Promise<void> {
		const latency = "latencyMs" in b && b.latencyMs !== undefined ? b.latencyMs : (this.options.latencyMs ?? 0);
		if (b.kind !== "hang" && b.kind !== "reset" && latency > 0) await sleep(latency);
		switch (b.kind) {
			case "hang":
				return;
			case "reset":
				res.socket?.destroy();
				return;
			case "empty-body":
				res.writeHead(200, { "content-type": "application/json", "content-length": 0 });
				res.end();
				return;
			case "raw":
				res.writeHead(b.status ?? 200, { "content-type": "application/json" });
				res.end(b.body);
				return;
			case "status": {
				const body = b.body ?? JSON.stringify({ error: `fake status ${b.status}` });
				res.writeHead(b.status, { "content-type": "application/json", ...b.headers });
				res.end(body);
				return;
			}
			case "reply": {
				const text = b.content ?? content();
				if (info?.protocol === "openai") {
					sendJson(res, 200, {
						id: `chatcmpl-${info.n}`,
						object: "chat.completion",
						model: info.model,
						choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
						usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
					});
				} else {
					sendJson(res, 200, {
						model: info?.model ?? "",
						created_at: new Date().toISOString(),
						message: { role: "assistant", content: text },
						done: true,
						done_reason: "stop",
						prompt_eval_count: 10,
						eval_count: 5,
					});
				}
				return;
			}
		}
	}

	/** Stops listening and ends every open connection, hanging ones included. */
	async close(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
	let fake: FakeLlmServer | undefined;
	const server = createServer((req, res) => {
		fake?.handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) sendJson(res, 500, { error: String(error) });
			else res.destroy();
		});
	});
	fake = new FakeLlmServer(server, options);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	fake.url = `http://127.0.0.1:${port}`;
	return fake;
}

/** A loopback URL where nothing listens (a server started and closed again). */
export async function deadUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}
