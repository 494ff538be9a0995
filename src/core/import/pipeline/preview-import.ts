import { openExport as openExportHere, type ExportReader, type OpenExportOptions } from "../extract";
import type { ConversationFacts } from "../../model/conversation-facts";
import { conversationFacts } from "../../model/conversation-facts";
import type { PreviewReading } from "./preview-reading";
import type { ImportOptionsInput } from "./import-options";
import { ImportIndex } from "../load/import-index";
import type { ByteSource } from "../../ports/byte-source";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import type { Conversation, Provider } from "../../model/conversation";
import type { NoteVault } from "../../ports/note-vault";
import type { IndexedNote } from "../load/load-decision";
import { sameTime } from "../load/load-decision";
import { currentNoteOf, VaultNoteFinder } from "../load/vault-note-finder";
import { messagesSince, renderStamp, sameRender, type RenderStamp } from "../transform/note-draft";
import { noteHashLike } from "../../util/note-hash";
import { addedKeysOnly } from "../load/index-sync";
import { IMPORT_KEYS } from "../transform/note-frontmatter";

/** One conversation of the export, as the preview lists it (to choose what to import): no messages are kept. */
export interface PreviewConversation {
	id: string;
	provider: Provider;
	title: string;
	/** Updated (else created) time, ISO; null when the export has none. */
	time: string | null;
	messages: number;
	status: PreviewStatus;
}

/**
 * What the run will do with a conversation: a new note; its note rewritten (grown at the source, or rendered with
 * other options); left alone; new messages added below the user's text (`appended`); or the user's edited note
 * kept as it is (`preserved`: edits and a regenerated answer, or a note that is gone). Without a vault to look at,
 * an edited note cannot be told apart and counts as updated.
 */
export type PreviewStatus = "new" | "updated" | "unchanged" | "appended" | "preserved";

/** What the import modal shows before "Start import". */
export interface ImportPreview {
	providers: string[];
	conversations: number;
	new: number;
	updated: number;
	unchanged: number;
	appended: number;
	preserved: number;
	failed: number;
	/** Every conversation read, in export order (a few hundred bytes each, even for 100k conversations). */
	items: PreviewConversation[];
}

/**
 * Reads the export once (streaming) and compares each conversation with the import index and, given the vault,
 * with its note there: the same rules the load stage applies (load-decision.ts), so the preview and the run agree
 * on every count. Only the notes of conversations that changed at the source (or whose render options changed) are
 * read. Writes nothing.
 */
/** How far a preview has read: conversations so far, and bytes of all the inputs (when known). */
export interface PreviewProgress {
	conversations: number;
	bytesRead: number;
	bytesTotal: number | null;
}

/** A preview stopped by its signal (the user cancelled it, or closed the dialog). */
export class PreviewCancelledError extends Error {
	override readonly name = "PreviewCancelledError";
	constructor() {
		super("Preview cancelled");
	}
}

export async function previewSources(
	deps: {
		store: StagingStore;
		logger?: Logger;
		vault?: NoteVault;
		/** Opens the inputs (default: read in this thread; the plugin's reads in its Web Worker). */
		openExport?: (sources: readonly ByteSource[], options: OpenExportOptions) => Promise<ExportReader>;
	},
	sources: readonly ByteSource[],
	options: Pick<ImportOptionsInput, "provider" | "limit" | "includeThinking" | "timeZone" | "editedNotes" | "rerender"> & {
		/** An LLM writes the notes: knowledge notes carry no render stamp. */
		llm?: boolean;
	},
	run: {
		signal?: AbortSignal;
		onProgress?: (p: PreviewProgress) => void;
		/** Keeps what is read, for an import started next from the same files (see PreviewReading). */
		keep?: PreviewReading;
	} = {},
): Promise<ImportPreview> {
	if (run.signal?.aborted) throw new PreviewCancelledError();
	const reader = await (deps.openExport ?? openExportHere)(sources, { provider: options.provider ?? "auto" });
	const keep = run.keep;
	keep?.begin(reader);
	try {
		const index = await ImportIndex.open(deps.store, deps.logger);
		const providers = [...new Set(reader.inputs.flatMap((i) => (i.provider ? [i.provider] : [])))];
		const out: ImportPreview = {
			providers,
			conversations: 0,
			new: 0,
			updated: 0,
			unchanged: 0,
			appended: 0,
			preserved: 0,
			failed: 0,
			items: [],
		};
		const stamp = options.llm ? undefined : renderStamp({ includeThinking: options.includeThinking ?? false, timeZone: options.timeZone });
		const judge = new PreviewJudge(deps.vault, deps.logger, stamp, options.editedNotes ?? "append", options.rerender === true);
		const total = reader.totalBytes ?? null;
		let told = 0;
		let whole = true;
		for await (const r of reader.conversations()) {
			if (run.signal?.aborted) throw new PreviewCancelledError();
			if (run.onProgress && Date.now() - told >= 150) {
				told = Date.now();
				run.onProgress({ conversations: out.conversations, bytesRead: r.position ?? 0, bytesTotal: total });
			}
			if (options.limit !== undefined && out.conversations + out.failed >= options.limit) {
				whole = false; // an import of the same files reads them itself (its limit counts differently)
				break;
			}
			keep?.add(r);
			if (!r.ok) {
				out.failed++;
				continue;
			}
			out.conversations++;
			// The facts the reader sent: a conversation read in a worker is parsed here only when its messages are compared.
			const facts: ConversationFacts = r.facts ?? conversationFacts(r.conversation);
			const provider = facts.provider ?? r.conversation.provider;
			const updated = facts.updated !== undefined ? facts.updated : r.conversation.updated;
			const known = await index.get(provider, facts.id);
			const status = await judge.status({ provider, id: facts.id, updated, messages: () => r.conversation.messages }, known);
			out[status]++;
			out.items.push({ id: facts.id, provider, title: facts.title, time: facts.time ?? null, messages: facts.messageCount, status });
		}
		if (whole && keep) await keep.finish(sources);
		return out;
	} finally {
		await reader.close();
	}
}

/** The load stage's decision (load-decision.ts, load-stage.ts) taken without rendering: from the index and the note. */
class PreviewJudge {
	private finder: VaultNoteFinder | null = null;

	constructor(
		private readonly vault: NoteVault | undefined,
		private readonly logger: Logger | undefined,
		private readonly stamp: RenderStamp | undefined,
		private readonly edited: "append" | "preserve",
		private readonly rerenderAsked: boolean,
	) {}

	async status(
		c: Pick<Conversation, "provider" | "id" | "updated"> & { messages: () => Conversation["messages"] },
		known: IndexedNote | null,
	): Promise<PreviewStatus> {
		if (!known) return "new";
		const grown = !sameTime(known.sourceUpdated, c.updated ?? null);
		const stale = this.stamp !== undefined && known.render !== undefined && !sameRender(this.stamp, known.render);
		if (!grown && !stale && !this.rerenderAsked) return "unchanged";
		if (!this.vault) return grown ? "updated" : "unchanged";
		this.finder ??= new VaultNoteFinder(this.vault, this.logger);
		const found = await currentNoteOf(this.vault, this.finder, known.path, c.provider, c.id);
		if (found === null) return "preserved"; // the note imported earlier is gone: not recreated
		const note = found.text;
		// As the load stage judges it: a property the user added is not an edit.
		const ours =
			known.userText !== true &&
			((await noteHashLike(known.hash, note)) === known.hash || (await addedKeysOnly(note, known.hash, IMPORT_KEYS)) !== null);
		if (ours) return "updated";
		if (!grown || this.edited === "preserve" || !known.messages) return "preserved";
		return messagesSince(c.messages(), known.messages) === "grown" ? "appended" : "preserved";
	}
}
