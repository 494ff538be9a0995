import type { Logger } from "../../ports/logger";
import type { NoteVault } from "../../ports/note-vault";
import { sanitizeFileName } from "../../naming/sanitize-file-name";
import { nameKey } from "../../naming/unique-names";
import { sha256Hex, sha256HexBytes } from "../../util/sha256";
import type { NoteDraft } from "../transform/note-draft";
import type { AttachmentIndex } from "./attachment-index";
import { replaceFileTokens, type DraftFile } from "./draft-files";
import type { ExportFiles } from "./export-files";

/** A file of the export larger than this is not copied (its placeholder says so): it is read whole to be written. */
export const MAX_ATTACHMENT_BYTES = 256 * 1024 * 1024;

const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "avif"]);

/** Artifact type → file extension; code artifacts by their language. */
const ARTIFACT_EXTENSIONS: Record<string, string> = {
	"text/markdown": "md",
	"text/html": "html",
	"image/svg+xml": "svg",
	"application/vnd.ant.mermaid": "md",
	"application/vnd.ant.react": "jsx",
};
const LANGUAGE_EXTENSIONS: Record<string, string> = {
	python: "py",
	javascript: "js",
	typescript: "ts",
	jsx: "jsx",
	tsx: "tsx",
	html: "html",
	css: "css",
	json: "json",
	bash: "sh",
	shell: "sh",
	sh: "sh",
	sql: "sql",
	java: "java",
	c: "c",
	cpp: "cpp",
	"c++": "cpp",
	csharp: "cs",
	go: "go",
	rust: "rs",
	ruby: "rb",
	php: "php",
	swift: "swift",
	kotlin: "kt",
	yaml: "yaml",
	markdown: "md",
	mermaid: "md",
	svg: "svg",
	xml: "xml",
	r: "r",
};

export interface DraftFileWriterOptions {
	vault: NoteVault;
	index: AttachmentIndex;
	/** The export's files (opened once, when a note first needs one). */
	exportFiles: () => Promise<ExportFiles>;
	/** The vault folder export files go to; null: where the vault's own setting says (NoteVault.availablePathForAttachment). */
	folder: string | null;
	sessionId: string;
	dryRun: boolean;
	logger: Logger;
	maxBytes?: number;
}

function folderOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "" : path.slice(0, i);
}

function stemOf(path: string): string {
	return path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "");
}

function baseName(path: string): string {
	return path.slice(path.lastIndexOf("/") + 1);
}

function extensionOf(name: string): string {
	const m = /\.([A-Za-z0-9]{1,10})$/.exec(name);
	return m ? m[1]!.toLowerCase() : "";
}

function joinPath(folder: string, name: string): string {
	return folder === "" ? name : `${folder}/${name}`;
}

/**
 * The extension the bytes say a file has, for an export file with no name of its own (Grok keeps uploads as
 * `…/content`): the signatures of the images, PDFs, audio and video the chat apps take, else "".
 */
export function sniffExtension(bytes: Uint8Array): string {
	const at = (offset: number, text: string): boolean => {
		if (bytes.length < offset + text.length) return false;
		for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
		return true;
	};
	if (at(0, "\x89PNG\r\n\x1a\n")) return "png";
	if (at(0, "\xff\xd8\xff")) return "jpg";
	if (at(0, "GIF87a") || at(0, "GIF89a")) return "gif";
	if (at(0, "RIFF") && at(8, "WEBP")) return "webp";
	if (at(0, "RIFF") && at(8, "WAVE")) return "wav";
	if (at(0, "%PDF-")) return "pdf";
	if (at(4, "ftyp")) return at(8, "avif") ? "avif" : at(8, "qt  ") ? "mov" : at(8, "M4A ") ? "m4a" : "mp4";
	if (at(0, "ID3") || (bytes.length > 1 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)) return "mp3";
	if (at(0, "OggS")) return "ogg";
	if (at(0, "\x1aE\xdf\xa3")) return "webm";
	if (at(0, "PK\x03\x04")) return "zip";
	return "";
}

/** A file name safe in the vault and in links, with `ext` kept (sanitizeFileName works on a stem). */
function safeName(stem: string, ext: string, fallback: string): string {
	const clean = sanitizeFileName(stem, { maxBytes: 120, fallback });
	return ext ? `${clean}.${ext}` : clean;
}

/** Text shown in a one-line label: nothing that starts emphasis, code or a link. */
function inline(text: string): string {
	return text
		.replace(/\s+/g, " ")
		.trim()
		.replace(/([\\`*_[\]<>|])/g, "\\$1");
}

/**
 * Load's side of the files a note refers to (see draft-files.ts): copies each export file out of the zip once (by
 * id, and by content), writes each artifact's latest version beside the note, and gives the draft with its tokens
 * replaced by `![[…]]` (images), `[[…|name]]` (other files) or a placeholder saying why the file is not there.
 * Called for one draft at a time, in input order, so the names a run picks are the same on every run.
 */
export class DraftFileWriter {
	private opened: Promise<ExportFiles> | null = null;
	/** Paths this run has handed out (a dry run writes nothing, so exists() does not see them). */
	private readonly claimed = new Set<string>();

	constructor(private readonly o: DraftFileWriterOptions) {}

	async resolve(draft: NoteDraft, notePath: string): Promise<NoteDraft> {
		const files = draft.files;
		if (!files || files.length === 0) return draft;
		const links: string[] = [];
		for (const file of files)
			links.push(file.kind === "export" ? await this.exportFile(draft, file, notePath) : await this.artifact(draft, file, notePath));
		const body = replaceFileTokens(draft.body, files, (file, index, version) => {
			if (file.kind !== "artifact") return links[index] ?? "";
			const link = `**Artifact:** ${links[index] ?? ""}`;
			if (file.version <= 1) return link;
			return version >= file.version
				? `${link} · version ${version}`
				: `${link} · version ${version} of ${file.version} (the file holds the latest)`;
		});
		return { ...draft, body };
	}

	/** Writes what the attachment index learned (the load stage calls it with the import index's flush). */
	async flush(): Promise<void> {
		await this.o.index.flush();
	}

	private files(): Promise<ExportFiles> {
		this.opened ??= this.o.exportFiles();
		return this.opened;
	}

	private async present(path: string): Promise<boolean> {
		return this.claimed.has(path) || (await this.o.vault.exists(path));
	}

	private async exportFile(draft: NoteDraft, file: Extract<DraftFile, { kind: "export" }>, notePath: string): Promise<string> {
		const key = `${draft.provider}:file:${file.ref}`;
		const label = file.name === file.ref ? "" : file.name;
		const known = await this.o.index.get(key);
		if (known && (await this.present(known.path))) return embed(known.path);
		const placeholder = (why: string): string => `> [!note] Attachment: ${inline(label || file.ref)} (${why})`;
		const files = await this.files();
		let entry: Awaited<ReturnType<ExportFiles["find"]>>;
		try {
			entry = await files.find(file.ref);
		} catch (e) {
			this.o.logger.warn(
				`${draft.title}: the file ${file.ref} cannot be found in the export: ${e instanceof Error ? e.message : String(e)}`,
			);
			return placeholder("the export's copy cannot be read");
		}
		if (!entry) return placeholder("not in the export");
		const max = this.o.maxBytes ?? MAX_ATTACHMENT_BYTES;
		if (entry.size > max)
			return placeholder(
				`not imported: ${Math.round(entry.size / (1024 * 1024))} MB is more than the ${Math.round(max / (1024 * 1024))} MB an attachment may have`,
			);
		let bytes: Uint8Array;
		try {
			bytes = await files.read(file.ref);
		} catch (e) {
			const why = e instanceof Error ? e.message : String(e);
			this.o.logger.warn(`${draft.title}: the file ${entry.path} of the export cannot be read: ${why}`);
			return placeholder("the export's copy cannot be read");
		}
		const sha256 = sha256HexBytes(bytes);
		const same = await this.o.index.pathForHash(sha256);
		if (same && (await this.present(same))) {
			this.remember(key, same, sha256, bytes.length);
			return embed(same);
		}
		// The name the user gave the file when there is one (the export's entry name is the id and a uuid).
		const entryExt = extensionOf(entry.name);
		const own = label !== "" ? label : entry.name;
		const ext = extensionOf(own) || entryExt || sniffExtension(bytes);
		const stem = ext && own.toLowerCase().endsWith(`.${ext}`) ? own.slice(0, own.length - ext.length - 1) : own;
		const name = safeName(stem, ext, file.ref);
		for (let attempt = 0; ; attempt++) {
			const path = await this.place(name, notePath, attempt);
			if (this.o.dryRun) {
				this.claimed.add(path);
				return embed(path);
			}
			try {
				const folder = folderOf(path);
				if (folder !== "") await this.o.vault.ensureFolder(folder);
				await this.o.vault.createBinary(path, bytes);
			} catch (error) {
				if (attempt < 20 && (await this.o.vault.exists(path))) continue; // taken since we looked: the next name
				throw error;
			}
			this.claimed.add(path);
			this.remember(key, path, sha256, bytes.length);
			return embed(path);
		}
	}

	/** A free path for a new export file: the vault's attachment setting, or the import's folder. */
	private async place(name: string, notePath: string, attempt: number): Promise<string> {
		if (this.o.folder === null && this.o.vault.availablePathForAttachment) {
			const path = await this.o.vault.availablePathForAttachment(name, notePath);
			if (!this.claimed.has(path) && attempt === 0) return path;
			// Handed out already in this (dry) run, or lost a race: number it like Obsidian does, in the same folder.
			return this.free(folderOf(path), name);
		}
		return this.free(this.o.folder ?? "", name);
	}

	/** `name`, else `stem 1.ext`, `stem 2.ext`, … : the first not in the vault and not handed out (case-insensitive). */
	private async free(folder: string, name: string): Promise<string> {
		const ext = extensionOf(name);
		const stem = ext ? name.slice(0, name.length - ext.length - 1) : name;
		const claimedKeys = new Set([...this.claimed].map(nameKey));
		for (let n = 0; ; n++) {
			const candidate = joinPath(folder, n === 0 ? name : `${stem} ${n}${ext ? `.${ext}` : ""}`);
			if (!claimedKeys.has(nameKey(candidate)) && !(await this.o.vault.exists(candidate))) return candidate;
		}
	}

	private remember(key: string, path: string, sha256: string, size: number): void {
		if (this.o.dryRun) return;
		this.o.index.record({ key, path, sha256, size, session_id: this.o.sessionId });
	}

	private async artifact(draft: NoteDraft, file: Extract<DraftFile, { kind: "artifact" }>, notePath: string): Promise<string> {
		const key = `${draft.provider}:artifact:${draft.item_id}:${file.id}`;
		const ext = ARTIFACT_EXTENSIONS[file.type] ?? LANGUAGE_EXTENSIONS[file.language.toLowerCase()] ?? "txt";
		const mermaid = file.type === "application/vnd.ant.mermaid" || file.language.toLowerCase() === "mermaid";
		const text = mermaid ? `\`\`\`mermaid\n${file.content.replace(/\n$/, "")}\n\`\`\`\n` : file.content;
		const sha256 = sha256Hex(text);
		const size = text.length;
		const known = await this.o.index.get(key);
		if (known && (await this.present(known.path))) {
			if (known.sha256 !== sha256 && !this.o.dryRun) {
				// A newer version: written over the file only when the user has not edited it since the import wrote it.
				const current = sha256Hex(await this.o.vault.read(known.path));
				if (current === sha256) {
					// Written by a run that stopped before its index was flushed.
					this.remember(key, known.path, sha256, size);
				} else if (current === known.sha256) {
					await this.o.vault.modify(known.path, text);
					this.remember(key, known.path, sha256, size);
				} else
					this.o.logger.info(`${known.path} was edited after the import wrote it; the artifact's newer version is not written over it`);
			}
			return link(known.path);
		}
		const folder = joinPath(folderOf(notePath), `${stemOf(notePath)} artifacts`);
		// A title that is a file name already ("greet.py") keeps its extension once.
		const stem = file.title.toLowerCase().endsWith(`.${ext}`) ? file.title.slice(0, file.title.length - ext.length - 1) : file.title;
		const name = safeName(stem, ext, "artifact");
		for (let attempt = 0; ; attempt++) {
			const path = await this.free(folder, name);
			if (this.o.dryRun) {
				this.claimed.add(path);
				return link(path);
			}
			try {
				await this.o.vault.ensureFolder(folder);
				await this.o.vault.create(path, text);
			} catch (error) {
				if (attempt < 20 && (await this.o.vault.exists(path))) continue;
				throw error;
			}
			this.claimed.add(path);
			this.remember(key, path, sha256, size);
			return link(path);
		}
	}
}

/** `![[path]]` for an image (Obsidian shows it), `[[path|name]]` for any other file. */
function embed(path: string): string {
	return IMAGE_EXTENSIONS.has(extensionOf(path)) ? `![[${path}]]` : link(path);
}

function link(path: string): string {
	return `[[${path}|${baseName(path)}]]`;
}
