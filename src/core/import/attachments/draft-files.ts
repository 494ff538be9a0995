import * as z from "../../model/zod";
import type { Part } from "../../model/conversation";

/**
 * Files a note refers to that the import copies into the vault: files of the export (ChatGPT uploads, images,
 * generated images, audio) and Claude artifacts. Transform cannot place them (the note's path is chosen by load), so
 * the draft's body holds a token where each goes and the draft lists the files; load copies or writes each file,
 * then puts its embed, link or placeholder in place of the token (see resolve-draft-files.ts).
 */
export const DraftFileSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.discriminatedUnion("kind", [
		/** A file of the export, found in the zip by its id (`file-…`, `file_…`). */
		z.object({ kind: z.literal("export"), ref: z.string(), name: z.string(), mimeType: z.optional(z.string()) }),
		/** A Claude artifact: its latest version in the conversation (`version` counts them). */
		z.object({
			kind: z.literal("artifact"),
			id: z.string(),
			title: z.string(),
			type: z.string(),
			language: z.string(),
			version: z.number().check(z.int()),
			content: z.string(),
		}),
	]),
);
export type DraftFile = z.infer<ReturnType<typeof DraftFileSchema>>;

/** Where a file's link goes: index into the draft's files, and the artifact version the message showed (0 for others). */
const TOKEN = /\uE000ketl-file:(\d+):(\d+)\uE001/g;

function token(index: number, version: number): string {
	return `\uE000ketl-file:${index}:${version}\uE001`;
}

/** Collects the files of one note while it is rendered, and gives the token for each. */
export class DraftFileCollector {
	readonly files: DraftFile[] = [];
	private readonly byKey = new Map<string, number>();

	/** The token for an attachment part the import can bring in, or null (render it as before). */
	tokenFor(part: Extract<Part, { kind: "attachment" }>): string | null {
		if (part.artifact) {
			const a = part.artifact;
			const key = `artifact\u0000${a.id}`;
			let index = this.byKey.get(key);
			const file: DraftFile = {
				kind: "artifact",
				id: a.id,
				title: a.title,
				type: a.type,
				language: a.language,
				version: a.version,
				content: a.content,
			};
			if (index === undefined) {
				index = this.files.push(file) - 1;
				this.byKey.set(key, index);
			} else if ((this.files[index] as Extract<DraftFile, { kind: "artifact" }>).version < a.version) {
				// Messages come in conversation order: the file ends up with the latest version.
				this.files[index] = file;
			}
			return token(index, a.version);
		}
		// The file id, or the one in the export's pointer (`file-service://file-…`, `sediment://file_…`).
		const ref = part.ref ?? /^[a-z-]+:\/\/(file[-_][A-Za-z0-9]+)/.exec(part.pointer ?? "")?.[1];
		if (ref) {
			const key = `export\u0000${ref}`;
			let index = this.byKey.get(key);
			if (index === undefined) {
				const file: DraftFile = { kind: "export", ref, name: part.name };
				if (part.mimeType) file.mimeType = part.mimeType;
				index = this.files.push(file) - 1;
				this.byKey.set(key, index);
			}
			return token(index, 0);
		}
		return null;
	}
}

/** The body with each token replaced by `link(file, version)`; tokens that name no file are removed. */
export function replaceFileTokens(
	body: string,
	files: readonly DraftFile[],
	link: (file: DraftFile, index: number, version: number) => string,
): string {
	return body.replace(TOKEN, (_whole, index: string, version: string) => {
		const file = files[Number(index)];
		return file ? link(file, Number(index), Number(version)) : "";
	});
}

/** True when a body holds any file token. */
export function hasFileTokens(body: string): boolean {
	TOKEN.lastIndex = 0;
	const found = TOKEN.test(body);
	TOKEN.lastIndex = 0;
	return found;
}
