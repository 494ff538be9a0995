/**
 * Keeping message text from breaking the note around it.
 *
 * A note is: frontmatter, then one level-2 heading per message (`## User · …`), each followed by that message's
 * content. `safeMarkdown` keeps a message's Markdown as it is, except what would break that structure:
 * - **Headings at or above the message level** (ATX `#`/`##`, and setext `Text` + `===`/`---`) are shifted down
 *   as a group so the message's highest heading becomes `minHeadingLevel` (relative levels kept, capped at 6).
 *   So the only level-1/2 headings in a note are ours, and a line such as `## Assistant · 2024-…` inside a
 *   message can never pass for a message boundary. Setext headings become ATX headings (same text); a
 *   `---`/`===` line under a list item, quote or table gets a blank line before it (a rule, never a heading).
 * - **An unclosed code fence** (``` or ~~~) is closed at the end of the message, instead of swallowing every
 *   message after it.
 * - **An unclosed HTML comment** (`<!--` with no `-->` after it) is escaped, since it would hide the rest of the
 *   note; an odd `%%` (Obsidian comment) outside code is escaped for the same reason.
 * - Line endings become `\n`; leading and trailing blank lines are dropped.
 * Nothing inside code fences is touched. A message starting with `---` is safe by construction: it never sits at
 * the top of the file, and it follows our heading and a blank line, so it is a thematic break.
 */

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const ATX = /^( {0,3})(#{1,6})((?:[ \t].*)?)$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
/** Lines that start a block other than a plain paragraph (list item, quote, table row, HTML, indented code). */
const NON_PARAGRAPH = /^(?: {0,3}(?:[-+*][ \t]|[-+*]$|\d{1,9}[.)](?:[ \t]|$)|>|\||<)| {4}|\t)/;
/** Of those, the ones that can start inside a running paragraph (indented lines only continue it). */
const INTERRUPTS_PARAGRAPH = /^ {0,3}(?:[-+*][ \t]|\d{1,9}[.)][ \t]|>|\||<)/;

type Line = string | { indent: string; level: number; rest: string };

/**
 * First characters (ASCII) after which a line can only be paragraph text: not blank, not indented, and none of
 * the characters that open a fence, a heading, a setext underline, a list item, a quote, a table row or HTML
 * (`` ` ~ # = - + * 0-9 > | < ``). Such lines — most of them — skip the block regexes (`safeMarkdown`'s shortcut).
 */
const PARAGRAPH_START = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) PARAGRAPH_START[c] = "`~#=-+*0123456789>|<".includes(String.fromCharCode(c)) ? 0 : 1;
const SPACE = 0x20;

/** Makes `text` safe to place under a message heading. See the module comment. */
export function safeMarkdown(text: string, minHeadingLevel: number): string {
	return safeMarkdownWith(text, minHeadingLevel, true);
}

/**
 * `safeMarkdown` without its shortcuts (every line through every rule): the reference the shortcuts are tested
 * against. Same output, only slower.
 */
export function safeMarkdownWithoutShortcuts(text: string, minHeadingLevel: number): string {
	return safeMarkdownWith(text, minHeadingLevel, false);
}

function safeMarkdownWith(text: string, minHeadingLevel: number, shortcuts: boolean): string {
	const normalized = !shortcuts || text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
	const lines = normalized.split("\n");
	const out: Line[] = [];
	/** For each output line: true when it sits inside a fenced code block (or is a fence line). */
	const inCode: boolean[] = [];
	const push = (line: Line, code: boolean): void => {
		out.push(line);
		inCode.push(code);
	};
	let fence: { char: string; code: number; length: number } | null = null;
	let paraStart = -1;
	let paraPlain = false;
	/** Whether a line was added, removed or rewritten (a heading shift is decided at the end). */
	let rewritten = false;

	for (const line of lines) {
		const first = line.charCodeAt(0);
		if (fence) {
			push(line, true);
			// A closing fence starts with a space or the fence character; skip the regex for any other line.
			if (shortcuts && first !== SPACE && first !== fence.code) continue;
			const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
			if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
			continue;
		}
		if (shortcuts && PARAGRAPH_START[first] === 1) {
			// What the rules below do for a line that matches none of them.
			if (paraStart < 0) {
				paraStart = out.length;
				paraPlain = true;
			}
			push(line, false);
			continue;
		}
		const open = FENCE_OPEN.exec(line);
		if (open?.[2] && !(open[2][0] === "`" && open[3]?.includes("`"))) {
			fence = { char: open[2][0]!, code: open[2].charCodeAt(0), length: open[2].length };
			push(line, true);
			paraStart = -1;
			continue;
		}
		if (line.trim() === "") {
			push(line, false);
			paraStart = -1;
			continue;
		}
		const atx = ATX.exec(line);
		if (atx) {
			push({ indent: atx[1] ?? "", level: atx[2]!.length, rest: atx[3] ?? "" }, false);
			paraStart = -1;
			continue;
		}
		const setext = SETEXT.exec(line);
		if (setext && paraStart < 0 && /^ {0,3}-{3,}[ \t]*$/.test(line)) {
			push(line, false); // a thematic break, not an underline
			continue;
		}
		if (setext && paraStart >= 0) {
			rewritten = true;
			const level = setext[1]!.startsWith("=") ? 1 : 2;
			if (paraPlain) {
				const paragraph = out.splice(paraStart).map((l) => (typeof l === "string" ? l.trim() : ""));
				inCode.splice(paraStart);
				push({ indent: "", level, rest: ` ${paragraph.join(" ")}` }, false);
				paraStart = -1;
			} else {
				push("", false);
				push(line, false);
				const isRule = /^ {0,3}-{3,}[ \t]*$/.test(line);
				paraStart = isRule ? -1 : out.length - 1;
				paraPlain = true;
			}
			continue;
		}
		if (paraStart < 0) {
			paraStart = out.length;
			paraPlain = !NON_PARAGRAPH.test(line);
		} else if (INTERRUPTS_PARAGRAPH.test(line)) {
			paraStart = out.length;
			paraPlain = false;
		}
		push(line, false);
	}
	if (fence) {
		push(fence.char.repeat(fence.length), true);
		rewritten = true;
	}

	let minLevel = 7;
	for (const line of out) if (typeof line !== "string") minLevel = Math.min(minLevel, line.level);
	const shift = minLevel < minHeadingLevel ? minHeadingLevel - minLevel : 0;
	const escapes = !shortcuts || text.includes("<!--") || text.includes("%%");
	if (shortcuts && !rewritten && shift === 0 && !escapes) {
		// Every output line is its input line (a heading unshifted reads as it was): the text itself, less the
		// blank lines at its edges, with no join.
		return trimBlankEdges(normalized, lines);
	}
	const rendered = out.map((line) =>
		typeof line === "string" ? line : `${line.indent}${"#".repeat(Math.min(6, line.level + shift))}${line.rest}`,
	);

	// Lines are substrings of the text (or our own headings and fences), so a text with neither `<!--` nor `%%`
	// has nothing to escape.
	if (escapes) escapeUnclosedComments(rendered, inCode);
	return trimBlankLines(rendered).join("\n");
}

function escapeUnclosedComments(lines: string[], inCode: boolean[]): void {
	let lastClose = -1;
	lines.forEach((line, i) => {
		if (line.includes("-->")) lastClose = i;
	});
	let percentCount = 0;
	let lastPercentLine = -1;
	lines.forEach((line, i) => {
		if (inCode[i]) return;
		if (/^ {0,3}<!--/.test(line) && i > lastClose) lines[i] = line.replace("<!--", "\\<!--");
		const count = line.split("%%").length - 1;
		if (count > 0) {
			percentCount += count;
			lastPercentLine = i;
		}
	});
	if (percentCount % 2 === 1 && lastPercentLine >= 0) {
		const line = lines[lastPercentLine]!;
		const at = line.lastIndexOf("%%");
		lines[lastPercentLine] = `${line.slice(0, at)}\\%\\%${line.slice(at + 2)}`;
	}
}

/** `trimBlankLines(lines).join("\n")` for `text === lines.join("\n")`, as a slice of `text`. */
function trimBlankEdges(text: string, lines: readonly string[]): string {
	let start = 0;
	let end = lines.length;
	let from = 0;
	let to = text.length;
	while (start < end && lines[start]!.trim() === "") from += lines[start++]!.length + 1;
	if (start === end) return "";
	while (lines[end - 1]!.trim() === "") to -= lines[--end]!.length + 1;
	return from === 0 && to === text.length ? text : text.slice(from, to);
}

function trimBlankLines(lines: string[]): string[] {
	let start = 0;
	let end = lines.length;
	while (start < end && lines[start]!.trim() === "") start++;
	while (end > start && lines[end - 1]!.trim() === "") end--;
	return lines.slice(start, end);
}

/** A backtick fence longer than any backtick run in `content` (at least three). */
export function backtickFence(content: string): string {
	let longest = 0;
	for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
	return "`".repeat(Math.max(3, longest + 1));
}

/** A code-fence info string: the language with anything that could end or confuse the fence line removed. */
export function fenceLanguage(language: string): string {
	const word = language.trim().split(/\s+/)[0] ?? "";
	return word.toLowerCase().replace(/[^a-z0-9_+#.-]/g, "");
}

/** Prefixes every line with `> ` (an empty line with `>`), for callouts and quotes. */
export function quoteLines(text: string): string {
	return text
		.split("\n")
		.map((line) => (line === "" ? ">" : `> ${line}`))
		.join("\n");
}

/**
 * Whitespace that `oneLine` changes: a run of two or more, or one character other than a space. A lone space
 * (most of them, in prose) is already what a run becomes, so it is not matched and not rebuilt. Matches start at
 * the start of a run and take all of it, so each run still becomes one space.
 */
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

/** Collapses all whitespace to single spaces and trims: for headings, callout titles and YAML one-liners. */
export function oneLine(text: string): string {
	return text.replace(WHITESPACE_TO_COLLAPSE, " ").trim();
}
