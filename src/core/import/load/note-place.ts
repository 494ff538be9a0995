/*
 * Where a new note goes in the vault: its folder and its name (NoteLoader claims the name in its folder; the reader's
 * worker premakes a note for its first choice, firstNotePath).
 */
import { sanitizeFileName } from "../../naming/sanitize-file-name";
import { firstChoice } from "../../naming/unique-names";
import { providerFolder as providerSubfolder, type ImportOptions } from "../pipeline/import-options";
import type { NoteDraft } from "../transform/note-draft";

export const REVIEW_FOLDER = "_review";

/** A note's file name, `.md` included, is at most this many UTF-8 bytes. */
export const MAX_NOTE_FILE_NAME_BYTES = 200;

/** The cap on a note's name without `.md` (the name allocator's). */
export const MAX_NOTE_STEM_BYTES = MAX_NOTE_FILE_NAME_BYTES - ".md".length;

/** A project's folder name is at most this many UTF-8 bytes (the note's own name has its 200 besides). */
const MAX_FOLDER_NAME_BYTES = 100;

/** What decides where a new note goes (the import's options). */
export type NotePlace = Pick<ImportOptions, "outFolder" | "byProject" | "datePrefix">;

/** Where review notes go under the output folder. */
export function reviewFolderOf(outFolder: string): string {
	return joinPath(outFolder, REVIEW_FOLDER);
}

export function joinPath(...parts: string[]): string {
	return parts
		.flatMap((p) => p.split("/"))
		.filter((p) => p !== "" && p !== ".")
		.join("/");
}

/** `2025-03-10 ` from the draft's `created` (already in the import's time zone), with `datePrefix`; else "". */
function datePrefixOf(draft: NoteDraft): string {
	const created = draft.frontmatter.created;
	return created !== undefined && /^\d{4}-\d{2}-\d{2}/.test(created) ? `${created.slice(0, 10)} ` : "";
}

/**
 * `joinPath(outFolder, <provider's subfolder>)` as made before, by output folder and provider: asked twice or more
 * per new note, and joinPath splits, filters and joins each time (a few % of the import's command thread, issue 20).
 */
const baseFolders = new Map<string, Map<NoteDraft["provider"], string>>();

function baseFolderOf(outFolder: string, provider: NoteDraft["provider"]): string {
	let byProvider = baseFolders.get(outFolder);
	if (byProvider === undefined) {
		if (baseFolders.size >= 8) baseFolders.clear(); // a long-lived plugin that was given many output folders
		byProvider = new Map();
		baseFolders.set(outFolder, byProvider);
	}
	let folder = byProvider.get(provider);
	if (folder === undefined) {
		folder = joinPath(outFolder, providerSubfolder(provider));
		byProvider.set(provider, folder);
	}
	return folder;
}

/** The provider's folder, and with `byProject` the project's inside it (when the export names the project). */
export function providerFolderOf(draft: NoteDraft, place: NotePlace): string {
	const folder = baseFolderOf(place.outFolder, draft.provider);
	const project = place.byProject ? draft.frontmatter.project : undefined;
	return project ? joinPath(folder, sanitizeFileName(project, { maxBytes: MAX_FOLDER_NAME_BYTES })) : folder;
}

/** The name a new note's draft asks for (its title; with `datePrefix`, its date before it), before its folder's others. */
export function nameStemOf(draft: NoteDraft, place: NotePlace): string {
	return sanitizeFileName(`${place.datePrefix ? datePrefixOf(draft) : ""}${draft.title}`);
}

/**
 * The path load gives a new note for `draft` when its name is free in its folder (NoteLoader.claimPath's first
 * choice), found without listing the folder. A note whose name is taken gets another path.
 */
export function firstNotePath(draft: NoteDraft, place: NotePlace): string {
	const folder = draft.review_reason ? reviewFolderOf(place.outFolder) : providerFolderOf(draft, place);
	const name = `${firstChoice(nameStemOf(draft, place), MAX_NOTE_STEM_BYTES)}.md`;
	return folder === "" ? name : `${folder}/${name}`;
}
