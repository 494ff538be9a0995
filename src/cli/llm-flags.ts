import type { ImportLlmOptions, LlmClient, Logger } from "../core/app/types";
import { createLlmClient } from "../core/app/services";
import { parseNonNegativeInt } from "./args";
import { NodeHttpClient } from "./node-http-client";
import { UsageError } from "./errors";

/** The LLM flags shared by `import` (knowledge notes) and `organize` (genre classification). */
export const LLM_OPTIONS = {
	llm: { type: "string" },
	"llm-url": { type: "string" },
	model: { type: "string" },
	"api-key-env": { type: "string" },
	timeout: { type: "string" },
	retries: { type: "string" },
} as const;

export type LlmFlagValues = {
	llm?: string | undefined;
	"llm-url"?: string | undefined;
	model?: string | undefined;
	"api-key-env"?: string | undefined;
	concurrency?: string | undefined;
	"output-language"?: string | undefined;
	"context-chars"?: string | undefined;
	"too-large"?: string | undefined;
	"no-transcript"?: boolean | undefined;
	timeout?: string | undefined;
	retries?: string | undefined;
};

/** The LLM options of a new run from the flags, or undefined without `--llm` (or with `--llm none`). */
export function parseLlmFlags(values: LlmFlagValues): ImportLlmOptions | undefined {
	const provider = values.llm;
	if (provider === undefined || provider === "none") return undefined;
	if (provider !== "ollama" && provider !== "openai") throw new UsageError(`--llm must be none, ollama or openai, not "${provider}"`);
	const model = values.model?.trim();
	if (!model) throw new UsageError(`--llm ${provider} needs --model NAME (e.g. --model gpt-oss:20b)`);
	const tooLarge = values["too-large"] ?? "split";
	if (tooLarge !== "split" && tooLarge !== "skip") throw new UsageError(`--too-large must be split or skip, not "${tooLarge}"`);
	return {
		provider,
		...(values["llm-url"] !== undefined ? { url: values["llm-url"] } : {}),
		model,
		language: values["output-language"]?.trim() || "auto",
		contextChars: Math.max(1000, parseNonNegativeInt("context-chars", values["context-chars"], 24_000)),
		onTooLarge: tooLarge,
		includeTranscript: values["no-transcript"] !== true,
		concurrency: Math.min(64, Math.max(1, parseNonNegativeInt("concurrency", values.concurrency, 1))),
	};
}

/** A client for the LLM options (new or recorded); the key only ever from the environment variable named. */
export function llmClientFor(
	fresh: ImportLlmOptions | undefined,
	recorded: ImportLlmOptions | undefined,
	values: LlmFlagValues,
	logger: Logger,
): LlmClient | undefined {
	const llm = fresh ?? recorded;
	if (!llm) return undefined;
	const keyVar = values["api-key-env"];
	let apiKey: string | undefined;
	if (keyVar !== undefined) {
		apiKey = process.env[keyVar];
		if (!apiKey) throw new UsageError(`--api-key-env ${keyVar}: that environment variable is empty or not set`);
	}
	return createLlmClient(
		{
			provider: llm.provider,
			...(llm.url !== undefined ? { url: llm.url } : {}),
			model: llm.model,
			...(apiKey !== undefined ? { apiKey } : {}),
			timeoutSeconds: Math.max(1, parseNonNegativeInt("timeout", values.timeout, 300)),
			retries: parseNonNegativeInt("retries", values.retries, 3),
		},
		new NodeHttpClient(),
		logger,
	);
}
