import { editYaml } from "../../yaml/edit";
import type { ParsedYaml } from "../../yaml/parse";
import type { FrontmatterChange } from "./frontmatter-change";
import type { ParsedNote } from "./parse-note";

const EMPTY: ParsedYaml = { value: null, entries: null, indent: 0 };

/**
 * The note text after frontmatter `changes` and a new `body`. Without changes the original frontmatter block is
 * reused byte for byte; with changes only the touched keys' lines are rewritten (every other line stays byte for
 * byte: keys, order, comments, quoting, blank lines) and new keys are appended. The note's line ending and BOM are
 * kept.
 */
export function renderNote(note: ParsedNote, changes: readonly FrontmatterChange[], body: string): string {
	if (changes.length === 0) return note.prefix + body;
	const eol = note.eol;
	const yaml = note.yaml ?? { text: "", parsed: EMPTY };
	let yamlText = editYaml(
		yaml.text,
		yaml.parsed,
		changes.map((change) =>
			change.kind === "remove" ? { key: change.key, kind: "remove" } : { key: change.key, kind: "set", value: change.after },
		),
		{ eol },
	);
	if (yamlText !== "" && !yamlText.endsWith("\n")) yamlText += eol;
	const bom = note.prefix.startsWith("\uFEFF") ? "\uFEFF" : "";
	return `${bom}---${eol}${yamlText}---${eol}${body}`;
}
