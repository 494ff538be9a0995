import pRetry from "p-retry";
import type { Logger } from "../ports/logger";
import { sleep } from "../util/timers";
import { HttpStatusError, isRetryableError } from "./errors";

export interface RetryOptions {
	/** Retries after the first attempt (default 3, so at most 4 attempts). */
	retries?: number;
	/** First backoff delay (default 1000 ms). */
	minTimeoutMs?: number;
	/** Longest backoff delay (default 30000 ms). A Retry-After may ask for longer; see maxRetryAfterMs. */
	maxTimeoutMs?: number;
	/** Backoff growth per attempt (default 2). */
	factor?: number;
	/** Jitter: multiply each delay by a random factor in [1, 2) (default true). */
	randomize?: boolean;
	/** A Retry-After longer than this is not waited for: the error is thrown instead (default 5 minutes). */
	maxRetryAfterMs?: number;
	/** Aborting rejects at once, also during a wait, with the signal's reason. */
	signal?: AbortSignal;
	/** Each failed attempt is reported with logger.warn (attempt number, delay or why not retried). */
	logger?: Logger;
	/** Names the call in log lines (e.g. "ollama chat"). */
	label?: string;
}

/** The backoff before retry number `retry` (1-based), without Retry-After. */
export function backoffDelay(
	retry: number,
	opts: { minTimeoutMs: number; maxTimeoutMs: number; factor: number; randomize: boolean },
	random = Math.random,
): number {
	const jitter = opts.randomize ? 1 + random() : 1;
	return Math.min(Math.round(jitter * opts.minTimeoutMs * opts.factor ** (retry - 1)), opts.maxTimeoutMs);
}

/**
 * Runs `fn` and retries it on transient failures (see isRetryableError): NetworkError, TimeoutError,
 * EmptyResponseError, HTTP 429 (waiting at least its Retry-After) and 5xx; exponential backoff with jitter.
 * Any other error — other 4xx, ValidationError, and unknown error types — is thrown at once.
 * After the last retry the last error is thrown as is.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
	const retries = options.retries ?? 3;
	const backoff = {
		minTimeoutMs: options.minTimeoutMs ?? 1000,
		maxTimeoutMs: options.maxTimeoutMs ?? 30_000,
		factor: options.factor ?? 2,
		randomize: options.randomize ?? true,
	};
	const maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
	const label = options.label ?? "call";
	const signal = options.signal;
	// Decided in onFailedAttempt (which p-retry awaits first), acted on in shouldRetry.
	let nextDelay: number | null = null;

	return pRetry(fn, {
		retries,
		// p-retry's own wait is switched off: we wait in shouldRetry, so that Retry-After and the logged delay agree.
		minTimeout: 0,
		maxTimeout: 0,
		randomize: false,
		...(signal ? { signal } : {}),
		onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
			const message = error.message;
			const context: Record<string, unknown> = { label, attempt: attemptNumber, error: message };
			if (error instanceof HttpStatusError) context.status = error.status;
			nextDelay = null;
			if (!isRetryableError(error)) {
				options.logger?.warn(`${label}: attempt ${attemptNumber} failed, not retried: ${message}`, context);
				return;
			}
			if (retriesLeft <= 0) {
				options.logger?.warn(`${label}: attempt ${attemptNumber} failed, giving up after ${attemptNumber} attempts: ${message}`, context);
				return;
			}
			let delay = backoffDelay(attemptNumber, backoff);
			const retryAfter = error instanceof HttpStatusError ? error.retryAfterMs : undefined;
			if (retryAfter !== undefined) {
				if (retryAfter > maxRetryAfterMs) {
					options.logger?.warn(
						`${label}: attempt ${attemptNumber} failed, Retry-After ${retryAfter} ms is too long, giving up: ${message}`,
						context,
					);
					return;
				}
				delay = Math.max(delay, retryAfter);
			}
			nextDelay = delay;
			options.logger?.warn(`${label}: attempt ${attemptNumber} failed, retrying in ${delay} ms: ${message}`, {
				...context,
				delay_ms: delay,
			});
		},
		shouldRetry: async () => {
			if (nextDelay === null) return false;
			await sleep(nextDelay, signal);
			return true;
		},
	});
}
