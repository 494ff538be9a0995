import { codeRanges, overlapsRanges } from "../markdown-regions";

/**
 * A link to another file inside a note: `[[Path#heading|alias]]`, `![[Path]]`, `[text](Path.md#heading)`,
 * `![alt](img.png)`. Links inside fenced code blocks and inline code are never reported.
 */
export interface LinkOccurrence {
	kind: "wiki" | "markdown";
	embed: boolean;
	/** Offsets of the whole link in the text. */
	start: number;
	end: number;
	/** Offsets of the path part only (what a rewrite replaces); headings, aliases and titles lie outside. */
	pathStart: number;
	pathEnd: number;
	/** The path part as written (URL-encoded for Markdown links). */
	rawPath: string;
	/** The path part decoded: the link path Obsidian resolves. */
	linkPath: string;
	/** Markdown links written as `[text](<path with spaces.md>)`. */
	angleBrackets: boolean;
}

const WIKI = /(!?)\[\[([^[\]\n]+?)\]\]/g;
const MARKDOWN_OPEN = /(!?)\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\(/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

export function findLinks(text: string): LinkOccurrence[] {
	const code = codeRanges(text);
	const links: LinkOccurrence[] = [];
	for (const match of text.matchAll(WIKI)) {
		const start = match.index;
		const end = start + match[0].length;
		if (overlapsRanges(code, start, end)) continue;
		const embed = match[1] === "!";
		const inner = match[2]!;
		const pathStart = start + match[1]!.length + 2;
		let target = inner;
		const pipe = target.indexOf("|");
		if (pipe !== -1) target = target.slice(0, pipe);
		const hash = target.indexOf("#");
		if (hash !== -1) target = target.slice(0, hash);
		if (target.endsWith("\\")) target = target.slice(0, -1); // `[[Name\|alias]]` inside tables
		if (target.trim() === "") continue; // `[[#heading]]`: a link inside the same note
		links.push({
			kind: "wiki",
			embed,
			start,
			end,
			pathStart,
			pathEnd: pathStart + target.length,
			rawPath: target,
			linkPath: target.trim(),
			angleBrackets: false,
		});
	}
	const wikiRanges = links.map((link) => ({ start: link.start, end: link.end }));
	for (const match of text.matchAll(MARKDOWN_OPEN)) {
		const start = match.index;
		if (overlapsRanges(wikiRanges, start, start + match[0].length)) continue;
		const destination = parseDestination(text, start + match[0].length);
		if (!destination) continue;
		const end = destination.end;
		if (overlapsRanges(code, start, end)) continue;
		const raw = text.slice(destination.pathStart, destination.pathEnd);
		if (raw === "" || SCHEME.test(raw) || raw.startsWith("#")) continue;
		links.push({
			kind: "markdown",
			embed: match[1] === "!",
			start,
			end,
			pathStart: destination.pathStart,
			pathEnd: destination.pathEnd,
			rawPath: raw,
			linkPath: safeDecode(raw),
			angleBrackets: destination.angle,
		});
	}
	return links.sort((a, b) => a.start - b.start);
}

/** Parses `dest "title")` after `](`; the path part stops before `#` and any title. */
function parseDestination(text: string, from: number): { pathStart: number; pathEnd: number; end: number; angle: boolean } | undefined {
	let position = from;
	while (text[position] === " ") position++;
	if (text[position] === "<") {
		const close = text.indexOf(">", position + 1);
		const newline = text.indexOf("\n", position + 1);
		if (close === -1 || (newline !== -1 && newline < close)) return undefined;
		const closeParen = text.indexOf(")", close);
		if (closeParen === -1 || /\n/.test(text.slice(close, closeParen))) return undefined;
		const inner = text.slice(position + 1, close);
		const hash = inner.indexOf("#");
		return { pathStart: position + 1, pathEnd: position + 1 + (hash === -1 ? inner.length : hash), end: closeParen + 1, angle: true };
	}
	const pathStart = position;
	let depth = 0;
	while (position < text.length) {
		const char = text[position]!;
		if (char === "\\" && position + 1 < text.length) {
			position += 2;
			continue;
		}
		if (char === " " || char === "\n" || char === "\t") break;
		if (char === "(") depth++;
		if (char === ")") {
			if (depth === 0) break;
			depth--;
		}
		position++;
	}
	const destinationEnd = position;
	// Optional title, then `)`.
	while (text[position] === " ") position++;
	if (text[position] === '"' || text[position] === "'") {
		const quote = text[position]!;
		const close = text.indexOf(quote, position + 1);
		if (close === -1) return undefined;
		position = close + 1;
		while (text[position] === " ") position++;
	}
	if (text[position] !== ")") return undefined;
	const destination = text.slice(pathStart, destinationEnd);
	const hash = destination.indexOf("#");
	return { pathStart, pathEnd: hash === -1 ? destinationEnd : pathStart + hash, end: position + 1, angle: false };
}

export function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
