import * as z from "../model/zod";
import type { Logger } from "../ports/logger";
import type { RetryOptions } from "../retry/with-retry";

/**
 * Everything a client needs to talk to one LLM server. Built by the caller from the user settings
 * (src/core/config/settings.ts `llm`) and CLI flags; the API key comes from plugin data or an environment
 * variable, never from the command line, and is never logged.
 */
export const LlmConfigSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		provider: z._default(z.enum(["none", "ollama", "openai"]), "none"),
		/** Base URL; default per provider. For OpenAI-compatible servers a trailing `/v1` is optional. */
		url: z.optional(z.string().check(z.trim(), z.minLength(1))),
		model: z._default(z.string().check(z.trim()), ""),
		/** Empty or absent = no Authorization header. */
		apiKey: z.optional(z.string()),
		/** Our own timeout for one call (the reference used 300 s for knowledge extraction). */
		timeoutSeconds: z._default(z.number().check(z.positive(), z.lte(3600)), 300),
		/** Timeout for the preflight check. */
		preflightTimeoutSeconds: z._default(z.number().check(z.positive(), z.lte(600)), 10),
		/** Retries after the first attempt. */
		retries: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 3),
		retryMinDelayMs: z._default(z.number().check(z.int(), z.gte(0)), 1000),
		retryMaxDelayMs: z._default(z.number().check(z.int(), z.gte(0)), 30_000),
		retryRandomize: z._default(z.boolean(), true),
		temperature: z._default(z.number().check(z.gte(0), z.lte(2)), 0.2),
		/** Ollama context size in tokens. */
		numCtx: z._default(z.number().check(z.int(), z.gte(512)), 65_536),
		/** Maximum reply tokens; -1 = unlimited (Ollama). For OpenAI it is sent as max_tokens when positive. */
		numPredict: z._default(z.number().check(z.int(), z.gte(-1)), -1),
		/** Ollama keep_alive: how long the model stays loaded after a call (so it stays loaded for the run). */
		keepAlive: z._default(z.string().check(z.trim(), z.minLength(1)), "30m"),
	}),
);
export type LlmConfig = z.infer<ReturnType<typeof LlmConfigSchema>>;
export type LlmConfigInput = z.input<ReturnType<typeof LlmConfigSchema>>;

export const DEFAULT_LLM_URLS = { ollama: "http://127.0.0.1:11434", openai: "http://127.0.0.1:1234/v1" } as const;

/** The base URL without a trailing slash. */
export function baseUrl(config: Pick<LlmConfig, "provider" | "url">): string {
	const fallback = config.provider === "openai" ? DEFAULT_LLM_URLS.openai : DEFAULT_LLM_URLS.ollama;
	return (config.url ?? fallback).replace(/\/+$/, "");
}

/** The retry helper's options for one chat call under this config. */
export function chatRetryOptions(config: LlmConfig, label: string, signal?: AbortSignal, logger?: Logger): RetryOptions {
	return {
		retries: config.retries,
		minTimeoutMs: config.retryMinDelayMs,
		maxTimeoutMs: config.retryMaxDelayMs,
		randomize: config.retryRandomize,
		...(signal ? { signal } : {}),
		...(logger ? { logger } : {}),
		label,
	};
}
