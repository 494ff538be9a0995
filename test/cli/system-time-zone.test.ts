import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemTimeZone, UTC_NAMES } from "../../src/cli/import-choice-flags";

let dir = "";
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "ketl-tz-"));
});
afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

/** What ICU itself says in a process started with this TZ. */
function icuZone(tz: string): string {
	return execFileSync(process.execPath, ["-p", "Intl.DateTimeFormat().resolvedOptions().timeZone"], {
		env: { ...process.env, TZ: tz },
		encoding: "utf8",
	}).trim();
}

describe("systemTimeZone", () => {
	it("answers UTC without Intl for every name ICU itself reports as UTC", () => {
		for (const name of UTC_NAMES) {
			expect(icuZone(name), name).toBe("UTC");
			expect(systemTimeZone({ TZ: name }), name).toBe("UTC");
			expect(systemTimeZone({ TZ: `:${name}` }), name).toBe("UTC");
		}
	});

	it("reads the zone /etc/localtime links to when TZ is not set", async () => {
		const utc = join(dir, "zoneinfo", "Etc", "UTC");
		await writeFile(join(dir, "plain"), "");
		await symlink(utc, join(dir, "localtime"));
		expect(systemTimeZone({}, join(dir, "localtime"))).toBe("UTC");
		// Not a link, or no such file: Intl decides, as before (a zone it knows, or UTC).
		const viaIntl = Intl.DateTimeFormat().resolvedOptions().timeZone;
		expect(systemTimeZone({}, join(dir, "plain"))).toBe(viaIntl);
		expect(systemTimeZone({}, join(dir, "missing"))).toBe(viaIntl);
	});

	it("leaves any other name to Intl (an empty TZ is not UTC by name)", () => {
		expect(systemTimeZone({ TZ: "" }, join(dir, "missing"))).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
	});
});
