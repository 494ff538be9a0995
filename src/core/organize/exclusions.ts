import * as z from "../model/zod";
import { DEFAULT_CONFIG_DIR, type VaultLayout } from "./vault-layout";

/**
 * What organize leaves alone, whatever the classifier says: each rule a pattern and the reason the plan shows.
 * - a plain path (`Templates`, `Journal/2024`) is a folder, and everything below it (or that one note);
 * - a pattern with `*` (any characters but `/`), `**` (anything, `/` included) or `?` is matched against the
 *   whole vault-relative path (`**` + `/_drafts/**`, `*.excalidraw.md`);
 * - `*` + `/name/` + `**` style rules made from the vault's own settings match a folder name at any depth.
 * Matching ignores case (a vault on macOS or Windows does). Obsidian's settings folder, `.staging` and `.trash`
 * are always excluded.
 */
export const ExcludeRuleSchema = /* @__PURE__ */ z.lazySchema(() => z.object({ pattern: z.string(), reason: z.string() }));
export type ExcludeRule = z.infer<ReturnType<typeof ExcludeRuleSchema>>;

/** Folders no organize ever touches (with Obsidian's settings folder, see vaultExclusions): our staging area, Obsidian's own trash. */
export const ALWAYS_EXCLUDED: readonly ExcludeRule[] = [
	{ pattern: ".staging", reason: "the import's staging folder" },
	{ pattern: ".trash", reason: "Obsidian's trash" },
];

/** The default rules for a vault: always-excluded folders, the vault's templates, daily notes and attachments, then the user's own patterns. */
export function vaultExclusions(layout: VaultLayout, userPatterns: readonly string[] = [], configDir = DEFAULT_CONFIG_DIR): ExcludeRule[] {
	const rules: ExcludeRule[] = [{ pattern: configDir, reason: "Obsidian's settings folder" }, ...ALWAYS_EXCLUDED];
	for (const folder of layout.templates) rules.push({ pattern: folder, reason: `templates folder "${folder}"` });
	for (const folder of layout.daily) rules.push({ pattern: folder, reason: `daily notes folder "${folder}"` });
	for (const folder of layout.attachments) rules.push({ pattern: folder, reason: `attachments folder "${folder}"` });
	for (const name of layout.attachmentSubfolders)
		rules.push({ pattern: `**/${name}/**`, reason: `attachments folder "${name}" (beside each note)` });
	for (const raw of userPatterns) {
		const pattern = raw
			.trim()
			.replace(/\\/g, "/")
			.replace(/^\/+|\/+$/g, "");
		if (pattern !== "") rules.push({ pattern, reason: `excluded by "${pattern}"` });
	}
	return rules;
}

/** Each pattern's test of a lower-case path, made once. */
const compiled = new Map<string, (lowerPath: string) => boolean>();

function matcher(pattern: string): (path: string) => boolean {
	let match = compiled.get(pattern);
	if (match) return match;
	const lower = pattern.toLowerCase();
	if (!/[*?]/.test(lower)) {
		const folder = `${lower}/`;
		match = (path) => path === lower || path.startsWith(folder);
	} else {
		let source = "";
		for (let i = 0; i < lower.length; i++) {
			const c = lower[i]!;
			if (c === "*" && lower[i + 1] === "*") {
				// `**/` also matches no folder at all (`**/x/**` matches `x/a.md`).
				if (lower[i + 2] === "/") {
					source += "(?:.*/)?";
					i += 2;
				} else {
					source += ".*";
					i += 1;
				}
			} else if (c === "*") source += "[^/]*";
			else if (c === "?") source += "[^/]";
			else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
		}
		const re = new RegExp(`^${source}$`);
		match = (path) => re.test(path);
	}
	compiled.set(pattern, match);
	return match;
}

/** The first rule that excludes `path`, or null. */
export function excludedBy(path: string, rules: readonly ExcludeRule[]): ExcludeRule | null {
	// Matchers take the path in lower case: made once here, not once per rule.
	const lower = path.toLowerCase();
	for (let index = 0; index < rules.length; index++) {
		const rule = rules[index]!;
		if (matcher(rule.pattern)(lower)) return rule;
	}
	return null;
}
