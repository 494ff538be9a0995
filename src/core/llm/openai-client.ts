import * as z from "../model/zod";
import type { HttpClient } from "../ports/http";
import type { Logger } from "../ports/logger";
import { EmptyResponseError, HttpStatusError, NetworkError, TimeoutError } from "../retry/errors";
import { withRetry } from "../retry/with-retry";
import { LlmUnavailableError } from "./errors";
import { callJson, redact, snippet } from "./json-call";
import type { ChatMessage, ChatOptions, ChatReply, LlmClient } from "./llm-client";
import { baseUrl, chatRetryOptions, type LlmConfig } from "./llm-config";
import { ollamaModelMatches } from "./ollama-client";

const CompletionSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		choices: z
			.array(z.looseObject({ message: z.looseObject({ content: z.nullish(z.string()) }), finish_reason: z.nullish(z.string()) }))
			.check(z.minLength(1)),
		usage: z.nullish(z.looseObject({ prompt_tokens: z.optional(z.number()), completion_tokens: z.optional(z.number()) })),
	}),
);

const ModelsSchema = /* @__PURE__ */ z.lazySchema(() => z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) }));

/**
 * Any OpenAI-compatible server (LM Studio, llama.cpp server, vLLM, hosted APIs): `POST /v1/chat/completions`,
 * `GET /v1/models` for the preflight. The API key goes in `Authorization: Bearer`, and is redacted from every
 * message and kept body.
 */
export class OpenAiClient implements LlmClient {
	readonly label: string;
	readonly model: string;
	readonly settings: string;
	private readonly v1: string;
	private readonly apiKey: string | undefined;

	constructor(
		private readonly config: LlmConfig,
		private readonly http: HttpClient,
		private readonly logger?: Logger,
	) {
		const base = baseUrl(config);
		this.v1 = /\/v1$/.test(base) ? base : `${base}/v1`;
		this.model = config.model;
		this.settings = `temperature=${config.temperature};max_tokens=${config.numPredict > 0 ? config.numPredict : "none"}`;
		this.label = `openai ${this.v1}`;
		this.apiKey = config.apiKey && config.apiKey.trim() !== "" ? config.apiKey.trim() : undefined;
	}

	private headers(): Record<string, string> {
		return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
	}

	private clean(text: string): string {
		return redact(text, this.apiKey);
	}

	async preflight(): Promise<void> {
		if (this.model === "")
			throw new LlmUnavailableError("No model is set for the OpenAI-compatible server. Choose a model in the settings (or --model).");
		let ids: string[];
		try {
			const { value } = await callJson({
				http: this.http,
				method: "GET",
				url: `${this.v1}/models`,
				what: "openai /v1/models",
				headers: this.headers(),
				timeoutMs: this.config.preflightTimeoutSeconds * 1000,
				schema: ModelsSchema(),
				...(this.apiKey ? { secret: this.apiKey } : {}),
			});
			ids = value.data.map((m) => m.id);
		} catch (error) {
			const reason = this.clean(error instanceof Error ? error.message : String(error));
			if (error instanceof NetworkError || error instanceof TimeoutError) {
				throw new LlmUnavailableError(`Cannot reach the LLM server at ${this.v1} (${reason}). Start the server, or check the URL.`, {
					cause: error,
				});
			}
			if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
				throw new LlmUnavailableError(`The LLM server at ${this.v1} refused the request (HTTP ${error.status}). Check the API key.`, {
					cause: error,
				});
			}
			throw new LlmUnavailableError(
				`The LLM server at ${this.v1} did not answer the model list as expected (${reason}). Check the URL (an OpenAI-compatible API) and the API key.`,
				{ cause: error },
			);
		}
		// Exact id, or `name` for `name:latest` (Ollama's own OpenAI-compatible endpoint lists tags).
		if (!ids.some((id) => id === this.model || ollamaModelMatches(this.model, id))) {
			const shown = ids
				.slice(0, 10)
				.map((id) => `"${id}"`)
				.join(", ");
			throw new LlmUnavailableError(
				`Model "${this.model}" is not offered by the LLM server at ${this.v1}${ids.length > 0 ? ` (available: ${shown}${ids.length > 10 ? ", …" : ""})` : " (it lists no models)"}. Load or download the model on the server, or choose one it offers.`,
			);
		}
	}

	async chat(messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatReply> {
		const body: Record<string, unknown> = { model: this.model, messages, temperature: this.config.temperature, stream: false };
		if (this.config.numPredict > 0) body.max_tokens = this.config.numPredict;
		return withRetry(
			async () => {
				const { value, text } = await callJson({
					http: this.http,
					method: "POST",
					url: `${this.v1}/chat/completions`,
					what: "openai /v1/chat/completions",
					body,
					headers: this.headers(),
					timeoutMs: this.config.timeoutSeconds * 1000,
					...(opts.signal ? { signal: opts.signal } : {}),
					schema: CompletionSchema(),
					...(this.apiKey ? { secret: this.apiKey } : {}),
				});
				const choice = value.choices[0];
				const content = choice?.message.content ?? "";
				if (content.trim() === "") {
					throw new EmptyResponseError(
						`openai /v1/chat/completions: empty reply from ${this.model}${choice?.finish_reason ? ` (finish_reason ${choice.finish_reason})` : ""}: ${snippet(text, 200)}`,
					);
				}
				return {
					content,
					...(value.usage?.prompt_tokens !== undefined ? { promptTokens: value.usage.prompt_tokens } : {}),
					...(value.usage?.completion_tokens !== undefined ? { completionTokens: value.usage.completion_tokens } : {}),
				};
			},
			chatRetryOptions(this.config, `openai chat ${this.model}`, opts.signal, this.logger),
		);
	}
}
