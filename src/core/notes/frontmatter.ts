import { editYaml, type YamlChange } from "../yaml/edit";
import { parseYaml, YamlError, type ParsedYaml } from "../yaml/parse";

/** A note split into its YAML frontmatter block (without the `---` fences) and its body. */
export interface SplitNote {
	/** The YAML text between the fences, or null when the note has no frontmatter. */
	yaml: string | null;
	body: string;
}

/** A `---` line, the YAML, then a closing `---` line (the closing fence must start a line). */
const FENCE = /^---\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/**
 * Splits a note into frontmatter and body. Only a block at the very start counts, as in Obsidian. Line endings
 * are kept as they are. The body is what `file_id` hashes (see `noteBody`), so this rule must stay stable.
 */
export function splitFrontmatter(text: string): SplitNote {
	const match = FENCE.exec(text);
	if (!match) return { yaml: null, body: text };
	return { yaml: match[1] ?? "", body: text.slice(match[0].length) };
}

/** A frontmatter block that is not valid YAML (or not a mapping). */
export class FrontmatterError extends Error {
	constructor(
		message: string,
		/** 1-based line in the note, when known. */
		readonly line?: number,
	) {
		super(message);
		this.name = "FrontmatterError";
	}
}

/**
 * Applies `fn` to a note's frontmatter and returns the new note text. Keys `fn` does not touch keep their lines
 * byte for byte (text, order, comments, quoting); a changed key is rewritten in place (a scalar keeps its quotes and
 * comment); new keys are appended. Throws FrontmatterError on YAML we do not read, leaving the caller's note
 * untouched.
 */
export function editFrontmatter(text: string, fn: (frontmatter: Record<string, unknown>) => void): string {
	const { yaml, body } = splitFrontmatter(text);
	let parsed: ParsedYaml;
	try {
		parsed = parseYaml(yaml ?? "");
	} catch (e) {
		if (e instanceof YamlError) throw new FrontmatterError(`Invalid YAML frontmatter: ${e.reason}`, e.line + 1);
		throw e;
	}
	const before = parsed.value ?? {};
	if (typeof before !== "object" || Array.isArray(before)) {
		throw new FrontmatterError("Frontmatter is not a key: value mapping", 2);
	}
	const original = before as Record<string, unknown>;
	const edited: Record<string, unknown> = structuredClone(original);
	fn(edited);
	const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
	const changes: YamlChange[] = [];
	for (const key of Object.keys(original)) if (!(key in edited)) changes.push({ key, kind: "remove" });
	for (const [key, value] of Object.entries(edited)) {
		if (key in original && same(original[key], value)) continue;
		changes.push({ key, kind: "set", value });
	}
	if (changes.length === 0) return text;
	const eol = /^[^\n]*\r\n/.test(text) ? "\r\n" : "\n";
	const yamlText = Object.keys(edited).length === 0 ? "" : editYaml(yaml ?? "", parsed, changes, { eol, keepScalarStyle: true });
	if (yamlText === "" && yaml === null) return body;
	return `---${eol}${yamlText}${yamlText.endsWith("\n") || yamlText === "" ? "" : eol}---${eol}${body}`;
}
