import type { Clock } from "../../../src/core/ports/clock";

/** A clock that only moves when told. */
export class FakeClock implements Clock {
	private ms: number;
	constructor(start: Date | number = new Date(2026, 0, 24, 16, 45, 49)) {
		this.ms = typeof start === "number" ? start : start.getTime();
	}
	now(): Date {
		return new Date(this.ms);
	}
	advance(ms: number): void {
		this.ms += ms;
	}
	set(date: Date): void {
		this.ms = date.getTime();
	}
}
