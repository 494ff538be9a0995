// Whether V8 takes a code cache under the V8 flags as they are now (for tests of src/cli/v8-flags.ts).
import * as vm from "node:vm";

let serial = 0;

/** A script source of its own, always of one length (V8's cache check compares lengths, not texts). */
function freshSource(): string {
	return `(function () { return ${String(++serial).padStart(8, "0")} + Math.max(1, 2); })`;
}

/** A cache made under the flags as they are now. */
export function cacheUnderNowFlags(): Buffer {
	return new vm.Script(freshSource()).createCachedData();
}

/**
 * Whether V8 refuses `data` for a script seen for the first time: another source of the same length, so that V8's
 * per-isolate compilation cache (which would answer for a source it compiled already) does not hide the check.
 */
export function refused(data: Buffer): boolean | undefined {
	return new vm.Script(freshSource(), { cachedData: data }).cachedDataRejected;
}
