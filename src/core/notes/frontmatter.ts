import { Document, isMap, parseDocument } from "yaml";

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
 * Applies `fn` to a note's frontmatter and returns the new note text. Keys `fn` does not touch keep their
 * text, order and comments; changed keys are rewritten in place; new keys are appended. Throws
 * FrontmatterError on invalid YAML, leaving the caller's note untouched.
 */
export function editFrontmatter(text: string, fn: (frontmatter: Record<string, unknown>) => void): string {
	const { yaml, body } = splitFrontmatter(text);
	const doc = parseDocument(yaml ?? "", { keepSourceTokens: false });
	if (doc.errors.length > 0) {
		const first = doc.errors[0]!;
		const line = first.linePos?.[0]?.line;
		throw new FrontmatterError(
			`Invalid YAML frontmatter: ${first.message.split("\n")[0] ?? ""}`,
			line === undefined ? undefined : line + 1,
		);
	}
	let before: unknown;
	try {
		before = doc.toJS({ maxAliasCount: 100 }) ?? {};
	} catch (e) {
		// An alias with no anchor, or an alias bomb: the YAML library throws (a ReferenceError), not an error list.
		throw new FrontmatterError(`Invalid YAML frontmatter: ${(e instanceof Error ? e.message : String(e)).split("\n")[0] ?? ""}`, 2);
	}
	if (typeof before !== "object" || before === null || Array.isArray(before)) {
		throw new FrontmatterError("Frontmatter is not a key: value mapping", 2);
	}
	const original = before as Record<string, unknown>;
	const edited: Record<string, unknown> = structuredClone(original);
	fn(edited);
	const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
	const changed =
		Object.keys(original).some((key) => !(key in edited)) ||
		Object.entries(edited).some(([key, value]) => !(key in original) || !same(original[key], value));
	if (!changed) return text;
	let yamlText: string;
	if (Object.keys(edited).length === 0) {
		yamlText = "";
	} else if (!isMap(doc.contents)) {
		yamlText = new Document(edited).toString({ lineWidth: 0 });
	} else {
		for (const key of Object.keys(original)) {
			if (!(key in edited)) doc.delete(key);
		}
		for (const [key, value] of Object.entries(edited)) {
			if (key in original && same(original[key], value)) continue;
			doc.set(key, value);
		}
		yamlText = doc.toString({ lineWidth: 0 });
	}
	if (yamlText === "" && yaml === null) return body;
	return `---\n${yamlText}${yamlText.endsWith("\n") || yamlText === "" ? "" : "\n"}---\n${body}`;
}
