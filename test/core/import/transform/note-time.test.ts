import { describe, expect, it } from "vitest";
import { formatTime, isoTime, sinceInstant, zonedIsoTime } from "../../../../src/core/import/transform/note-time";

/** The definitions, through Date (what the string shortcut must agree with). */
const viaDate = {
	isoTime(value: string): string {
		const date = new Date(value);
		return Number.isNaN(date.getTime()) ? value : date.toISOString();
	},
	formatTimeUtc(value: string): string | null {
		const date = new Date(value);
		return Number.isNaN(date.getTime()) ? null : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
	},
};

const EDGE = [
	"2024-05-01T10:22:00.000Z",
	"2024-05-01T10:22:59.999Z",
	"2024-05-01T10:22:00Z",
	"2024-05-01T10:22:00.5Z",
	"2024-05-01T10:22:00.123456Z",
	"2024-05-01T10:22:00.000+00:00",
	"2024-05-01T10:22:00.000+09:00",
	"2024-05-01T10:22:00.000",
	"2024-05-01T10:22Z",
	"2024-05-01",
	"2024-05-01 10:22:00Z",
	"2024-02-29T00:00:00.000Z",
	"2023-02-29T00:00:00.000Z",
	"1900-02-29T00:00:00.000Z",
	"2000-02-29T00:00:00.000Z",
	"2025-02-30T00:00:00.000Z",
	"2025-04-31T12:00:00.000Z",
	"2025-12-31T23:59:59.999Z",
	"2025-13-01T00:00:00.000Z",
	"2025-00-10T00:00:00.000Z",
	"2025-01-00T00:00:00.000Z",
	"2025-01-32T00:00:00.000Z",
	"2025-01-01T24:00:00.000Z",
	"2025-01-01T23:60:00.000Z",
	"2025-01-01T23:59:60.000Z",
	"0000-01-01T00:00:00.000Z",
	"9999-12-31T23:59:59.999Z",
	"+010000-01-01T00:00:00.000Z",
	"-000001-01-01T00:00:00.000Z",
	"2025-01-01t00:00:00.000z",
	"2024-05-01T10:22:00.12aZ",
	"2024-05-01T10:22:00,000Z",
	"2024-05-01X10:22:00.000Z",
	"2024/05/01T10:22:00.000Z",
	"2024-05-01T10-22:00.000Z",
	"2024-05-01T10:22:0a.000Z",
	"2024-05-01T10:22:00.000ZZ",
	"2024-5-01T10:22:00.000Z",
	"\uff12\uff10\uff12\uff14-05-01T10:22:00.000Z",
	"",
	"not a date",
	"1714558920",
];

describe("isoTime and formatTime (UTC) read toISOString-form times off the string, as Date would", () => {
	it.each(EDGE.map((v) => [v]))("%j", (value) => {
		expect(isoTime(value)).toBe(viaDate.isoTime(value));
		expect(formatTime(value, "UTC")).toBe(viaDate.formatTimeUtc(value));
	});

	it("agree with Date over random instants from year 0 to 9999, with and without milliseconds", () => {
		let seed = 42;
		const random = (): number => {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			return seed / 4294967296;
		};
		const min = Date.parse("0000-01-01T00:00:00.000Z");
		const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
		for (let i = 0; i < 5000; i++) {
			const iso = new Date(min + Math.floor(random() * (max - min))).toISOString();
			for (const value of [iso, iso.replace(/\.\d{3}Z$/, "Z")]) {
				expect(isoTime(value), value).toBe(viaDate.isoTime(value));
				expect(formatTime(value, "UTC"), value).toBe(viaDate.formatTimeUtc(value));
			}
		}
	});

	it("formats other time zones (formatter reused across calls)", () => {
		expect(formatTime("2024-05-01T10:22:00.000Z", "Asia/Tokyo")).toBe("2024-05-01 19:22");
		expect(formatTime("2024-05-01T23:22:00.000Z", "Asia/Tokyo")).toBe("2024-05-02 08:22");
		expect(formatTime("2024-01-15T12:00:00.000Z", "America/New_York")).toBe("2024-01-15 07:00");
		expect(formatTime("garbage", "Asia/Tokyo")).toBeNull();
		expect(() => formatTime("2024-05-01T10:22:00.000Z", "Not/AZone")).toThrow(RangeError);
	});
});

describe("zonedIsoTime (frontmatter created/updated)", () => {
	it.each([
		["2025-03-10T05:22:05.123Z", "UTC", "2025-03-10T05:22:05+00:00"],
		["2025-03-10T05:22:05Z", "UTC", "2025-03-10T05:22:05+00:00"],
		["2025-03-10T05:22:05.123+09:00", "UTC", "2025-03-09T20:22:05+00:00"],
		["2025-03-10T05:22:05.123Z", "Asia/Tokyo", "2025-03-10T14:22:05+09:00"],
		["2025-03-10T05:22:05.999Z", "America/New_York", "2025-03-10T01:22:05-04:00"],
		["2025-01-10T05:22:05Z", "America/New_York", "2025-01-10T00:22:05-05:00"],
		["2025-07-10T05:22:05Z", "Asia/Kathmandu", "2025-07-10T11:07:05+05:45"],
		["2024-12-31T23:59:59.999Z", "Pacific/Kiritimati", "2025-01-01T13:59:59+14:00"],
		["not a date", "Asia/Tokyo", "not a date"],
		["", "UTC", ""],
	])("%s in %s → %s", (value, zone, expected) => {
		expect(zonedIsoTime(value, zone)).toBe(expected);
	});

	it("is the same instant (to the second) in every zone", () => {
		for (const zone of ["UTC", "Europe/London", "Australia/Lord_Howe", "America/St_Johns"]) {
			for (const value of ["2024-03-31T00:59:59.500Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"]) {
				expect(Date.parse(zonedIsoTime(value, zone))).toBe(Math.floor(Date.parse(value) / 1000) * 1000);
			}
		}
	});
});

describe("sinceInstant (--since)", () => {
	it.each([
		["2025-03-10", "UTC", "2025-03-10T00:00:00.000Z"],
		["2025-03-10", "Asia/Tokyo", "2025-03-09T15:00:00.000Z"],
		["2025-03-10T09:30", "Asia/Tokyo", "2025-03-10T00:30:00.000Z"],
		["2025-03-09T03:30", "America/New_York", "2025-03-09T07:30:00.000Z"],
		["2025-03-10T09:30:00Z", "Asia/Tokyo", "2025-03-10T09:30:00.000Z"],
		["2025-03-10T09:30:00+02:00", "UTC", "2025-03-10T07:30:00.000Z"],
		[" 2025-03-10 ", "UTC", "2025-03-10T00:00:00.000Z"],
	])("%s in %s → %s", (value, zone, expected) => {
		expect(sinceInstant(value, zone)).toBe(expected);
	});

	it.each(["", "yesterday", "2025-02-30", "2025-13-01", "10/03/2025", "1741564800"])("refuses %j", (value) => {
		expect(sinceInstant(value, "UTC")).toBeNull();
	});
});
