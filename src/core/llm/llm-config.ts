import * as z from "zod";
import type { Logger } from "../ports/logger";
import type { RetryOptions } from "../retry/with-retry";

/**
 * Everything a client needs to talk to one LLM server. Built by the caller from the user settings
 * (src/core/config/settings.ts `llm`) and CLI flags; the API key comes from plugin data or an environment
 * variable, never from the command line, and is never logged.
 */
export const LlmConfigSchema = z.object({
	provider: z.enum(["none", "ollama", "openai"]).default("none"),
	/** Base URL; default per provider. For OpenAI-compatible servers a trailing `/v1` is optional. */
	url: z.string().trim().min(1).optional(),
	model: z.string().trim().default(""),
	/** Empty or absent = no Authorization header. */
	apiKey: z.string().optional(),
	/** Our own timeout for one call (the reference used 300 s for knowledge extraction). */
	timeoutSeconds: z.number().positive().max(3600).default(300),
	/** Timeout for the preflight check. */
	preflightTimeoutSeconds: z.number().positive().max(600).default(10),
	/** Retries after the first attempt. */
	retries: z.number().int().min(0).max(10).default(3),
	retryMinDelayMs: z.number().int().min(0).default(1000),
	retryMaxDelayMs: z.number().int().min(0).default(30_000),
	retryRandomize: z.boolean().default(true),
	temperature: z.number().min(0).max(2).default(0.2),
	/** Ollama context size in tokens. */
	numCtx: z.number().int().min(512).default(65_536),
	/** Maximum reply tokens; -1 = unlimited (Ollama). For OpenAI it is sent as max_tokens when positive. */
	numPredict: z.number().int().min(-1).default(-1),
	/** Ollama keep_alive: how long the model stays loaded after a call (so it stays loaded for the run). */
	keepAlive: z.string().trim().min(1).default("30m"),
});
export type LlmConfig = z.infer<typeof LlmConfigSchema>;
export type LlmConfigInput = z.input<typeof LlmConfigSchema>;

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
