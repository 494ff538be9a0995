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

/** The Prioritized Task Scheduling API's global, where there is one (no `window` here: core also runs on Node). */
declare const scheduler: unknown;

/**
 * In a browser (where `scheduler` exists: Chromium, Obsidian's renderer and its workers), a yield by a message to
 * ourselves: a task of ordinary priority with no delay. Not a timer chain (clamped to 4 ms a yield there, idle time
 * that was a third of a 10 ms slice, issue 17), and not `scheduler.yield()`, whose continuations go before every
 * other task: an import's stream of them starved the page's timers (the panel's redraws, other plugins). Null on
 * Node.
 */
const messageYield: (() => Promise<void>) | null = (() => {
	if (typeof scheduler === "undefined" || typeof MessageChannel === "undefined") return null;
	const channel = new MessageChannel();
	const waiting: (() => void)[] = [];
	channel.port1.onmessage = () => waiting.shift()?.();
	return () =>
		new Promise<void>((resolve) => {
			waiting.push(resolve);
			channel.port2.postMessage(null);
		});
})();

/** Lets the event loop run (UI paints, input, I/O callbacks, timers) between items of a long loop. */
export function yieldToEventLoop(): Promise<void> {
	if (messageYield) return messageYield();
	return new Promise((resolve) => {
		startTimer(resolve, 0);
	});
}

/** When the running slice of work began: after the last yield of any loop (see yieldWhenSliceOver). */
let sliceStartedAt = 0;

/**
 * Whether the work since the last yield of any loop has run `sliceMs` (yieldWhenSliceOver would yield): a loop that
 * asks first spends no promise on the steps that need no yield.
 */
export function sliceOver(sliceMs: number): boolean {
	return Date.now() - sliceStartedAt >= sliceMs;
}

/**
 * Yields (see yieldToEventLoop) once the work since the last yield of ANY caller has run `sliceMs`: loops that run
 * at the same time (the import's stages) share one budget, so that together they end the event loop's task after
 * about `sliceMs`, not each after its own (on a UI thread that made tasks several times longer: issue 17).
 */
export async function yieldWhenSliceOver(sliceMs: number): Promise<void> {
	if (!sliceOver(sliceMs)) return;
	await yieldToEventLoop();
	sliceStartedAt = Date.now();
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

/**
 * yieldWhenSliceOver in a browser (Obsidian's UI thread; see messageYield), nothing on Node:
 * for loops that read a session's logs whole at the end of a run (one task of 100–500 ms in the plugin at 2,000
 * items, issue 17), which the CLI runs as before.
 */
export function yieldWhenSliceOverOnUi(sliceMs: number): Promise<void> | null {
	return messageYield ? yieldWhenSliceOver(sliceMs) : null;
}
