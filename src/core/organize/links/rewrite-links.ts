import { findLinks, type LinkOccurrence } from "./find-links";
import { folderOf, joinPath, relativePath, resolveWithIndex, type PathIndex } from "./resolve-link";

/** The vault before and after a set of moves. */
export interface MoveContext {
	/** All file paths before the moves (notes and known attachments). */
	before: PathIndex;
	/** All file paths after the moves. */
	after: PathIndex;
	/** The path a file has after the moves (itself when it did not move). */
	newPathOf: (oldPath: string) => string;
}

export interface RewriteResult {
	text: string;
	/** How many links were rewritten. */
	rewritten: number;
	/** Links that resolved before and could not be made to resolve to the same file after (should be none). */
	unfixable: string[];
}

/**
 * Rewrites the links of one note (which may itself have moved from `oldPath` to `newPath`) so that every link
 * that resolved before still resolves to the same file after the moves. Only links whose resolution changed are
 * touched; headings, aliases, embeds, titles and the link style (wiki or Markdown, bare name, relative or full
 * path, `.md` or not, URL-encoding, angle brackets) are kept. Code blocks and inline code are never touched.
 */
export function rewriteLinks(text: string, oldPath: string, newPath: string, context: MoveContext): RewriteResult {
	const edits: { start: number; end: number; replacement: string }[] = [];
	const unfixable: string[] = [];
	for (const link of findLinks(text)) {
		const target = resolveWithIndex(link.linkPath, oldPath, context.before);
		if (target === null) continue; // broken before: leave it as the user wrote it
		const wanted = context.newPathOf(target);
		if (resolveWithIndex(link.linkPath, newPath, context.after) === wanted) continue;
		const replacement = replacementPath(link, oldPath, target, newPath, wanted, context.after);
		if (replacement === null) {
			unfixable.push(text.slice(link.start, link.end));
			continue;
		}
		edits.push({ start: link.pathStart, end: link.pathEnd, replacement });
	}
	let out = text;
	for (const edit of edits.sort((a, b) => b.start - a.start)) {
		out = out.slice(0, edit.start) + edit.replacement + out.slice(edit.end);
	}
	return { text: out, rewritten: edits.length, unfixable };
}

function replacementPath(
	link: LinkOccurrence,
	oldPath: string,
	oldTarget: string,
	newPath: string,
	target: string,
	after: PathIndex,
): string | null {
	const path = link.linkPath.replace(/\\/g, "/");
	const keepExtension = /\.md$/i.test(path);
	const show = (p: string): string => (keepExtension ? p : p.replace(/\.md$/i, ""));
	const name = target.slice(target.lastIndexOf("/") + 1);
	const explicitRelative = path.startsWith("./") || path.startsWith("../");
	const wasRelative =
		explicitRelative ||
		(link.kind === "markdown" &&
			path.includes("/") &&
			folderOf(oldPath) !== "" &&
			[path, `${path}.md`].some((variant) => joinPath(folderOf(oldPath), variant)?.toLowerCase() === oldTarget.toLowerCase()));
	const candidates: string[] = [];
	if (wasRelative) {
		const relative = relativePath(folderOf(newPath), target);
		candidates.push(path.startsWith("./") && !relative.startsWith("../") ? `./${relative}` : relative);
	}
	if (!path.includes("/")) candidates.push(name);
	candidates.push(target);
	if (link.kind === "markdown" && !wasRelative) candidates.push(relativePath(folderOf(newPath), target));
	for (const candidate of candidates) {
		const shown = show(candidate);
		if (resolveWithIndex(shown, newPath, after) === target) return encodeLike(link, shown);
	}
	return null;
}

/** Writes a path the way the original link was written (URL-encoded or not, angle brackets). */
function encodeLike(link: LinkOccurrence, path: string): string {
	if (link.kind === "wiki" || link.angleBrackets) return path;
	const fullyEncoded = link.rawPath !== link.linkPath && link.rawPath === encodeURI(link.linkPath);
	if (fullyEncoded && /[^\x20-\x7e]/.test(path)) return encodeURI(path);
	return path.replace(/%/g, "%25").replace(/ /g, "%20").replace(/</g, "%3C").replace(/>/g, "%3E");
}
