/**
 * Times as notes show them. Exports give ISO 8601 strings, nearly always already in `toISOString` form
 * (`2024-05-01T10:22:00.000Z`, what the normalizers write); for those the answer is read off the string, which is
 * several times cheaper than a `Date` round trip. Anything else (other offsets, other precisions, out-of-range
 * fields that `Date` would roll over, such as Feb 30) goes through `Date`, as before.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the ASCII digits `value[at..at+count)`, or -1 when one of them is not a digit. */
function digits(value: string, at: number, count: number): number {
	let n = 0;
	for (let i = at; i < at + count; i++) {
		const d = value.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return -1;
		n = n * 10 + d;
	}
	return n;
}

/**
 * For `YYYY-MM-DDTHH:mm:ssZ` or `YYYY-MM-DDTHH:mm:ss.sssZ` with every field in range (so `new Date(value)
 * .toISOString()` gives the same fields back): 2 when it has the milliseconds (exactly `toISOString` form), else 1.
 * 0 for anything else. Read with char codes, not a regex: it runs once per message.
 */
function utcIsoKind(value: string): 0 | 1 | 2 {
	const n = value.length;
	if (n !== 20 && n !== 24) return 0;
	if (value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":") return 0;
	if (value[n - 1] !== "Z" || (n === 24 && (value[19] !== "." || digits(value, 20, 3) < 0))) return 0;
	const year = digits(value, 0, 4);
	const month = digits(value, 5, 2);
	const day = digits(value, 8, 2);
	const hour = digits(value, 11, 2);
	const minute = digits(value, 14, 2);
	const second = digits(value, 17, 2);
	if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return 0;
	if (minute < 0 || minute > 59 || second < 0 || second > 59) return 0;
	// Every remainder computed and compared on every call: one computed only for February dates had no type feedback
	// when V8 optimized this function, which it then threw away on the first one (a deopt and a second compile).
	const by4 = year % 4 === 0;
	const by100 = year % 100 === 0;
	const by400 = year % 400 === 0;
	const leap = month === 2 && by4 && (!by100 || by400);
	if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return 0;
	return n === 24 ? 2 : 1;
}

/** ISO 8601 in UTC (`toISOString`) when parseable; otherwise the string as the export gave it. */
export function isoTime(value: string): string {
	if (utcIsoKind(value) === 2) return value;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** `YYYY-MM-DD HH:mm` in `timeZone` (with ` UTC` appended for UTC); null when unparseable. */
export function formatTime(value: string, timeZone: string): string | null {
	if (timeZone === "UTC" && utcIsoKind(value) !== 0) return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
	const date = new Date(value);
	if (Number.isNaN(date.getTime())) return null;
	if (timeZone === "UTC") return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
	const parts = zoneFormat(timeZone).formatToParts(date);
	const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
	return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
	let format = ZONE_FORMATS.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat("en-CA", {
			timeZone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			minute: "2-digit",
			hourCycle: "h23",
		});
		ZONE_FORMATS.set(timeZone, format);
	}
	return format;
}

/**
 * A frontmatter time: `YYYY-MM-DDTHH:mm:ss±HH:MM`, the wall-clock time in `timeZone` with its offset there (`+00:00`
 * for UTC, never `Z`), to the second. Obsidian's Properties view reads this as a date-time (a `Z` suffix or
 * milliseconds it does not), and the offset keeps the instant exact whatever the reader's own zone. Unparseable
 * values are returned as the export gave them.
 */
export function zonedIsoTime(value: string, timeZone: string): string {
	if (timeZone === "UTC" && utcIsoKind(value) !== 0) return `${value.slice(0, 19)}+00:00`;
	const date = new Date(value);
	const ms = date.getTime();
	// Outside years 1–9999 a frontmatter date-time cannot say it (and the zone's calendar may disagree): as given.
	if (Number.isNaN(ms) || ms < YEAR_1_MS || ms >= YEAR_10000_MS) return value;
	if (timeZone === "UTC") return `${date.toISOString().slice(0, 19)}+00:00`;
	const parts = zoneSecondsFormat(timeZone).formatToParts(date);
	const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
	const year = get("year");
	// The wall clock read as if it were UTC, minus the instant: the zone's offset there (whole seconds dropped).
	const wall = Date.UTC(year, get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
	const offsetMinutes = Math.round((wall - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
	const sign = offsetMinutes < 0 ? "-" : "+";
	const abs = Math.abs(offsetMinutes);
	const two = (n: number): string => String(n).padStart(2, "0");
	return `${String(year).padStart(4, "0")}-${two(get("month"))}-${two(get("day"))}T${two(get("hour"))}:${two(get("minute"))}:${two(get("second"))}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** 0001-01-02 and 9999-12-30 (UTC): a day inside the range each side, so that no zone's offset takes a time out of it. */
const YEAR_1_MS = Date.parse("0001-01-02T00:00:00Z");
const YEAR_10000_MS = Date.UTC(9999, 11, 30);

const ZONE_SECONDS_FORMATS = new Map<string, Intl.DateTimeFormat>();

function zoneSecondsFormat(timeZone: string): Intl.DateTimeFormat {
	let format = ZONE_SECONDS_FORMATS.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat("en-US", {
			timeZone,
			year: "numeric",
			month: "numeric",
			day: "numeric",
			hour: "numeric",
			minute: "numeric",
			second: "numeric",
			hourCycle: "h23",
		});
		ZONE_SECONDS_FORMATS.set(timeZone, format);
	}
	return format;
}

/** True when `timeZone` is a time zone this runtime knows (an IANA name such as `Asia/Tokyo`, or `UTC`). */
export function isKnownTimeZone(timeZone: string): boolean {
	try {
		new Intl.DateTimeFormat("en-US", { timeZone });
		return true;
	} catch {
		return false;
	}
}

/**
 * The instant a `--since` value means, as `toISOString`: a day (`2025-03-10`) is its first moment in `timeZone`; a
 * date-time with an offset or `Z` is that instant; one without is read in `timeZone`. Null when it is none of these.
 */
export function sinceInstant(value: string, timeZone: string): string | null {
	const text = value.trim();
	const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
	if (local) {
		const [, y, mo, d, h, mi, s] = local;
		const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
		const check = new Date(wall);
		if (Number.isNaN(wall) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
		// The zone's offset near that wall time, then once more at the instant found (right across a DST change).
		let instant = wall - offsetMs(wall, timeZone);
		instant = wall - offsetMs(instant, timeZone);
		return new Date(instant).toISOString();
	}
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) return null;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The offset of `timeZone` from UTC at the instant `ms`, in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
	const zoned = zonedIsoTime(new Date(ms).toISOString(), timeZone);
	const m = /([+-])(\d{2}):(\d{2})$/.exec(zoned);
	if (!m) return 0;
	return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}
