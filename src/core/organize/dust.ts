import { codeRanges } from "./markdown-regions";

/** Notes with less text than this (after removing Markdown syntax) are dust. */
export const MIN_TEXT_CHARACTERS = 50;

/** Leftovers of templates and placeholders; matched outside code only. */
const TEMPLATE_LEFTOVERS: readonly { pattern: RegExp; label: string }[] = [
	{ pattern: /\[TODO\]/, label: "[TODO]" },
	{ pattern: /\[FIXME\]/, label: "[FIXME]" },
	{ pattern: /lorem ipsum/i, label: "Lorem ipsum" },
	{ pattern: /\bPLACEHOLDER\b/, label: "PLACEHOLDER" },
	{ pattern: /\{\{[^{}\n]*\}\}/, label: "{{…}}" },
	{ pattern: /<%[\s\S]*?%>/, label: "<% … %>" },
];

export type DustVerdict = { dust: false } | { dust: true; reason: string };

/**
 * Whether a note body is dust: empty, under 50 characters of text (Markdown syntax, links' targets and
 * whitespace not counted; code counts as text), or holding template leftovers outside code.
 */
export function detectDust(body: string): DustVerdict {
	// \S is every character trim keeps: no trimmed copy of the body to compare.
	if (!NOT_BLANK.test(body)) return { dust: true, reason: "empty note" };
	if (!enoughTextIn(body)) {
		const characters = codePoints(textOf(body));
		if (characters < MIN_TEXT_CHARACTERS) {
			return { dust: true, reason: `only ${characters} characters of text (fewer than ${MIN_TEXT_CHARACTERS})` };
		}
	}
	const prose = withoutCode(body);
	// One pass that every leftover's text matches (case aside) before the six in order (most notes hold none).
	if (!ANY_LEFTOVER.test(prose)) return NOT_DUST;
	for (const { pattern, label } of TEMPLATE_LEFTOVERS) {
		if (pattern.test(prose)) return { dust: true, reason: `template leftover ${label}` };
	}
	return NOT_DUST;
}

const NOT_BLANK = /\S/;
const NOT_DUST: DustVerdict = Object.freeze({ dust: false });
/** Matches wherever one of TEMPLATE_LEFTOVERS' patterns does (their alternation, ignoring case for all). */
const ANY_LEFTOVER = new RegExp(TEMPLATE_LEFTOVERS.map(({ pattern }) => pattern.source).join("|"), "i");

/** How much of a body's start is looked at first (whole lines, so a little more). */
const PREFIX_CHARS = 512;

/**
 * Whether the first whole lines of a long body already hold MIN_TEXT_CHARACTERS of text: then the body does too,
 * and textOf need not copy all of it (most notes). Every rule of textOf stays within one line, so the text of the
 * body is the text of its first lines followed by the text of the rest.
 */
function enoughTextIn(body: string): boolean {
	if (surelyEnoughLetters(body)) return true;
	if (body.length <= PREFIX_CHARS * 2) return false;
	const end = body.indexOf("\n", PREFIX_CHARS);
	if (end === -1) return false;
	return codePoints(textOf(body.slice(0, end + 1))) >= MIN_TEXT_CHARACTERS;
}

/**
 * Whether the body holds MIN_TEXT_CHARACTERS ASCII letters that textOf keeps, counted without building its text (most
 * notes: one loop, no regular expression). A lower bound: letters are only removed by textOf inside a fence line
 * (a body with ``` or ~~~ is not counted here), a link's target `(…)` or an HTML tag `<…>`; this skips from every
 * "(" to the next ")" and from every "<" to the end of its line, which covers those (no pass adds or removes a
 * parenthesis, a "<" or a line break, so the passes before cannot move a target or a tag over a counted letter).
 */
export function surelyEnoughLetters(body: string): boolean {
	if (body.includes("```") || body.includes("~~~")) return false;
	let count = 0;
	// 0: counting; 1: inside "(" until ")"; 2: after "<" until the end of the line.
	let skip = 0;
	for (let index = 0; index < body.length; index++) {
		const code = body.charCodeAt(index);
		if (code === 10) skip = 0;
		else if (skip === 1) {
			if (code === 41) skip = 0;
		} else if (skip === 0) {
			if (code === 40) skip = 1;
			else if (code === 60) skip = 2;
			else if ((code | 32) >= 97 && (code | 32) <= 122 && ++count >= MIN_TEXT_CHARACTERS) return true;
		}
	}
	return false;
}

/**
 * The readable text of a body: no Markdown markers, no link targets, no whitespace. A pass whose pattern needs a
 * character sequence the text (as the passes before left it) does not hold is not run: same result, and most
 * notes have no fence, link or tag (~7 regular expression passes per note were a third of the preview's dust check).
 */
export function textOf(body: string): string {
	let text = body;
	if (text.includes("```") || text.includes("~~~")) text = text.replace(/^ {0,3}(`{3,}|~{3,}).*$/gm, ""); // fence lines
	if (text.includes("[[")) text = text.replace(/!?\[\[([^\]|\n]*)\|?([^\]\n]*)\]\]/g, "$1$2"); // wikilinks → their text
	if (text.includes("](")) text = text.replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, "$1"); // markdown links → their text
	if (text.includes("<")) text = text.replace(/<[^>\n]+>/g, ""); // HTML tags
	return text
		.replace(/^[ \t]*(#{1,6}|>|[-*+]|\d+[.)])(?=[ \t])/gm, "") // heading, quote and list markers
		.replace(/[*_~`=#|-]/g, "") // emphasis, tables, rules
		.replace(/\s+/g, "");
}

/** Characters as a reader counts them (a surrogate pair is one), without an array of them. */
function codePoints(text: string): number {
	let count = text.length;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
			const next = text.charCodeAt(index + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				count--;
				index++;
			}
		}
	}
	return count;
}

function withoutCode(body: string): string {
	const ranges = codeRanges(body);
	if (ranges.length === 0) return body;
	let out = "";
	let position = 0;
	for (const range of ranges) {
		out += body.slice(position, range.start) + " ";
		position = range.end;
	}
	return out + body.slice(position);
}
