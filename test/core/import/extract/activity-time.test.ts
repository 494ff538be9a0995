import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chunksOf } from "../../../../src/core/import/extract/json-array-stream";
import { parseActivityTime } from "../../../../src/core/import/extract/normalize/activity-time";
import { splitActivityHtml } from "../../../../src/core/import/extract/normalize/gemini";

/**
 * Takeout writes an activity's time in the account's language. The lines below are the CLDR medium-date + long-time
 * shapes (as Intl.DateTimeFormat gives them, which is what Google's formatting follows) for 2 March 2025, 09:14:05 UTC
 * in each language's usual zone; no public Takeout sample in these languages was found to copy the exact bytes from.
 */
const INSTANT = "2025-03-02T09:14:05.000Z";

describe("parseActivityTime: a Takeout time line in the account's language", () => {
	it.each([
		["en-US", "Mar 2, 2025, 10:14:05\u202fAM CET"],
		["en-US (zone as GMT+1)", "Mar 2, 2025, 10:14:05 AM GMT+1"],
		["en-GB", "2 Mar 2025, 09:14:05 GMT"],
		["de", "02.03.2025, 10:14:05 MEZ"],
		["fr", "2 mars 2025, 10:14:05 UTC+1"],
		["es", "2 mar 2025, 10:14:05 CET"],
		["it", "2 mar 2025, 10:14:05 CET"],
		["pt-BR", "2 de mar. de 2025, 06:14:05 BRT"],
		["nl", "2 mrt 2025, 10:14:05 CET"],
		["ja", "2025/03/02 18:14:05 JST"],
		["zh-CN", "2025年3月2日 GMT+8 17:14:05"],
		["zh-TW", "2025年3月2日 下午5:14:05 [GMT+8]"],
		["ru", "2 мар. 2025 г., 12:14:05 GMT+3"],
		["uk", "2 бер. 2025 р., 11:14:05 GMT+2"],
		["pl", "2 mar 2025, 10:14:05 CET"],
		["tr", "2 Mar 2025 12:14:05 GMT+3"],
		["sv", "2 mars 2025 10:14:05 CET"],
		["da", "2. mar. 2025, 10.14.05 CET"],
		["fi", "2.3.2025 klo 11.14.05 UTC+2"],
		["cs", "2. 3. 2025 10:14:05 SEČ"],
		["id", "2 Mar 2025, 16.14.05 WIB"],
		["hi", "2 मार्च 2025, 2:44:05 pm IST"],
		["minus sign", "2 Mar 2025, 05:14:05 GMT\u22124"],
		// Hours spelled out, other digits, other day-period markers, a Buddhist-era year.
		["ko", "2025. 3. 2. 오후 6시 14분 5초 GMT+9"],
		["ko (Latin marker)", "2025. 3. 2. PM 6시 14분 5초 GMT+9"],
		["th", "2 มี.ค. 2568 16 นาฬิกา 14 นาที 05 วินาที GMT+7"],
		["ar", "02\u200f/03\u200f/2025، 11:14:05 ص غرينتش+2"],
		["ar-EG (Arabic-Indic digits)", "٠٢\u200f/٠٣\u200f/٢٠٢٥، ١١:١٤:٠٥ ص غرينتش+٢"],
		["ar (afternoon)", "02\u200f/03\u200f/2025، 5:14:05 م غرينتش+8"],
		["he", "2 במרץ 2025, 11:14:05 GMT\u200e+2\u200e"],
		["vi", "16:14:05 GMT+7 2 thg 3, 2025"],
		["ur", "2 مارچ، 2025، 2:14:05 PM GMT +5"],
		["bn (Bengali digits)", "২ মার্চ, ২০২৫, ৩:১৪:০৫ PM GMT +৬"],
	])("%s", (_locale, line) => {
		expect(parseActivityTime(line)).toBe(INSTANT);
	});

	it("keeps the English forms it read before", () => {
		expect(parseActivityTime("Mar 4, 2025, 7:15:09\u202fPM CET")).toBe("2025-03-04T18:15:09.000Z");
		expect(parseActivityTime("Jul 1, 2024, 12:05:00 AM PDT")).toBe("2024-07-01T07:05:00.000Z");
		expect(parseActivityTime("Jan 2, 2025, 9:00:00 AM GMT+05:30")).toBe("2025-01-02T03:30:00.000Z");
		expect(parseActivityTime("Jun 23, 2015, 2:43:45 PM")).toBe("2015-06-23T14:43:45.000Z");
	});

	it.each([
		["a prompt", "Prompted hello"],
		["a prompt that mentions a date and time", "Remind me on 2 Mar 2025, 10:14:05 about the call"],
		["a prompt in German with a date", "Termin am 02.03.2025, 10:14:05 bitte"],
		["a time without a date", "10:14:05 CET"],
		["no seconds", "Mar 2, 2025, 10:14 AM"],
		["an impossible day", "Feb 30, 2025, 10:14:05 AM UTC"],
		["an impossible hour", "2025/03/02 25:14:05 JST"],
		["a version number", "Released 2025.03.02 build 10.14.05"],
		["a Solar Hijri date (Persian account): another calendar", "۱۲ اسفند ۱۴۰۳، ۱۲:۴۴:۰۵ (\u200e+۳:۳۰ گرینویچ)"],
		["a year before 1990", "2 Mar 1403, 10:14:05 UTC"],
		["Korean hours without a date", "오후 6시 14분 5초 GMT+9"],
	])("is not a time: %s", (_name, line) => {
		expect(parseActivityTime(line)).toBeNull();
	});
});

describe("a MyActivity.html page of an account in another language", () => {
	it.each([
		["de", "Europe/Berlin"],
		["ja", "Asia/Tokyo"],
		["ru", "Europe/Moscow"],
		["pt-BR", "America/Sao_Paulo"],
		["ko", "Asia/Seoul"],
		["th", "Asia/Bangkok"],
		["ar-EG", "Africa/Cairo"],
	])("%s: every record keeps the time the English page gives", async (locale, timeZone) => {
		const page = readFileSync(join(__dirname, "../../../fixtures/sources/gemini-MyActivity.html"), "utf8");
		const format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "long", timeZone });
		const english = /[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}[\s\u202f][AP]M [A-Z]{3,4}/g;
		const translated = page.replace(english, (line) => format.format(new Date(parseActivityTime(line)!)));
		expect(translated).not.toBe(page);
		const times = async (html: string): Promise<unknown[]> => {
			const out: unknown[] = [];
			for await (const r of splitActivityHtml(chunksOf(new TextEncoder().encode(html), 256)))
				if (r.ok) out.push((r.value as { time: unknown }).time);
			return out;
		};
		const expected = await times(page);
		expect(expected.length).toBeGreaterThan(3);
		expect(expected.every((t) => typeof t === "string")).toBe(true);
		expect(await times(translated)).toEqual(expected);
	});
});
