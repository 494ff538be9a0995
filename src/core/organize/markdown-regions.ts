import { closesFence, fenceOpening, type Fence } from "../llm/markdown-fences";

/**
 * Where the code is in a Markdown text: fenced code blocks (``` or ~~~, CommonMark rules for opening and
 * closing) and inline code spans. The organize rules never change anything inside these ranges.
 * Indented (4-space) code blocks are not detected; they are rare in notes and ambiguous inside lists.
 */
export interface TextRange {
	/** Offset of the first character. */
	start: number;
	/** Offset after the last character. */
	end: number;
}

/** A text split into lines, each with its terminator ("\n", "\r\n" or "" for the last). */
export interface Line {
	start: number;
	text: string;
	eol: string;
}

export function splitLines(text: string): Line[] {
	const lines: Line[] = [];
	let start = 0;
	while (start < text.length) {
		const newline = text.indexOf("\n", start);
		if (newline === -1) {
			lines.push({ start, text: text.slice(start), eol: "" });
			break;
		}
		const crlf = newline > start && text[newline - 1] === "\r";
		lines.push({ start, text: text.slice(start, crlf ? newline - 1 : newline), eol: crlf ? "\r\n" : "\n" });
		start = newline + 1;
	}
	return lines;
}

/** For each line, whether it belongs to a fenced code block (fence lines included). An unclosed fence runs to the end. */
export function codeLineFlags(lines: readonly Line[]): boolean[] {
	return codeLineState(lines).flags;
}

/** Like `codeLineFlags`, plus whether a fence is still open after the last line. */
export function codeLineState(lines: readonly Line[]): { flags: boolean[]; openAtEnd: boolean } {
	const flags: boolean[] = [];
	let open: Fence | undefined;
	for (const line of lines) {
		if (open) {
			flags.push(true);
			if (closesFence(line.text, open)) open = undefined;
			continue;
		}
		open = fenceOpening(line.text);
		flags.push(!!open);
	}
	return { flags, openAtEnd: !!open };
}

/** Fenced code blocks and inline code spans, sorted by start. */
export function codeRanges(text: string): TextRange[] {
	// Without a backtick or three tildes there is neither a fence nor a span (most notes): no lines to split.
	if (!text.includes("`") && !text.includes("~~~")) return [];
	return codeRangesOfLines(text);
}

/** codeRanges, line by line (exported for the test that compares both). */
export function codeRangesOfLines(text: string): TextRange[] {
	const lines = splitLines(text);
	const flags = codeLineFlags(lines);
	const ranges: TextRange[] = [];
	let proseStart = 0;
	let index = 0;
	while (index < lines.length) {
		if (!flags[index]) {
			index++;
			continue;
		}
		const start = lines[index]!.start;
		if (start > proseStart) ranges.push(...inlineCodeRanges(text, proseStart, start));
		while (index < lines.length && flags[index]) {
			index++;
			// Two adjacent blocks (a closing fence directly followed by an opening one) merge; harmless.
		}
		const last = lines[index - 1]!;
		const end = last.start + last.text.length + last.eol.length;
		ranges.push({ start, end });
		proseStart = end;
	}
	if (proseStart < text.length) ranges.push(...inlineCodeRanges(text, proseStart, text.length));
	return ranges;
}

/** Inline code spans between `from` and `to`: a run of N backticks up to the next run of exactly N, within a paragraph. */
function inlineCodeRanges(text: string, from: number, to: number): TextRange[] {
	const ranges: TextRange[] = [];
	let position = from;
	while (position < to) {
		const open = text.indexOf("`", position);
		if (open === -1 || open >= to) break;
		if (open > from && text[open - 1] === "\\") {
			position = open + 1;
			continue;
		}
		let openEnd = open;
		while (openEnd < to && text[openEnd] === "`") openEnd++;
		const length = openEnd - open;
		const close = findClosingRun(text, openEnd, to, length);
		if (close === -1) {
			position = openEnd;
			continue;
		}
		ranges.push({ start: open, end: close + length });
		position = close + length;
	}
	return ranges;
}

function findClosingRun(text: string, from: number, to: number, length: number): number {
	let position = from;
	while (position < to) {
		const next = text.indexOf("`", position);
		if (next === -1 || next >= to) return -1;
		if (/\n[ \t]*\r?\n/.test(text.slice(position, next))) return -1; // a span never crosses a blank line
		let end = next;
		while (end < to && text[end] === "`") end++;
		if (end - next === length) return next;
		position = end;
	}
	return -1;
}

/** Whether `[start, end)` overlaps any of the sorted `ranges`. */
export function overlapsRanges(ranges: readonly TextRange[], start: number, end: number): boolean {
	for (const range of ranges) {
		if (range.start >= end) return false;
		if (range.end > start) return true;
	}
	return false;
}
