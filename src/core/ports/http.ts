/**
 * HTTP port. Implementations: src/cli/node-http-client.ts (Node's fetch) and
 * src/plugin/request-url-http-client.ts (Obsidian's requestUrl, which is not subject to CORS).
 *
 * Contract:
 * - Any status, 2xx or not, is returned as a response; the caller decides what it means.
 * - Transport failures throw `NetworkError` (refused, reset, DNS, ...) and our own timeout throws `TimeoutError`
 *   (both from src/core/retry/errors.ts), so the retry helper can tell them apart.
 * - An aborted `signal` rejects with the signal's reason (not a NetworkError: an abort must not be retried).
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "PATCH";

export interface HttpRequest {
	url: string;
	method: HttpMethod;
	headers?: Record<string, string>;
	body?: string;
	/** Our own timeout for the whole exchange, body included. */
	timeoutMs: number;
	signal?: AbortSignal;
}

export interface HttpResponse {
	status: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	text: string;
}

export interface HttpClient {
	request(request: HttpRequest): Promise<HttpResponse>;
}
