import type * as z from "../model/zod";
import type { HttpClient, HttpMethod } from "../ports/http";
import { EmptyResponseError, HttpStatusError, ValidationError, parseRetryAfter } from "../retry/errors";

/** One HTTP exchange with a JSON reply, mapped onto the retry helper's error classes. */

const SNIPPET_CHARS = 300;
const BODY_KEEP_CHARS = 2_000;

/** Replaces every occurrence of `secret` (when non-empty) with "***". */
export function redact(text: string, secret: string | undefined): string {
	if (!secret) return text;
	return text.split(secret).join("***");
}

export function snippet(text: string, max = SNIPPET_CHARS): string {
	const flat = text.replace(/\s+/g, " ").trim();
	return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export interface JsonCall<S extends z.ZodMiniType> {
	http: HttpClient;
	method: HttpMethod;
	url: string;
	/** Short name for messages, e.g. "ollama /api/chat". */
	what: string;
	body?: unknown;
	headers?: Record<string, string>;
	timeoutMs: number;
	signal?: AbortSignal;
	schema: S;
	/** Removed from every message and kept body. */
	secret?: string;
}

/**
 * Sends the request; non-2xx → HttpStatusError (with Retry-After and the body, truncated and redacted);
 * an empty body → EmptyResponseError; a body that is not JSON or not of `schema`'s shape → ValidationError. Transport errors pass through.
 */
export async function callJson<S extends z.ZodMiniType>(call: JsonCall<S>): Promise<{ value: z.infer<S>; text: string }> {
	const headers: Record<string, string> = { accept: "application/json", ...call.headers };
	if (call.body !== undefined) headers["content-type"] = "application/json";
	const response = await call.http.request({
		url: call.url,
		method: call.method,
		headers,
		...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
		timeoutMs: call.timeoutMs,
		...(call.signal ? { signal: call.signal } : {}),
	});
	const text = redact(response.text, call.secret);
	if (response.status < 200 || response.status > 299) {
		const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
		throw new HttpStatusError(response.status, `${call.what}: HTTP ${response.status}${text.trim() ? `: ${snippet(text)}` : ""}`, {
			...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
			body: text.slice(0, BODY_KEEP_CHARS),
		});
	}
	if (text.trim() === "") throw new EmptyResponseError(`${call.what}: empty body`);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new ValidationError(`${call.what}: the reply is not JSON: ${snippet(text)}`);
	}
	const checked = call.schema.safeParse(json);
	if (!checked.success) {
		const issues = checked.error.issues
			.slice(0, 3)
			.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
			.join("; ");
		throw new ValidationError(`${call.what}: unexpected reply shape (${issues}): ${snippet(text)}`);
	}
	return { value: checked.data, text };
}
