// The CLI's vault and staging store use synchronous node:fs inside async signatures (see vault-paths.ts). A run made
// of them never lets the event loop turn: in one-thread mode (KNOWLEDGE_ETL_HEAP_MB=0) Ctrl-C's handler (main.ts)
// waited until the whole organize run had ended, and a worker thread's messages waited the same way.

/** How long synchronous I/O may keep the event loop from turning. */
export const TURN_EVERY_MS = 20;

let lastTurn = Date.now();

/**
 * Lets the event loop turn once (signal handlers, messages, timers) when TURN_EVERY_MS have gone by since it last
 * did here; otherwise resolves at once. Costs one clock read per call.
 */
export function eventLoopTurn(): Promise<void> {
	const now = Date.now();
	if (now - lastTurn < TURN_EVERY_MS) return Promise.resolve();
	return new Promise((resolve) =>
		setImmediate(() => {
			lastTurn = Date.now();
			resolve();
		}),
	);
}
