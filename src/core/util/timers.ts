/**
 * Timers for the core, which runs both in Obsidian (a window) and on Node (no `window`): the global timer
 * functions exist in both, so they are taken once here, unbound (called with no `this`, which both accept).
 */
const startTimer: (callback: () => void, ms: number) => unknown = setTimeout;
const stopTimer: (handle: never) => void = clearTimeout;

/** The signal's abort reason as an Error. */
export function abortError(signal: AbortSignal): Error {
	const reason: unknown = signal.reason;
	if (reason instanceof Error) return reason;
	const error = new Error(typeof reason === "string" ? reason : "Aborted");
	error.name = "AbortError";
	return error;
}

/** Waits `ms`; rejects promptly with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortError(signal));
			return;
		}
		const onAbort = (): void => {
			stopTimer(handle as never);
			if (signal) reject(abortError(signal));
		};
		const handle = startTimer(
			() => {
				signal?.removeEventListener("abort", onAbort);
				resolve();
			},
			Math.max(0, ms),
		);
		signal?.addEventListener("abort", onAbort, { once: true });
	});
}

/** Lets the event loop run (UI paints, input, I/O callbacks) between items of a long loop. */
export function yieldToEventLoop(): Promise<void> {
	return new Promise((resolve) => {
		startTimer(resolve, 0);
	});
}

const startRepeat: (callback: () => void, ms: number) => unknown = setInterval;
const stopRepeat: (handle: never) => void = clearInterval;

/**
 * Calls `fn` every `ms` until the returned function is called. On Node the timer does not keep the process alive
 * (a heartbeat must never hold a finished CLI run open).
 */
export function every(ms: number, fn: () => void): () => void {
	const handle = startRepeat(fn, ms);
	(handle as { unref?: () => void } | null)?.unref?.();
	return () => stopRepeat(handle as never);
}
