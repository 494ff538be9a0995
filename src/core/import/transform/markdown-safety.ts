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
 * - **Raw HTML** (`<b>`, `</div>`, `<!-- … -->`, `<?…`) outside code and maths is escaped (`\<b>`), so it reads
 *   as it did in the chat app, which shows tags as text, instead of being rendered by Obsidian (a `<div>` or an
 *   unclosed `<!--` would swallow the rest of the note). Autolinks (`<https://…>`, `<a@b.c>`), link destinations
 *   (`](<…>)`) and `<br>` (assistants' line break in table cells) are kept. An odd `%%` (Obsidian comment) outside
 *   code is escaped for the same reason.
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

/** Whether UTF-16 unit `c` is whitespace to JavaScript (what `\s` matches and `trim()` removes). */
export function isJsWhitespace(c: number): boolean {
	if (c < 128) return c === SPACE || (c >= 0x09 && c <= 0x0d);
	return (
		c === 0xa0 ||
		c === 0x1680 ||
		(c >= 0x2000 && c <= 0x200a) ||
		c === 0x2028 ||
		c === 0x2029 ||
		c === 0x202f ||
		c === 0x205f ||
		c === 0x3000 ||
		c === 0xfeff
	);
}

/**
 * Whether a line starting with UTF-16 unit `first` can only be paragraph text (see PARAGRAPH_START): so can a
 * non-ASCII character but those `trim()` removes (a line of them alone is blank to the rules). An empty line (0) is
 * not. Read without indexing the table past its end (non-ASCII lines went through every rule before).
 */
function paragraphOnly(first: number): boolean {
	return first < 128 ? PARAGRAPH_START[first] === 1 : !isJsWhitespace(first);
}

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

// Long on purpose: one pass over the lines with the fence and region state in locals; `safeMarkdownWithoutShortcuts`
// is its tested reference.
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

	// Indexed (not for…of): no iterator result per line in code V8 has not optimized yet.
	for (let l = 0; l < lines.length; l++) {
		const line = lines[l]!;
		// 0 for an empty line (charCodeAt past the end, NaN, made V8 discard the function's optimized code).
		const first = line.length > 0 ? line.charCodeAt(0) : 0;
		if (fence) {
			push(line, true);
			// A closing fence starts with a space or the fence character; skip the regex for any other line.
			if (shortcuts && first !== SPACE && first !== fence.code) continue;
			const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
			if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
			continue;
		}
		if (shortcuts && paragraphOnly(first)) {
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
	const escapes = !shortcuts || hasRawHtmlStart(text) || text.includes("%%");
	if (shortcuts && !rewritten && shift === 0 && !escapes) {
		// Every output line is its input line (a heading unshifted reads as it was): the text itself, less the
		// blank lines at its edges, with no join.
		return trimBlankEdges(normalized, lines);
	}
	// Pushed, not mapped: the escapes below, optimized for the interpreter's packed arrays, met the holey one V8's
	// optimized map makes and threw this function's optimized code away ("wrong map"), compiled again.
	const rendered: string[] = [];
	for (const line of out)
		rendered.push(typeof line === "string" ? line : `${line.indent}${"#".repeat(Math.min(6, line.level + shift))}${line.rest}`);

	// Lines are substrings of the text (or our own headings and fences), so a text with neither a tag-like `<` nor
	// `%%` has nothing to escape.
	if (escapes) {
		escapeRawHtml(rendered, inCode);
		escapeOddPercents(rendered, inCode);
	}
	return trimBlankLines(rendered).join("\n");
}

/**
 * Whether the `<` at `i` can open raw HTML: a tag, a closing tag, a comment or declaration, a processing instruction
 * (`<` then a letter, `/`, `!` or `?`).
 */
function opensRawHtml(text: string, i: number): boolean {
	if (i + 1 >= text.length) return false;
	const c = text.charCodeAt(i + 1);
	return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2f || c === 0x21 || c === 0x3f;
}

/**
 * Whether `text` has a `<` that can open raw HTML (see opensRawHtml). Found with indexOf, which V8 runs as a memchr:
 * every message's text is searched, and the regex this replaces (`/<[A-Za-z/!?]/`) scanned ~35× slower (issue 20:
 * 81 ms of a 10,000-conversation import's reader thread in a quiet profile).
 */
export function hasRawHtmlStart(text: string): boolean {
	for (let i = text.indexOf("<"); i >= 0; i = text.indexOf("<", i + 1)) if (opensRawHtml(text, i)) return true;
	return false;
}
const AUTOLINK = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/y;
const EMAIL_AUTOLINK =
	/<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>/y;
const LINE_BREAK_TAG = /<br\s*\/?>/iy;

/**
 * Escapes each `<` that would open raw HTML in the prose lines (see the module comment). A paragraph is scanned as
 * one string so that a code span or maths across its lines is skipped whole. Lines in fences are skipped, and so is
 * a block whose first line is indented four spaces or a tab (indented code, where a backslash would show).
 */
function escapeRawHtml(lines: string[], inCode: boolean[]): void {
	let i = 0;
	while (i < lines.length) {
		if (inCode[i] || lines[i]!.trim() === "") {
			i++;
			continue;
		}
		let end = i + 1;
		while (end < lines.length && !inCode[end] && lines[end]!.trim() !== "") end++;
		if (!/^(?: {4}|\t)/.test(lines[i]!)) {
			const block = lines.slice(i, end).join("\n");
			if (hasRawHtmlStart(block)) {
				const escaped = escapeTagsIn(block).split("\n");
				for (let k = 0; k < escaped.length; k++) lines[i + k] = escaped[k]!;
			}
		}
		i = end;
	}
}

/** `escapeRawHtml` for one paragraph: skips escapes, code spans, maths, autolinks, link destinations and `<br>`. */
function escapeTagsIn(text: string): string {
	let out = "";
	let last = 0;
	let i = 0;
	const sticky = (re: RegExp): number => {
		re.lastIndex = i;
		return re.test(text) ? re.lastIndex : -1;
	};
	while (i < text.length) {
		const c = text[i]!;
		if (c === "\\") {
			i += 2;
			continue;
		}
		if (c === "`") {
			let run = 1;
			while (text[i + run] === "`") run++;
			const close = closingBackticks(text, i + run, run);
			i = close < 0 ? i + run : close + run;
			continue;
		}
		if (c === "$") {
			const close = closingDollar(text, i);
			i = close < 0 ? i + 1 : close;
			continue;
		}
		if (c === "<" && opensRawHtml(text, i)) {
			const kept = Math.max(sticky(AUTOLINK), sticky(EMAIL_AUTOLINK), sticky(LINE_BREAK_TAG));
			if (kept >= 0) {
				i = kept;
				continue;
			}
			if (text.slice(i - 2, i) !== "](") {
				out += `${text.slice(last, i)}\\`;
				last = i;
			}
		}
		i++;
	}
	return out + text.slice(last);
}

/** Where a code span opened by `run` backticks before `from` closes (a run of exactly `run`), or -1. */
function closingBackticks(text: string, from: number, run: number): number {
	let at = text.indexOf("`".repeat(run), from);
	while (at >= 0) {
		let length = run;
		while (text[at + length] === "`") length++;
		if (length === run) return at;
		at = text.indexOf("`".repeat(run), at + length);
	}
	return -1;
}

/**
 * Just past the maths that a `$` at `open` starts (`$$ … $$`, or `$x$` on one line with no space inside its
 * delimiters), or -1 when it starts none.
 */
function closingDollar(text: string, open: number): number {
	if (text[open + 1] === "$") {
		const close = text.indexOf("$$", open + 2);
		return close < 0 ? -1 : close + 2;
	}
	const first = text[open + 1];
	if (first === undefined || /\s/.test(first)) return -1;
	for (let k = open + 1; k < text.length && text[k] !== "\n"; k++) {
		if (text[k] === "\\") {
			k++;
			continue;
		}
		if (text[k] === "$") return /\s/.test(text[k - 1]!) ? -1 : k + 1;
	}
	return -1;
}

/** An odd `%%` outside code would hide the rest of the note as an Obsidian comment: its last one is escaped. */
function escapeOddPercents(lines: string[], inCode: boolean[]): void {
	let percentCount = 0;
	let lastPercentLine = -1;
	lines.forEach((line, i) => {
		if (inCode[i]) return;
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

/**
 * Maths as Obsidian renders it: `\( … \)` → `$…$` and `\[ … \]` → `$$…$$` (what ChatGPT writes; Obsidian knows only
 * dollars). Only in prose: code fences and inline code spans are left byte for byte. A delimiter is a backslash
 * that is not itself escaped (`\\(` is a literal backslash and a parenthesis). Inline maths stays on its line and
 * loses the spaces inside its delimiters (`$ x $` is not maths in Obsidian). When the text got maths this way, a
 * `$` of its prose that comes before a digit (`$5`, a price) is escaped, so it cannot pair with a maths dollar.
 * Text without these delimiters is returned as it is.
 */
export function convertMathDelimiters(text: string): string {
	if (!text.includes("\\(") && !text.includes("\\[")) return text;
	const lines = text.split("\n");
	let fence: { char: string; length: number } | null = null;
	let converted = false;
	// Prose is gathered into runs of lines between fences, so display maths may span lines (not a fence).
	const out: string[] = [];
	let prose: string[] = [];
	const flush = (): void => {
		if (prose.length === 0) return;
		const result = convertProse(prose.join("\n"));
		converted ||= result.converted;
		out.push(result.text);
		prose = [];
	};
	for (const line of lines) {
		if (fence) {
			out.push(line);
			const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
			if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
			continue;
		}
		const open = FENCE_OPEN.exec(line);
		if (open?.[2] && !(open[2][0] === "`" && open[3]?.includes("`"))) {
			flush();
			fence = { char: open[2][0]!, length: open[2].length };
			out.push(line);
			continue;
		}
		prose.push(line);
	}
	flush();
	return converted ? out.join("\n") : text;
}

/** One run of prose lines: code spans kept, maths delimiters converted, then price dollars escaped. */
function convertProse(text: string): { text: string; converted: boolean } {
	// Split into code spans (kept) and the rest; a backtick run opens a span closed by a run of the same length.
	const pieces: { code: boolean; text: string }[] = [];
	let i = 0;
	let start = 0;
	while (i < text.length) {
		if (text[i] !== "`") {
			i++;
			continue;
		}
		let run = 1;
		while (text[i + run] === "`") run++;
		const close = closingBackticks(text, i + run, run);
		if (close < 0) {
			i += run;
			continue;
		}
		if (i > start) pieces.push({ code: false, text: text.slice(start, i) });
		pieces.push({ code: true, text: text.slice(i, close + run) });
		i = close + run;
		start = i;
	}
	if (start < text.length) pieces.push({ code: false, text: text.slice(start) });
	let converted = false;
	const prose = pieces.map((p) => {
		if (p.code) return p;
		const r = convertDelimiters(p.text);
		converted ||= r.converted;
		return { code: false, text: r.text, maths: r.maths };
	});
	if (!converted) return { text, converted: false };
	return {
		text: prose.map((p) => ("maths" in p && p.maths ? escapePriceDollars(p.text, p.maths) : p.text)).join(""),
		converted: true,
	};
}

/** Whether the backslash at `at` is an unescaped one (an even number of backslashes before it). */
function unescapedBackslash(text: string, at: number): boolean {
	let n = 0;
	for (let j = at - 1; j >= 0 && text[j] === "\\"; j--) n++;
	return n % 2 === 0;
}

/** Converts the delimiters of one prose piece; `maths` lists the [start, end) ranges of maths in the result. */
function convertDelimiters(text: string): { text: string; converted: boolean; maths: [number, number][] } {
	let out = "";
	const maths: [number, number][] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		const next = text[i + 1];
		if (c === "\\" && (next === "(" || next === "[") && unescapedBackslash(text, i)) {
			const closer = next === "(" ? "\\)" : "\\]";
			let end = text.indexOf(closer, i + 2);
			while (end >= 0 && !unescapedBackslash(text, end)) end = text.indexOf(closer, end + 1);
			const inner = end >= 0 ? text.slice(i + 2, end) : "";
			const inline = next === "(";
			if (
				end >= 0 &&
				inner.trim() !== "" &&
				!(inline && inner.includes("\n")) &&
				!inner.includes("\n\n") &&
				(inline || displayMaths(text, i, end, inner))
			) {
				const dollars = inline ? "$" : "$$";
				const body = inline ? inner.trim() : inner;
				const from = out.length;
				out += `${dollars}${body}${dollars}`;
				maths.push([from, out.length]);
				i = end + 2;
				continue;
			}
		}
		out += c;
		i++;
	}
	return { text: out, converted: maths.length > 0, maths };
}

/**
 * Whether `\[ … \]` is display maths rather than escaped brackets (`a\[0\]`): it stands on its own lines, or what
 * it holds looks like maths (a command, a sub- or superscript, an operator, braces).
 */
function displayMaths(text: string, open: number, close: number, inner: string): boolean {
	const lineStart = text.lastIndexOf("\n", open - 1) + 1;
	const lineEnd = text.indexOf("\n", close + 2);
	const before = text.slice(lineStart, open);
	const after = text.slice(close + 2, lineEnd < 0 ? text.length : lineEnd);
	if (before.trim() === "" && after.trim() === "") return true;
	return /[\\^_=+<>{}]/.test(inner);
}

/** Escapes `$` before a digit outside the maths ranges (and not already escaped). */
function escapePriceDollars(text: string, maths: readonly [number, number][]): string {
	let out = "";
	let m = 0;
	for (let i = 0; i < text.length; i++) {
		while (m < maths.length && maths[m]![1] <= i) m++;
		const inMaths = m < maths.length && maths[m]![0] <= i && i < maths[m]![1];
		const c = text[i]!;
		if (!inMaths && c === "$" && /[0-9]/.test(text[i + 1] ?? "") && unescapedBackslash(text, i)) out += "\\$";
		else out += c;
	}
	return out;
}
