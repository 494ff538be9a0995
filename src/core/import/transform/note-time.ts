/**
 * Times as notes show them. Exports give ISO 8601 strings, nearly always already in `toISOString` form
 * (`2024-05-01T10:22:00.000Z`, what the normalizers write); for those the answer is read off the string, which is
 * several times cheaper than a `Date` round trip. Anything else (other offsets, other precisions, out-of-range
 * fields that `Date` would roll over, such as Feb 30) goes through `Date`, as before.
 */

/** `YYYY-MM-DDTHH:mm:ss(.sss)Z`, the fields captured. */
const UTC_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * 1 when `value` is a UTC ISO time with every field in range (so `new Date(value).toISOString()` gives the same
 * fields back), 2 when it is moreover exactly `toISOString` form (milliseconds present); 0 otherwise.
 */
function utcIsoKind(value: string): 0 | 1 | 2 {
	const m = UTC_ISO.exec(value);
	if (!m) return 0;
	const year = Number(m[1]);
	const month = Number(m[2]);
	const day = Number(m[3]);
	if (month < 1 || month > 12 || day < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return 0;
	const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return 0;
	return m[7] === undefined ? 1 : 2;
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
