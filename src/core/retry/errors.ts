/** Errors that network calls raise so that the retry helper can tell transient from permanent failures. */

/** An HTTP reply with a non-2xx status. 429 and 5xx are retried; any other status is not. */
export class HttpStatusError extends Error {
	override readonly name = "HttpStatusError";
	/** From a Retry-After header (see parseRetryAfter), when the server sent one. */
	readonly retryAfterMs: number | undefined;
	/** The reply body (possibly truncated by the caller), for the logs. */
	readonly body: string | undefined;

	constructor(
		readonly status: number,
		message: string,
		options: { retryAfterMs?: number; body?: string } = {},
	) {
		super(message);
		this.retryAfterMs = options.retryAfterMs;
		this.body = options.body;
	}
}

/** The call took longer than our own timeout. Retried. */
export class TimeoutError extends Error {
	override readonly name = "TimeoutError";
	constructor(message = "Request timed out", options?: { cause?: unknown }) {
		super(message, options);
	}
}

/** Connection refused or reset, DNS failure, and the like. Retried. */
export class NetworkError extends Error {
	override readonly name = "NetworkError";
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
	}
}

/** The server answered, but with nothing in it (e.g. an LLM's empty reply). Retried. */
export class EmptyResponseError extends Error {
	override readonly name = "EmptyResponseError";
	constructor(message = "Empty response", options?: { cause?: unknown }) {
		super(message, options);
	}
}

/** The reply (or our input) is wrong in a way that another attempt will not fix. Never retried. */
export class ValidationError extends Error {
	override readonly name = "ValidationError";
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
	}
}

/**
 * Whether another attempt may succeed. Only the error types above are known to be transient; anything else
 * (a bug, a TypeError, an unknown library error) aborts at once: retrying a bug only multiplies it.
 */
export function isRetryableError(error: unknown): boolean {
	if (error instanceof NetworkError || error instanceof TimeoutError || error instanceof EmptyResponseError) return true;
	if (error instanceof HttpStatusError) return error.status === 429 || (error.status >= 500 && error.status <= 599);
	return false;
}

/**
 * A Retry-After header value in ms: either delta-seconds (`120`) or an HTTP-date, relative to `now`.
 * Undefined when absent or unparsable; never negative.
 */
export function parseRetryAfter(headerValue: string | null | undefined, now: Date = new Date()): number | undefined {
	if (headerValue === null || headerValue === undefined) return undefined;
	const value = headerValue.trim();
	if (value === "") return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
	const at = Date.parse(value);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, at - now.getTime());
}
