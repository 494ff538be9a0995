import { Document } from "yaml";
import type { FrontmatterChange } from "./frontmatter-change";
import type { ParsedNote } from "./parse-note";

/**
 * The note text after frontmatter `changes` and a new `body`. Without changes the original frontmatter block is
 * reused byte for byte; with changes only the touched keys are rewritten (untouched keys keep their text, order
 * and comments) and new keys are appended. The note's line ending and BOM are kept.
 */
export function renderNote(note: ParsedNote, changes: readonly FrontmatterChange[], body: string): string {
	if (changes.length === 0) return note.prefix + body;
	const document = note.document ? note.document.clone() : new Document({});
	for (const change of changes) {
		if (change.kind === "remove") document.delete(change.key);
		else document.set(change.key, document.createNode(change.after));
	}
	let yamlText = document.contents === null ? "" : document.toString({ lineWidth: 0 });
	if (yamlText.trim() === "{}") yamlText = "";
	if (yamlText !== "" && !yamlText.endsWith("\n")) yamlText += "\n";
	const eol = note.eol;
	if (eol === "\r\n") yamlText = yamlText.replace(/\r?\n/g, "\r\n");
	const bom = note.prefix.startsWith("\uFEFF") ? "\uFEFF" : "";
	return `${bom}---${eol}${yamlText}---${eol}${body}`;
}
