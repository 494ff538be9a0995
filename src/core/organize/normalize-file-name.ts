import { sanitizeFileName } from "../naming/sanitize-file-name";

/** `2024-01-05-`, `2024_01_05_`, `2024-01-05 ` at the start of a name (Jekyll posts, exported blogs). */
const DATE_PREFIX = /^(\d{4})([-_])(\d{2})\2(\d{2})[-_ ]+/;

/** Removes a leading date prefix, unless nothing would be left (a daily note named `2024-01-05` stays). */
export function stripDatePrefix(stem: string): { stem: string; date?: string } {
	const match = DATE_PREFIX.exec(stem);
	if (!match) return { stem };
	const rest = stem.slice(match[0].length).trim();
	if (rest === "") return { stem };
	return { stem: rest, date: `${match[1]}-${match[3]}-${match[4]}` };
}

/** The file stem (no `.md`) of a vault path. */
export function stemOf(path: string): string {
	const name = path.slice(path.lastIndexOf("/") + 1);
	return name.toLowerCase().endsWith(".md") ? name.slice(0, -3) : name;
}

/**
 * The file name (stem, without `.md`) a note should have: its title sanitised as in the import, without a
 * leading date prefix. File name and title stay consistent: the name is always derived from the title.
 */
export function normalizeFileName(title: string): string {
	return sanitizeFileName(stripDatePrefix(title.trim()).stem);
}
