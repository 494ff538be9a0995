/** Time, injected so that tests control it. */
export interface Clock {
	/** Wall-clock time. */
	now(): Date;
	/**
	 * `now().getTime()` without a Date (optional: callers fall back to now()). The stage runner reads the time several
	 * times per item and stage; each Date was an allocation of the import's hot path.
	 */
	nowMs?(): number;
}

export const systemClock: Clock = { now: () => new Date(), nowMs: () => Date.now() };

/** The clock's time in ms, without a Date where the clock can tell it so. */
export function clockMs(clock: Clock): () => number {
	return clock.nowMs ? clock.nowMs.bind(clock) : () => clock.now().getTime();
}
