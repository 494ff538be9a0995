import type { Part } from "../../../model/conversation";

/** Small pure helpers shared by the normalizers. */

/** Characters of a tool result's `summary`; the whole output goes in `output` when longer. */
export const TOOL_RESULT_SUMMARY_MAX = 500;

/** A tool result: a short summary, and the whole output (never cut) when the summary had to be cut. */
export function toolResultPart(text: string, name: string | undefined, isError: boolean): Extract<Part, { kind: "tool_result" }> {
	// Blank lines at the edges go; the first line's indentation stays (a printed table lines up).
	const whole = text.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
	const summary = truncate(whole.trim(), TOOL_RESULT_SUMMARY_MAX);
	const part: Extract<Part, { kind: "tool_result" }> = { kind: "tool_result", summary };
	if (summary !== whole) part.output = whole;
	if (name) part.name = name;
	if (isError) part.isError = true;
	return part;
}

/** ISO 8601 from an ISO-like string (kept as given when it parses) or epoch seconds; null otherwise. */
export function isoTime(value: unknown): string | null {
	if (typeof value === "number" && Number.isFinite(value) && value > 0) {
		// Date's own time value: whole milliseconds, truncated (TimeClip).
		const ms = Math.trunc(value * 1000);
		if (ms <= LAST_FOUR_DIGIT_YEAR_MS) return isoOfEpochMs(ms);
		const d = new Date(value * 1000);
		return Number.isNaN(d.getTime()) ? null : d.toISOString();
	}
	if (typeof value === "string" && value.trim() !== "") {
		return Number.isNaN(Date.parse(value)) ? null : value;
	}
	return null;
}

/** 9999-12-31T23:59:59.999Z: past it, toISOString writes a six-digit year (isoOfEpochMs does not). */
const LAST_FOUR_DIGIT_YEAR_MS = 253402300799999;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/**
 * ⌊a / b⌋ of non-negative whole numbers as (a - a % b) / b: an exact division every time. With Math.floor of a
 * quotient, V8 specialised a division to exact results while the first dates (one year) happened to give some, and
 * the first date of another year threw isoOfEpochMs's optimized code away ("lost precision").
 */
function quotient(a: number, b: number): number {
	return (a - (a % b)) / b;
}

/**
 * `new Date(ms).toISOString()` for whole milliseconds from 1970 to the end of 9999, in arithmetic: a ChatGPT export
 * gives each message's time in epoch seconds, and the engine's Date formatting cost ~0.5 µs a call (3.5× this;
 * issue 20). Days to a civil date as in H. Hinnant's "chrono-compatible low-level date algorithms" (public domain).
 */
export function isoOfEpochMs(ms: number): string {
	const days = Math.floor(ms / 86400000);
	let rest = ms - days * 86400000;
	const z = days + 719468;
	const era = quotient(z, 146097);
	const dayOfEra = z - era * 146097;
	const yearOfEra = quotient(dayOfEra - quotient(dayOfEra, 1460) + quotient(dayOfEra, 36524) - quotient(dayOfEra, 146096), 365);
	const dayOfYear = dayOfEra - (365 * yearOfEra + quotient(yearOfEra, 4) - quotient(yearOfEra, 100));
	const shiftedMonth = quotient(5 * dayOfYear + 2, 153);
	const day = dayOfYear - quotient(153 * shiftedMonth + 2, 5) + 1;
	// One expression for every month: with a branch for January and February, code optimized on dates from March to
	// December met the other branch's untried arithmetic and was thrown away.
	const month = ((shiftedMonth + 2) % 12) + 1;
	const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
	const hours = Math.floor(rest / 3600000);
	rest -= hours * 3600000;
	const minutes = Math.floor(rest / 60000);
	rest -= minutes * 60000;
	const seconds = Math.floor(rest / 1000);
	rest -= seconds * 1000;
	return `${year}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[seconds]!}.${THREE_DIGITS[rest]!}Z`;
}

/** Milliseconds for ordering; NaN-free (unknown times sort first). */
export function timeValue(iso: string | null | undefined): number {
	if (!iso) return Number.NEGATIVE_INFINITY;
	const t = Date.parse(iso);
	return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/**
 * The messages' known times, in message order. A loop, not `map` then `filter`: V8's optimized `map` makes a holey
 * array where the interpreter's made a packed one, so the `filter` after it, optimized for what it had seen, threw
 * the normalizer's optimized code away at its first call ("wrong map").
 */
export function knownTimes(messages: readonly { time: string | null }[]): string[] {
	const times: string[] = [];
	for (const m of messages) if (m.time !== null) times.push(m.time);
	return times;
}

/** Cuts text to at most `max` characters (code points), adding an ellipsis when cut. */
export function truncate(text: string, max: number): string {
	const chars = Array.from(text);
	if (chars.length <= max) return text;
	return `${chars
		.slice(0, max - 1)
		.join("")
		.trimEnd()}…`;
}

/** A title from free text: first line-ish, whitespace collapsed, cut near `max` characters at a word boundary. */
export function titleFromText(text: string, max = 60): string {
	const flat = text.replace(/\s+/g, " ").trim();
	const chars = Array.from(flat);
	if (chars.length <= max) return flat;
	const head = chars.slice(0, max).join("");
	const space = head.lastIndexOf(" ");
	const cut = space >= max / 2 ? head.slice(0, space) : head;
	return `${cut.replace(/[\s,.;:!?-]+$/u, "")}…`;
}

/** A short readable one-line form of a tool input. */
export function summariseValue(value: unknown, max = 200): string {
	if (value === undefined || value === null) return "";
	if (typeof value === "string") return truncate(value.replace(/\s+/g, " ").trim(), max);
	if (typeof value === "object" && !Array.isArray(value)) {
		const o = value as Record<string, unknown>;
		for (const key of ["query", "url", "command", "code", "path", "title", "prompt", "q"]) {
			const v = o[key];
			if (typeof v === "string" && v.trim() !== "") return truncate(`${key}: ${v.replace(/\s+/g, " ").trim()}`, max);
		}
	}
	let json: string;
	try {
		json = JSON.stringify(value) ?? "";
	} catch {
		json = "";
	}
	return truncate(json, max);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
	return typeof value === "string" ? value : undefined;
}

/** Adds `count` to `key` in a counter record. */
export function bump(counter: Record<string, number>, key: string, count = 1): void {
	counter[key] = (counter[key] ?? 0) + count;
}

/** Counts the keys of `obj` that are not in `known`, as `<where>.<key>`. */
export function countUnknownKeys(
	obj: Record<string, unknown>,
	known: ReadonlySet<string>,
	where: string,
	counter: Record<string, number>,
): void {
	for (const key in obj) {
		if (!known.has(key)) bump(counter, `${where}.${key}`);
	}
}

/** Turns a zod error into a short reason. */
export function issuesReason(prefix: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
	const shown = issues.slice(0, 3).map((i) => `${i.path.length ? i.path.map(String).join(".") : "(conversation)"}: ${i.message}`);
	const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
	return `${prefix}: ${shown.join("; ")}${more}`;
}
