/** Time, injected so that tests control it. */
export interface Clock {
	/** Wall-clock time. */
	now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
