import type { JsonArrayItem } from "../json-array-stream";
import type { NormalizeResult } from "./result";
import { isRecord, truncate } from "./text-utils";

/**
 * Pieces shared by the coding-agent session normalizers (Claude Code, Codex CLI): the incremental reader they
 * implement, and the readable forms of tool calls and results (commands and outputs fenced, file edits as diffs).
 * Tool calls and results are still `tool_call`/`tool_result` parts: the note renders them as collapsed callouts,
 * and Markdown fences inside a callout are kept byte for byte.
 */

/**
 * Reads one session file, record by record, as the JSONL reader parses its lines: a file is one conversation, so
 * the reader keeps what the note needs (never the raw lines) and makes the conversation at the end.
 */
export interface SessionReader {
	/** One parsed line (`line` is 1-based). A record that cannot be used is remembered; `finish` then fails the item. */
	add(value: unknown, line: number): void;
	/** The conversation, or the item failure with its reason (the first bad record, or what is missing). */
	finish(): NormalizeResult;
	/** Fails the item for a reason found outside the records (a line that is not JSON), naming it as well as it can. */
	fail(reason: string): NormalizeResult;
}

/** Longest tool result kept (characters); the rest is cut with a note of how much there was. */
export const RESULT_MAX_CHARS = 1500;
/** Longest diff or written file shown (lines). */
export const DIFF_MAX_LINES = 200;

/** A backtick fence longer than any backtick run at a line start inside `text`. */
function fenceFor(text: string): string {
	let longest = 0;
	for (const m of text.matchAll(/^ {0,3}(`{3,})/gm)) longest = Math.max(longest, m[1]!.length);
	return "`".repeat(Math.max(3, longest + 1));
}

/** `text` in a fenced code block (language may be empty). */
export function fenced(text: string, language = ""): string {
	const body = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
	const fence = fenceFor(body);
	return `${fence}${language}\n${body}\n${fence}`;
}

/** At most `max` lines of `text`, with a line saying how many were left out. */
export function capLines(text: string, max = DIFF_MAX_LINES): string {
	const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
	if (lines.length <= max) return lines.join("\n");
	return `${lines.slice(0, max).join("\n")}\n… (${lines.length - max} more lines)`;
}

/** Tool output for a result part: cut to RESULT_MAX_CHARS, fenced (outputs are not Markdown). Empty → "". */
export function outputBlock(text: string): string {
	const cut = cutOutput(text);
	return cut === "" ? "" : fenced(cut);
}

/** Tool output as it is (for the note to fence), cut like outputBlock. */
export function cutOutput(text: string): string {
	const head = text.length > RESULT_MAX_CHARS * 4 ? text.slice(0, RESULT_MAX_CHARS * 4) : text;
	const trimmed = head.replace(/\r\n?/g, "\n").replace(/^\n+|\s+$/g, "");
	if (trimmed === "") return "";
	const cut = head !== text || Array.from(trimmed).length > RESULT_MAX_CHARS;
	return cut ? `${truncate(trimmed, RESULT_MAX_CHARS)}\n… (${text.length} characters in all)` : trimmed;
}

/** A diff of an exact string replacement: every old line removed, every new line added (what an Edit call says). */
export function replacementDiff(oldText: string, newText: string): string {
	const lines = (s: string): string[] => (s === "" ? [] : s.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n"));
	return [...lines(oldText).map((l) => `-${l}`), ...lines(newText).map((l) => `+${l}`)].join("\n");
}

/** A unified diff from `structuredPatch` hunks (`{oldStart, oldLines, newStart, newLines, lines}`), or null. */
export function hunksDiff(hunks: unknown): string | null {
	if (!Array.isArray(hunks) || hunks.length === 0) return null;
	const out: string[] = [];
	for (const h of hunks) {
		if (!isRecord(h) || !Array.isArray(h.lines)) return null;
		const n = (v: unknown): number => (typeof v === "number" ? v : 0);
		out.push(`@@ -${n(h.oldStart)},${n(h.oldLines)} +${n(h.newStart)},${n(h.newLines)} @@`);
		for (const l of h.lines) if (typeof l === "string") out.push(l);
	}
	return out.join("\n");
}

/** A JSON value that a log keeps as a string (Codex tool `arguments`, shell `output`); the string itself if not JSON. */
export function jsonInString(value: unknown): unknown {
	if (typeof value !== "string") return value;
	const t = value.trim();
	if (!(t.startsWith("{") || t.startsWith("["))) return value;
	try {
		return JSON.parse(t) as unknown;
	} catch {
		return value;
	}
}

/** The language of a fence for a file path, from its extension (empty when unknown). */
export function languageOf(path: string): string {
	const m = /\.([A-Za-z0-9+]+)$/.exec(path);
	return m ? m[1]!.toLowerCase() : "";
}

/** `<tag>…</tag>` blocks removed (system reminders and the like), the rest trimmed. */
export function withoutTags(text: string, tags: readonly string[]): string {
	let out = text;
	for (const tag of tags) out = out.replace(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, "g"), "");
	return out.trim();
}

/** One readable line of a value (for tools we have no special form for). */
export function oneLineJson(value: unknown, max = 300): string {
	if (typeof value === "string") return truncate(value.replace(/\s+/g, " ").trim(), max);
	let json: string;
	try {
		json = JSON.stringify(value) ?? "";
	} catch {
		json = "";
	}
	return truncate(json, max);
}

/** One session file's conversation (or its failure), with the line it is reported at (the first). */
export type SessionResult = NormalizeResult & { index: number; offset: number };

/**
 * The lines of one session file → its one conversation. A line that is not JSON fails the session (naming the
 * line) and the rest of the file is not read; otherwise the reader's verdict once every line is in.
 */
export async function* readSession(
	items: AsyncIterable<JsonArrayItem>,
	reader: SessionReader,
): AsyncGenerator<SessionResult, void, undefined> {
	// Reported at the last line read: how far into the file the reading is, for progress.
	let offset = 0;
	for await (const item of items) {
		offset = item.offset;
		if (!item.ok) {
			yield { ...reader.fail(item.reason), index: 0, offset };
			return;
		}
		reader.add(item.value, item.index + 1);
	}
	yield { ...reader.finish(), index: 0, offset };
}

/** Session logs are JSON Lines files, wherever they are (content decides which tool wrote one). */
export const SESSION_LOG_FILES = /(^|\/)[^/]+\.jsonl$/i;

/** `normalize` for a session source: one record alone (the import reads whole files through `group`). */
export function normalizeOneRecord(reader: SessionReader, raw: unknown): NormalizeResult {
	reader.add(raw, 1);
	return reader.finish();
}
