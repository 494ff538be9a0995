import { requestUrl, type RequestUrlParam, type RequestUrlResponse } from "obsidian";
import type { HttpClient, HttpRequest, HttpResponse } from "../core/app/types";
import { NetworkError, TimeoutError } from "../core/app/ports";

/**
 * The HTTP port inside Obsidian: `requestUrl`, which is not subject to CORS (Ollama rejects `fetch` from the
 * app origin). `throw: false` returns every status to us. requestUrl has no timeout and no abort, so both are
 * raced against it: a timed-out or aborted request is abandoned (it may still finish in the background).
 */

export type RequestUrlFn = (request: RequestUrlParam) => Promise<RequestUrlResponse>;

function safeText(response: RequestUrlResponse): string {
	try {
		return response.text ?? "";
	} catch {
		return "";
	}
}

/**
 * Obsidian's requestUrl. Its promise also carries `.json`, `.text` and `.arrayBuffer` promises; we read the
 * response object instead, so those are given a handler: a non-JSON body or a failed request must not surface
 * as an unhandled rejection.
 */
function sendWithRequestUrl(request: RequestUrlParam): Promise<RequestUrlResponse> {
	const pending = requestUrl(request);
	void pending.json.catch(() => undefined);
	void pending.text.catch(() => undefined);
	void pending.arrayBuffer.catch(() => undefined);
	return pending;
}

export class RequestUrlHttpClient implements HttpClient {
	/** `send` is replaceable for tests; it defaults to Obsidian's requestUrl. */
	constructor(private readonly send: RequestUrlFn = sendWithRequestUrl) {}

	async request(request: HttpRequest): Promise<HttpResponse> {
		request.signal?.throwIfAborted();
		const headers = { ...request.headers };
		const contentTypeKey = Object.keys(headers).find((k) => k.toLowerCase() === "content-type");
		const contentType = contentTypeKey ? headers[contentTypeKey] : undefined;
		if (contentTypeKey) delete headers[contentTypeKey];
		const param: RequestUrlParam = {
			url: request.url,
			method: request.method,
			headers,
			throw: false,
			...(request.body !== undefined ? { body: request.body } : {}),
			...(contentType ? { contentType } : {}),
		};

		let timer: number | undefined;
		let onAbort: (() => void) | undefined;
		const guards = new Promise<never>((_, reject) => {
			timer = window.setTimeout(() => {
				reject(new TimeoutError(`${request.method} ${request.url} timed out after ${request.timeoutMs} ms`));
			}, request.timeoutMs);
			const signal = request.signal;
			if (signal) {
				onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("Aborted"));
				signal.addEventListener("abort", onAbort, { once: true });
			}
		});
		const sent = (async (): Promise<HttpResponse> => {
			let response: RequestUrlResponse;
			try {
				response = await this.send(param);
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				throw new NetworkError(`${request.method} ${request.url} failed: ${reason}`, { cause: error });
			}
			const out: Record<string, string> = {};
			for (const [name, value] of Object.entries(response.headers ?? {})) out[name.toLowerCase()] = String(value);
			return { status: response.status, headers: out, text: safeText(response) };
		})();
		try {
			return await Promise.race([sent, guards]);
		} finally {
			window.clearTimeout(timer);
			if (onAbort) request.signal?.removeEventListener("abort", onAbort);
			// The losing side of the race must not surface as an unhandled rejection.
			sent.catch(() => undefined);
			guards.catch(() => undefined);
		}
	}
}
