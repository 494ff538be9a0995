import type { HttpClient } from "../ports/http";
import type { Logger } from "../ports/logger";
import type { LlmClient } from "./llm-client";
import { LlmConfigSchema, type LlmConfigInput } from "./llm-config";
import { OllamaClient } from "./ollama-client";
import { OpenAiClient } from "./openai-client";

/** The client for `config.provider`, or undefined for "none" (the deterministic note stays the default). */
export function createLlmClient(config: LlmConfigInput, http: HttpClient, logger?: Logger): LlmClient | undefined {
	const parsed = LlmConfigSchema().parse(config);
	switch (parsed.provider) {
		case "none":
			return undefined;
		case "ollama":
			return new OllamaClient(parsed, http, logger);
		case "openai":
			return new OpenAiClient(parsed, http, logger);
	}
}
