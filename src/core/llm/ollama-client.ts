import * as z from "../model/zod";
import type { HttpClient } from "../ports/http";
import type { Logger } from "../ports/logger";
import { EmptyResponseError, HttpStatusError, NetworkError, TimeoutError } from "../retry/errors";
import { withRetry } from "../retry/with-retry";
import { LlmUnavailableError } from "./errors";
import { callJson, snippet } from "./json-call";
import type { ChatMessage, ChatOptions, ChatReply, LlmClient } from "./llm-client";
import { baseUrl, chatRetryOptions, type LlmConfig } from "./llm-config";

const ChatResponseSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		message: z.looseObject({ content: z.nullish(z.string()) }),
		prompt_eval_count: z.optional(z.number()),
		eval_count: z.optional(z.number()),
		done_reason: z.optional(z.string()),
	}),
);

const TagsResponseSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		models: z.array(z.looseObject({ name: z.optional(z.string()), model: z.optional(z.string()) })),
	}),
);

/** `llama3` matches `llama3:latest`; otherwise names must be equal. */
export function ollamaModelMatches(wanted: string, available: string): boolean {
	const norm = (name: string): string => (name.includes(":") ? name : `${name}:latest`);
	return norm(wanted.trim()) === norm(available.trim());
}

function modelNotFound(error: unknown): boolean {
	return (
		error instanceof HttpStatusError && error.status === 404 && /model.*not found|not found.*model|pull/i.test(error.body ?? error.message)
	);
}

/** Ollama's native API: `POST /api/chat` with `stream: false`, `GET /api/tags` for the preflight. */
export class OllamaClient implements LlmClient {
	readonly label: string;
	readonly model: string;
	readonly settings: string;
	private readonly base: string;

	constructor(
		private readonly config: LlmConfig,
		private readonly http: HttpClient,
		private readonly logger?: Logger,
	) {
		this.base = baseUrl(config);
		this.model = config.model;
		this.settings = `temperature=${config.temperature};num_ctx=${config.numCtx};num_predict=${config.numPredict}`;
		this.label = `ollama ${this.base}`;
	}

	async preflight(): Promise<void> {
		if (this.model === "") throw new LlmUnavailableError("No model is set for Ollama. Choose a model in the settings (or --model).");
		let names: string[];
		try {
			const { value } = await callJson({
				http: this.http,
				method: "GET",
				url: `${this.base}/api/tags`,
				what: "ollama /api/tags",
				timeoutMs: this.config.preflightTimeoutSeconds * 1000,
				schema: TagsResponseSchema(),
			});
			names = value.models.flatMap((m) => [m.name, m.model].filter((n): n is string => typeof n === "string"));
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			if (error instanceof NetworkError || error instanceof TimeoutError) {
				throw new LlmUnavailableError(
					`Cannot reach Ollama at ${this.base} (${reason}). Start Ollama with "ollama serve", or check the URL.`,
					{ cause: error },
				);
			}
			throw new LlmUnavailableError(
				`Ollama at ${this.base} did not answer the model list as expected (${reason}). Check that the URL points at Ollama.`,
				{ cause: error },
			);
		}
		if (!names.some((name) => ollamaModelMatches(this.model, name))) {
			throw new LlmUnavailableError(
				`Model "${this.model}" is not available in Ollama at ${this.base}. Pull the model with "ollama pull ${this.model}".`,
			);
		}
	}

	async chat(messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatReply> {
		const body = {
			model: this.model,
			messages,
			stream: false,
			keep_alive: this.config.keepAlive,
			options: { num_ctx: this.config.numCtx, temperature: this.config.temperature, num_predict: this.config.numPredict },
		};
		return withRetry(
			async () => {
				try {
					const { value, text } = await callJson({
						http: this.http,
						method: "POST",
						url: `${this.base}/api/chat`,
						what: "ollama /api/chat",
						body,
						timeoutMs: this.config.timeoutSeconds * 1000,
						...(opts.signal ? { signal: opts.signal } : {}),
						schema: ChatResponseSchema(),
					});
					const content = value.message.content ?? "";
					if (content.trim() === "") {
						throw new EmptyResponseError(
							`ollama /api/chat: empty reply from ${this.model}${value.done_reason ? ` (done_reason ${value.done_reason})` : ""}: ${snippet(text, 200)}`,
						);
					}
					return {
						content,
						...(value.prompt_eval_count !== undefined ? { promptTokens: value.prompt_eval_count } : {}),
						...(value.eval_count !== undefined ? { completionTokens: value.eval_count } : {}),
					};
				} catch (error) {
					if (modelNotFound(error)) {
						throw new LlmUnavailableError(
							`Model "${this.model}" is not available in Ollama at ${this.base}. Pull the model with "ollama pull ${this.model}".`,
							{ cause: error },
						);
					}
					throw error;
				}
			},
			chatRetryOptions(this.config, `ollama chat ${this.model}`, opts.signal, this.logger),
		);
	}
}
