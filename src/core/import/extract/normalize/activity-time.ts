/**
 * The time line of a Google Takeout activity record in HTML (MyActivity.html), in the language of the account.
 *
 * Takeout writes each record's time as a medium date and a long time in the account's language, for example
 * `Mar 2, 2025, 10:14:05 AM CET` (English), `02.03.2025, 10:14:05 MEZ` (German), `2 mars 2025, 10:14:05 UTC+1`
 * (French), `2025/03/02 18:14:05 JST` (Japanese), `2025年3月2日 GMT+8 17:14:05` (Chinese), `2 мар. 2025 г.,
 * 12:14:05 GMT+3` (Russian). Public parsers read only the English form. The shapes here are the CLDR medium date +
 * long time patterns (the ones `Intl.DateTimeFormat` gives with `dateStyle: "medium", timeStyle: "long"`), which
 * is what Google's own formatting follows; a line is taken as a time only when every part of it is understood (a
 * year, a month, a day, hh:mm:ss, an optional zone and day-period marker, and a few joining words), so a prompt
 * that merely mentions a date is not one.
 *
 * Also read: Korean hours written `오후 6시 14분 5초`, Thai `16 นาฬิกา 14 นาที 05 วินาที` with a Buddhist-era year
 * (2568 = 2025), digits in Arabic-Indic, Persian, Devanagari and Bengali script, the Arabic day-period letters `ص`/`م`
 * and `غرينتش+2` for GMT+2. Not read: dates in the Solar Hijri calendar (a Persian account's `۱۲ اسفند ۱۴۰۳`), or
 * any year before 1990: such a record's time stays unknown (the record is still kept, grouped by its neighbours).
 */

/** Zone abbreviations Takeout labels times with, as offsets in minutes (names not here are read as UTC). */
const ZONES: Record<string, number> = {
	UTC: 0,
	GMT: 0,
	WET: 0,
	WEST: 60,
	BST: 60,
	CET: 60,
	CEST: 120,
	EET: 120,
	EEST: 180,
	MSK: 180,
	IST: 330,
	SGT: 480,
	HKT: 480,
	JST: 540,
	KST: 540,
	AEST: 600,
	AEDT: 660,
	NZST: 720,
	NZDT: 780,
	WIB: 420,
	WITA: 480,
	WIT: 540,
	EST: -300,
	EDT: -240,
	CST: -360,
	CDT: -300,
	MST: -420,
	MDT: -360,
	PST: -480,
	PDT: -420,
	AKST: -540,
	AKDT: -480,
	HST: -600,
	BRT: -180,
	ART: -180,
	// German, Czech, Slovak, Polish and Scandinavian names of the European zones.
	MEZ: 60,
	MESZ: 120,
	OEZ: 120,
	OESZ: 180,
	WEZ: 0,
	WESZ: 60,
	SEČ: 60,
	SELČ: 120,
};

/** Words that join a date's parts in some languages (`2 de mar. de 2025`, `2 мар. 2025 г.`, `2.3.2025 klo 11.14.05`). */
const JOINING_WORDS = new Set(["de", "del", "г", "р", "klo", "kl", "um", "à", "às", "a", "las", "thg", "den", "o"]);

const PM_MARKERS = new Set(["pm", "p.m.", "午後", "오후", "下午", "م"]);
const AM_MARKERS = new Set(["am", "a.m.", "午前", "오전", "上午", "ص"]);
const MARKER = /(?:^|[\s,،])(a\.m\.|p\.m\.|am|pm|ص|م)(?=$|[\s,،])|(午前|午後|오전|오후|上午|下午)/i;

const ZONE = /\[?(?:(?:GMT|UTC|غرينتش|گرینویچ)\s?([+-])(\d{1,2})(?::?(\d{2}))?|\b(GMT|UTC)\b|(?<![\p{L}])(\p{Lu}{2,5})(?![\p{L}]))\]?/u;
const TIME = /(?<![\d.:])(\d{1,2})([:.])(\d{2})\2(\d{2})(?![\d])/;

/** Languages whose month names are learned (from Intl, in the forms a date uses and the stand-alone ones). */
const MONTH_LOCALES = [
	"en",
	"de",
	"fr",
	"es",
	"it",
	"pt",
	"nl",
	"sv",
	"da",
	"nb",
	"fi",
	"pl",
	"cs",
	"sk",
	"ru",
	"uk",
	"tr",
	"id",
	"ms",
	"hu",
	"ro",
	"ca",
	"el",
	"hi",
	"ja",
	"zh",
	"ko",
	"th",
	"vi",
	"he",
	"ar",
	"ur",
	"bn",
];
let monthNames: Map<string, number> | null = null;

function monthKey(word: string): string {
	return word.toLowerCase().replace(/\.$/, "");
}

/** Month name (lower case, no final dot) → month index, in every language above; names two months share are left out. */
function months(): Map<string, number> {
	if (monthNames) return monthNames;
	const found = new Map<string, number>();
	const clash = new Set<string>();
	const add = (word: string, month: number): void => {
		const key = monthKey(word);
		if (!/\p{L}/u.test(key)) return;
		const known = found.get(key);
		if (known !== undefined && known !== month) clash.add(key);
		else found.set(key, month);
	};
	for (const locale of MONTH_LOCALES) {
		const formats: Intl.DateTimeFormatOptions[] = [
			{ month: "short", day: "numeric", year: "numeric", timeZone: "UTC" },
			{ month: "long", day: "numeric", year: "numeric", timeZone: "UTC" },
			{ month: "short", timeZone: "UTC" },
			{ month: "long", timeZone: "UTC" },
		];
		for (const options of formats) {
			let format: Intl.DateTimeFormat;
			try {
				format = new Intl.DateTimeFormat(locale, options);
			} catch {
				continue; // a runtime without this language's data
			}
			for (let m = 0; m < 12; m++) {
				let before = "";
				for (const part of format.formatToParts(new Date(Date.UTC(2025, m, 2)))) {
					if (part.type === "month") {
						for (const word of part.value.split(/\s+/)) add(word, m);
						// A letter the date joins to the month's name (Hebrew `2 במרץ 2025`: "in March").
						const joined = /\p{L}+$/u.exec(before)?.[0];
						if (joined) add(joined + part.value, m);
					}
					before = part.value;
				}
			}
		}
	}
	for (const key of clash) found.delete(key);
	monthNames = found;
	return found;
}

/** A Takeout activity time line → ISO 8601 (UTC), or null when the line is not such a time. See the module comment. */
export function parseActivityTime(line: string): string | null {
	let text = asciiDigits(line)
		.replace(/[\u00a0\u202f\u2009]/g, " ")
		.replace(/[\u200e\u200f\u061c]/g, "")
		.replace(/\u2212/g, "-")
		.replace(SPELLED_TIME, (_all, h: string, m: string, s: string) => `${h}:${m.padStart(2, "0")}:${s.padStart(2, "0")}`)
		.trim();
	// Thai dates count years from the Buddha's (543 BC).
	const buddhistEra = /\p{Script=Thai}/u.test(text);
	const time = TIME.exec(text);
	if (!time) return null;
	let hour = Number(time[1]);
	const minute = Number(time[3]);
	const second = Number(time[4]);
	text = `${text.slice(0, time.index)} ${text.slice(time.index + time[0].length)}`;

	const marker = MARKER.exec(text);
	if (marker) {
		const word = (marker[1] ?? marker[2]!).toLowerCase();
		if (PM_MARKERS.has(word) && hour < 12) hour += 12;
		if (AM_MARKERS.has(word) && hour === 12) hour = 0;
		text = text.replace(marker[1] ?? marker[2]!, " ");
	}

	let offset = 0;
	const zone = ZONE.exec(text);
	// Capitals that are a month (`MAR`) are no zone; a zone name we do not know is read as UTC.
	const capitalsAreMonth = zone?.[5] !== undefined && months().has(monthKey(zone[5]));
	if (zone && !capitalsAreMonth) {
		if (zone[1]) offset = (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3] ?? 0));
		else offset = ZONES[(zone[4] ?? zone[5]!).toUpperCase()] ?? 0;
		text = `${text.slice(0, zone.index)} ${text.slice(zone.index + zone[0].length)}`;
	}

	const date = readDate(text);
	if (!date) return null;
	if (buddhistEra && date.year > 2400) date.year -= 543;
	if (date.year < 1990) return null; // another calendar's year (a Solar Hijri 1403), or not a time at all
	if (hour > 23 || minute > 59 || second > 59) return null;
	const ms = Date.UTC(date.year, date.month, date.day, hour, minute, second) - offset * 60_000;
	if (Number.isNaN(ms) || new Date(Date.UTC(date.year, date.month, date.day)).getUTCDate() !== date.day) return null;
	return new Date(ms).toISOString();
}

/** Hours, minutes and seconds spelled out: Korean `6시 14분 5초`, Thai `16 นาฬิกา 14 นาที 05 วินาที`. */
const SPELLED_TIME = /(\d{1,2})\s?(?:시|นาฬิกา)\s?(\d{1,2})\s?(?:분|นาที)\s?(\d{1,2})\s?(?:초|วินาที)/u;

/** Digits of other scripts (Arabic-Indic, Persian, Devanagari, Bengali) as ASCII digits. */
function asciiDigits(text: string): string {
	return text.replace(/[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef]/g, (d) => {
		const c = d.charCodeAt(0);
		const zero = c <= 0x0669 ? 0x0660 : c <= 0x06f9 ? 0x06f0 : c <= 0x096f ? 0x0966 : 0x09e6;
		return String(c - zero);
	});
}

/** The date of what is left of a time line: a year of four digits, a month (by name or number) and a day. */
function readDate(text: string): { year: number; month: number; day: number } | null {
	// A word may hold dots between its letters (Thai `มี.ค.`).
	const tokens = text.match(/\d+|[\p{L}\p{M}]+(?:\.[\p{L}\p{M}]+)*\.?/gu) ?? [];
	let year: number | null = null;
	let yearAt = -1;
	let month: number | null = null;
	const numbers: number[] = [];
	let numbersBeforeYear = 0;
	for (const token of tokens) {
		if (/^\d+$/.test(token)) {
			if (token.length === 4 && year === null) {
				year = Number(token);
				yearAt = numbers.length;
				numbersBeforeYear = numbers.length;
			} else if (token.length <= 2) numbers.push(Number(token));
			else return null;
			continue;
		}
		const key = monthKey(token);
		// CJK dates write 年 / 月 / 日 after the numbers.
		if (/^[年月日]+$/.test(key)) continue;
		const named = months().get(key);
		if (named !== undefined && month === null) month = named;
		else if (!JOINING_WORDS.has(key)) return null;
	}
	if (year === null) return null;
	let day: number | undefined;
	if (month !== null) {
		if (numbers.length !== 1) return null;
		day = numbers[0];
	} else {
		if (numbers.length !== 2) return null;
		// Year first (2025/03/02, 2025年3月2日, 2025. 3. 2.): month then day; else day then month (02.03.2025).
		const yearFirst = yearAt === 0 && numbersBeforeYear === 0;
		month = (yearFirst ? numbers[0]! : numbers[1]!) - 1;
		day = yearFirst ? numbers[1] : numbers[0];
	}
	if (day === undefined || day < 1 || day > 31 || month < 0 || month > 11) return null;
	return { year, month, day };
}
