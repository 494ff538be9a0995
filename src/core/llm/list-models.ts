import * as z from "../model/zod";
import type { HttpClient } from "../ports/http";
import { HttpStatusError, NetworkError, TimeoutError } from "../retry/errors";
import { callJson } from "./json-call";

/**
 * "Test connection" (the plugin's settings; usable by any host): asks the server for its models and says, in one
 * word, what is wrong when it cannot. Ollama: `GET /api/tags`; OpenAI-compatible: `GET /v1/models` with the key.
 */
export type ModelListOutcome =
	| { ok: true; models: string[] }
	/** unreachable: nothing answers at the address; timeout: it did not answer in time; auth: the key was refused;
	 * not-llm: something answered, but not a model list (a wrong address or port); http: another HTTP status. */
	| { ok: false; problem: "unreachable" | "timeout" | "auth" | "not-llm" | "http"; status?: number; detail: string };

const TagsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({ models: z.array(z.looseObject({ name: z.optional(z.string()), model: z.optional(z.string()) })) }),
);
const ModelsSchema = /* @__PURE__ */ z.lazySchema(() => z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) }));

export interface ListModelsRequest {
	provider: "ollama" | "openai";
	url: string;
	apiKey?: string;
	timeoutMs?: number;
}

export async function listModels(http: HttpClient, request: ListModelsRequest): Promise<ModelListOutcome> {
	const base = request.url.trim().replace(/\/+$/, "");
	const key = request.apiKey?.trim() || undefined;
	const timeoutMs = request.timeoutMs ?? 10_000;
	try {
		if (request.provider === "ollama") {
			const { value } = await callJson({
				http,
				method: "GET",
				url: `${base}/api/tags`,
				what: "ollama /api/tags",
				timeoutMs,
				schema: TagsSchema(),
			});
			const names = value.models.flatMap((m) => [m.name ?? m.model].filter((n): n is string => typeof n === "string"));
			return { ok: true, models: [...new Set(names)].sort() };
		}
		const v1 = /\/v1$/.test(base) ? base : `${base}/v1`;
		const { value } = await callJson({
			http,
			method: "GET",
			url: `${v1}/models`,
			what: "openai /v1/models",
			timeoutMs,
			schema: ModelsSchema(),
			...(key ? { headers: { authorization: `Bearer ${key}` }, secret: key } : {}),
		});
		return { ok: true, models: [...new Set(value.data.map((m) => m.id))].sort() };
	} catch (error) {
		const detail = error instanceof Error ? error.message : String(error);
		if (error instanceof TimeoutError) return { ok: false, problem: "timeout", detail };
		if (error instanceof NetworkError) return { ok: false, problem: "unreachable", detail };
		if (error instanceof HttpStatusError) {
			if (error.status === 401 || error.status === 403) return { ok: false, problem: "auth", status: error.status, detail };
			if (error.status === 404) return { ok: false, problem: "not-llm", status: error.status, detail };
			return { ok: false, problem: "http", status: error.status, detail };
		}
		return { ok: false, problem: "not-llm", detail };
	}
}
