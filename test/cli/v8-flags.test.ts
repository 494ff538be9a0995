/**
 * The CLI's V8 flags and the code caches (src/cli/v8-flags.ts): V8 refuses a code cache made under other flags than
 * its own, for Node's built-ins (cached when Node was built, under the defaults) as for the CLI's scripts. The flags
 * the launcher sets first thing must stay outside that check; the interrupt budget is inside it, so it is armed once
 * the run's code is loaded, and disarmed back to V8's exact default before a cache is made.
 */
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { armPreviewTiering, armTiering, disarmTiering, setCliV8Flags, SHORT_IMPORT_BYTES, TIERING_DEFAULT } from "../../src/cli/v8-flags";
import { cacheUnderNowFlags, refused } from "./code-cache-check";

/** Made before this file changes any flag: under the flags the process started with (V8's defaults). */
const PRISTINE = cacheUnderNowFlags();

afterEach(() => disarmTiering());

describe("the CLI's V8 flags and code caches", () => {
	it("a cache made under V8's defaults is taken after the launcher's flags are set (they are outside V8's check)", () => {
		setCliV8Flags();
		expect(refused(PRISTINE)).toBe(false);
	});

	it("armed, the interrupt budget makes V8 refuse such a cache; disarmed (V8's default value), V8 takes it again", () => {
		expect(refused(PRISTINE)).toBe(false);
		armTiering();
		expect(refused(PRISTINE)).toBe(true);
		disarmTiering();
		expect(refused(PRISTINE)).toBe(false);
	});

	it("a short import (inputs under SHORT_IMPORT_BYTES) gets a larger budget than a long one, or one of unknown size", () => {
		const budget = (flag: string): number => Number(/^--interrupt-budget=(\d+)$/.exec(flag)?.[1]);
		const short = armTiering(SHORT_IMPORT_BYTES - 1);
		const long = armTiering(SHORT_IMPORT_BYTES);
		expect(budget(short)).toBeGreaterThan(budget(long));
		expect(budget(long)).toBeGreaterThan(budget(TIERING_DEFAULT));
		expect(armTiering()).toBe(long);
		expect(armTiering(0)).toBe(short);
		// Either is outside V8's defaults: a cache made under them is refused while armed.
		expect(refused(PRISTINE)).toBe(true);
	});

	it("an organize preview's budget is armed the same way: larger than a long import's, refused by a pristine cache until disarmed", () => {
		const budget = (flag: string): number => Number(/^--interrupt-budget=(\d+)$/.exec(flag)?.[1]);
		expect(budget(armPreviewTiering())).toBeGreaterThan(budget(armTiering()));
		armPreviewTiering();
		expect(refused(PRISTINE)).toBe(true);
		disarmTiering();
		expect(refused(PRISTINE)).toBe(false);
	});

	it("an import's arming (its size known) also turns V8's pretenuring off, and disarming undoes both", () => {
		armTiering();
		const command = cacheUnderNowFlags();
		// The same budget as armTiering() gives: only the pretenuring flag makes V8 refuse the cache.
		armTiering(SHORT_IMPORT_BYTES);
		expect(refused(command)).toBe(true);
		disarmTiering();
		expect(refused(PRISTINE)).toBe(false);
	});

	it("disarming sets the value this Node's V8 has by default (`node --v8-options`)", () => {
		const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
		const dflt = /\n\s*--interrupt-budget \([^\n]*\n\s*type: int\s+default: (--interrupt-budget=\d+)/.exec(options)?.[1];
		expect(dflt).toBe(TIERING_DEFAULT);
	});

	it("a cache made while armed is refused once disarmed: the build's warm-up disarms before it saves", () => {
		armTiering();
		const made = cacheUnderNowFlags();
		expect(refused(made)).toBe(false);
		disarmTiering();
		expect(refused(made)).toBe(true);
	});
});
