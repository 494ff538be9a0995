/**
 * Link resolution as Obsidian does it (MetadataCache.getFirstLinkpathDest), for the CLI, which has to rewrite
 * links itself when it moves notes. Paths are vault-relative POSIX paths; matching ignores case.
 *
 * 1. `./x` and `../x` resolve relative to the linking note's folder, and only there.
 * 2. Otherwise: relative to the linking note's folder, then from the vault root, then by name: every file
 *    whose path ends with `/<link path>` (so `[[Note]]` and `[[folder/Note]]` both work). With several matches
 *    the one in the linking note's folder wins, then the one with the fewest folders, then the shortest path,
 *    then the alphabetically first.
 * A link path without an extension means a Markdown note (`.md` is added).
 */
export function resolveLink(linkText: string, fromPath: string, allPaths: Iterable<string>): string | null {
	const index = pathIndex(allPaths);
	return resolveWithIndex(linkText, fromPath, index);
}

/** A lower-cased path → path map, reusable across many resolutions. */
export type PathIndex = Map<string, string>;

export function pathIndex(allPaths: Iterable<string>): PathIndex {
	const index: PathIndex = new Map();
	for (const path of allPaths) index.set(path.toLowerCase(), path);
	return index;
}

export function resolveWithIndex(linkText: string, fromPath: string, index: PathIndex): string | null {
	let link = linkText.trim().replace(/\\/g, "/");
	if (link === "") return null;
	const folder = folderOf(fromPath);
	const relativeOnly = link.startsWith("./") || link.startsWith("../");
	if (link.startsWith("/")) link = link.replace(/^\/+/, "");
	const variants = hasExtension(link) ? [link, `${link}.md`] : [`${link}.md`];
	for (const variant of variants) {
		const relative = joinPath(folder, variant);
		if (relative !== null) {
			const hit = index.get(relative.toLowerCase());
			if (hit !== undefined) return hit;
		}
	}
	if (relativeOnly) return null;
	for (const variant of variants) {
		const normalized = joinPath("", variant);
		if (normalized === null) continue;
		const exact = index.get(normalized.toLowerCase());
		if (exact !== undefined) return exact;
	}
	for (const variant of variants) {
		const normalized = joinPath("", variant);
		if (normalized === null) continue;
		const suffix = `/${normalized.toLowerCase()}`;
		const matches: string[] = [];
		for (const [lower, path] of index) if (lower.endsWith(suffix)) matches.push(path);
		if (matches.length > 0) return pickBest(matches, folder);
	}
	return null;
}

function pickBest(matches: string[], folder: string): string {
	const sameFolder = matches.filter((path) => folderOf(path).toLowerCase() === folder.toLowerCase());
	const pool = sameFolder.length > 0 ? sameFolder : matches;
	pool.sort((a, b) => depth(a) - depth(b) || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
	return pool[0]!;
}

function depth(path: string): number {
	return path.split("/").length;
}

/** The extension of the last segment, if it looks like one (`.md`, `.png`; not `v1.2 notes`). */
function hasExtension(path: string): boolean {
	const name = path.slice(path.lastIndexOf("/") + 1);
	return /\.[a-z0-9]{1,5}$/i.test(name);
}

export function folderOf(path: string): string {
	const slash = path.lastIndexOf("/");
	return slash === -1 ? "" : path.slice(0, slash);
}

/** Joins and normalises `.`/`..` segments; null when the path climbs above the vault root. */
export function joinPath(folder: string, relative: string): string | null {
	const parts = folder === "" ? [] : folder.split("/");
	for (const segment of relative.split("/")) {
		if (segment === "" || segment === ".") continue;
		if (segment === "..") {
			if (parts.length === 0) return null;
			parts.pop();
		} else parts.push(segment);
	}
	return parts.join("/");
}

/** A relative path from `fromFolder` to `toPath` (`../x/Note.md`, or `Note.md` in the same folder). */
export function relativePath(fromFolder: string, toPath: string): string {
	const from = fromFolder === "" ? [] : fromFolder.split("/");
	const to = toPath.split("/");
	let common = 0;
	while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
	return [...Array<string>(from.length - common).fill(".."), ...to.slice(common)].join("/");
}
