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
		const d = new Date(value * 1000);
		return Number.isNaN(d.getTime()) ? null : d.toISOString();
	}
	if (typeof value === "string" && value.trim() !== "") {
		return Number.isNaN(Date.parse(value)) ? null : value;
	}
	return null;
}

/** Milliseconds for ordering; NaN-free (unknown times sort first). */
export function timeValue(iso: string | null | undefined): number {
	if (!iso) return Number.NEGATIVE_INFINITY;
	const t = Date.parse(iso);
	return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
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
