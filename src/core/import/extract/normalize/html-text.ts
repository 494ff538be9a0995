/**
 * A small HTML → Markdown reader for the answers some exports hold as HTML (Gemini's `safeHtmlItem`). No DOM (core
 * runs without one) and no dependency: tags are read one by one, the usual answer markup (paragraphs, line breaks,
 * headings, lists, code, emphasis, links) becomes Markdown, images are listed apart, anything else keeps its text.
 */

const NAMED: Record<string, string> = {
	amp: "&",
	lt: "<",
	gt: ">",
	quot: '"',
	apos: "'",
	nbsp: " ",
	emsp: " ",
	ensp: " ",
	thinsp: " ",
	hellip: "…",
	mdash: "—",
	ndash: "–",
};

export function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
		if (name[0] === "#") {
			const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}
		return NAMED[name.toLowerCase()] ?? whole;
	});
}

function attribute(tag: string, name: string): string | undefined {
	const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
	if (!m) return undefined;
	return decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
}

const BLOCK = new Set(["p", "div", "ul", "ol", "table", "tr", "blockquote", "section", "article", "header", "footer", "hr"]);

export function htmlToMarkdown(html: string): { text: string; images: string[] } {
	const out: string[] = [];
	const images: string[] = [];
	const lists: { ordered: boolean; n: number }[] = [];
	const links: (string | undefined)[] = [];
	let pre = 0;
	let skip = 0;
	for (const m of html.matchAll(/<!--[\s\S]*?-->|<[^>]*>|[^<]+/g)) {
		const token = m[0];
		if (token.startsWith("<!--")) continue;
		if (token[0] !== "<") {
			if (skip > 0) continue;
			const text = decodeEntities(token);
			out.push(pre > 0 ? text : text.replace(/\s+/g, " "));
			continue;
		}
		const t = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(token);
		if (!t) {
			if (skip === 0) out.push(decodeEntities(token));
			continue;
		}
		const closing = t[1] === "/";
		const name = t[2]!.toLowerCase();
		if (name === "script" || name === "style") {
			skip += closing ? -1 : 1;
			skip = Math.max(0, skip);
			continue;
		}
		if (skip > 0) continue;
		if (name === "br") out.push("\n");
		else if (name === "pre") {
			pre += closing ? -1 : 1;
			pre = Math.max(0, pre);
			out.push(closing ? "\n```\n\n" : "\n\n```\n");
		} else if (name === "code") {
			if (pre === 0) out.push("`");
		} else if (/^h[1-6]$/.test(name)) out.push(closing ? "\n\n" : `\n\n${"#".repeat(Number(name[1]))} `);
		else if (name === "li") {
			if (!closing) {
				const list = lists[lists.length - 1];
				const indent = "  ".repeat(Math.max(0, lists.length - 1));
				out.push(`\n${indent}${list?.ordered ? `${++list.n}.` : "-"} `);
			}
		} else if (name === "ul" || name === "ol") {
			if (closing) lists.pop();
			else lists.push({ ordered: name === "ol", n: 0 });
			out.push("\n\n");
		} else if (name === "strong" || name === "b") out.push("**");
		else if (name === "em" || name === "i") out.push("*");
		else if (name === "a") {
			if (closing) {
				const href = links.pop();
				out.push(href ? `](${href.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/\s/g, "%20")})` : "");
			} else {
				const href = attribute(token, "href");
				links.push(href);
				if (href) out.push("[");
			}
		} else if (name === "img") {
			const src = attribute(token, "src");
			if (src) images.push(src);
		} else if (name === "td" || name === "th") {
			if (!closing) out.push(" ");
		} else if (BLOCK.has(name)) out.push("\n\n");
	}
	let fenced = false;
	const text = out
		.join("")
		.split("\n")
		.map((line) => {
			if (line.startsWith("```")) fenced = !fenced;
			// Outside code: no trailing blanks, and not the one space a collapsed line break leaves in front.
			return fenced ? line : line.replace(/[ \t]+$/, "").replace(/^ (?=\S)/, "");
		})
		.join("\n")
		.replace(/\n{3,}/g, "\n\n")
		.trim();
	return { text, images };
}
