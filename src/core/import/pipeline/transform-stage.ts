import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import type { Conversation } from "../../model/conversation";
import type { ConversationFacts } from "../../model/conversation-facts";
import { appendixOf, draftNote, type NoteDraft } from "../transform/note-draft";
import { noteTitle } from "../transform/render-note";
import type { Provider } from "../../model/conversation";
import type { ImportIndex } from "../load/import-index";
import { sameTime } from "../load/load-decision";
import { LOG_BATCH_MS } from "./extract-stage";
import type { ImportOptions } from "./import-options";
import type { KnowledgeTransform } from "./knowledge-transform";

export type { NoteDraft } from "../transform/note-draft";

/** A conversation on its way to transform; the reader may have rendered its deterministic draft already. */
export interface Extracted {
	conversation: Conversation;
	/** Its id and title without touching `conversation` (which a reader in another thread sends as JSON, parsed when used). */
	facts?: ConversationFacts;
	draft?: NoteDraft;
	/** The conversation's JSON line, when the reader sent one (the run-ahead hand-off keeps it with a spilled draft). */
	line?: string;
	/**
	 * Found unchanged as written by extract (a re-import; see ExtractStageOptions.unchanged): its note's path. Such an
	 * item has no record in any stage: transform hands on its unrendered draft, marked in `quiet`, and load leaves it.
	 */
	asWritten?: string;
}

export interface TransformStageOptions {
	ctx: StageContext;
	conversations: AsyncIterable<Extracted>;
	options: ImportOptions;
	skip?: (id: string) => boolean;
	/** Each draft, in input order, for the load stage running at the same time (transform waits while load is behind). */
	handOff: (draft: NoteDraft) => Promise<void>;
	/** The LLM knowledge transform; absent → the deterministic note. */
	knowledge?: KnowledgeTransform;
	/** The import index: a conversation that grew since its note was written also gets its new turns alone (see NoteDraft.append). */
	index?: ImportIndex;
	/**
	 * A conversation's note path when it stands unchanged as written (as-written.ts, noteAsWritten): the draft is then
	 * not rendered. Asked only of a deterministic transform, and only for a conversation the reader sent no draft for.
	 */
	asWritten?: (conversation: { provider: Provider; id: string; updated: string | null }) => Promise<string | null>;
	/** Drafts of items found unchanged by extract (Extracted.asWritten) are added here: load logs none of them. */
	quiet?: WeakSet<NoteDraft>;
	/** Items to send to the model again, ignoring saved replies (a retry of review items). */
	fresh?: ReadonlySet<string>;
	/** Items in flight at once (the LLM's concurrency). Logs and hand-offs stay in input order. */
	concurrency?: number;
	/** See RunStageOptions.sharedLogReady. */
	sharedLogReady?: boolean;
	/** See RunStageOptions.stepLog (the import: "all" in debug mode only). */
	stepLog?: "all" | "failed";
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
}

/**
 * Transform: each extracted conversation → a note draft (or review, or skipped as too large), handed to load.
 * Drafts are not kept in the session: a resume renders again what load has not written yet (the deterministic
 * note is cheap, and the model's replies are kept in the vault's reply cache, `.staging/@cache/llm/`, so no call is
 * repeated).
 */
export async function runTransformStage(o: TransformStageOptions): Promise<StageResult> {
	const { ctx } = o;
	return runStage<Extracted, NoteDraft>({
		ctx,
		stage: "transform",
		// A resume redoes every item load has not finished, whatever its transform record says: batching is safe.
		logBatchMs: LOG_BATCH_MS,
		items: o.conversations,
		// Not destructured: `conversation` may be a getter that parses (see Extracted.facts), read only when needed.
		identify: (e) => (e.facts ? { id: e.facts.id, title: e.facts.title } : { id: e.conversation.id, title: e.conversation.title }),
		...(o.skip ? { skip: o.skip } : {}),
		...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
		handOff: o.handOff,
		process: async (extracted, step) => {
			const knowledge = o.knowledge;
			if (extracted.asWritten !== undefined && extracted.facts && o.quiet) {
				const draft = asWrittenDraft(extracted.facts, extracted.asWritten);
				if (draft) {
					o.quiet.add(draft);
					return { status: "success", quiet: true, output: draft };
				}
			}
			if (!knowledge) {
				const draft = await step.run("render_note", async () => {
					if (extracted.draft) return extracted.draft;
					const early = o.asWritten ? await unchangedDraft(extracted, o.asWritten) : null;
					return early ?? draftNote(extracted.conversation, ctx.sessionId, o.options);
				});
				// Updated at the source since its note was written: the new turns, for a note the user edited (load decides).
				const indexed = o.options.editedNotes === "append" ? await o.index?.get(draft.provider, draft.item_id) : null;
				if (indexed?.messages && !sameTime(indexed.sourceUpdated, draft.source_updated)) {
					const append = appendixOf(extracted.conversation, indexed.messages, o.options);
					if (append) draft.append = append;
				}
				return { status: "success", output: draft };
			}
			const conversation = extracted.conversation;
			const outcome = await step.run("extract_knowledge", () =>
				knowledge.transform(conversation, { fresh: o.fresh?.has(conversation.id) ?? false, ...(o.signal ? { signal: o.signal } : {}) }),
			);
			if (outcome.kind === "too_large") return { status: "skipped", reason: outcome.reason };
			if (outcome.kind === "kept") return { status: "success", reason: outcome.reason, output: outcome.draft };
			const draft = outcome.draft;
			return draft.review_reason !== undefined
				? { status: "review", reason: draft.review_reason, output: draft }
				: { status: "success", output: draft };
		},
		...(o.signal ? { signal: o.signal } : {}),
		...(o.onProgress ? { onProgress: o.onProgress } : {}),
		...(o.sharedLogReady ? { sharedLogReady: true } : {}),
		...(o.stepLog ? { stepLog: o.stepLog } : {}),
	});
}

/**
 * The draft of a conversation whose note stands unchanged as written, without rendering it: its ids, title and
 * times (load leaves the note; see NoteDraft.as_written). Null when it must be rendered: the facts do not tell
 * (a reader that sent none), it has attachments (load brings a note's files in even when it is unchanged), or the
 * note is not as written.
 */
async function unchangedDraft(extracted: Extracted, asWritten: NonNullable<TransformStageOptions["asWritten"]>): Promise<NoteDraft | null> {
	const facts = extracted.facts;
	if (!facts || facts.provider === undefined || facts.updated === undefined || facts.attachments !== false) return null;
	const path = await asWritten({ provider: facts.provider, id: facts.id, updated: facts.updated });
	return path === null ? null : asWrittenDraft(facts, path);
}

/** The unrendered draft of a conversation whose note at `path` stands unchanged as written (see unchangedDraft). */
function asWrittenDraft(facts: ConversationFacts, path: string): NoteDraft | null {
	if (facts.provider === undefined || facts.updated === undefined) return null;
	return {
		item_id: facts.id,
		provider: facts.provider,
		title: noteTitle(facts.title),
		source_updated: facts.updated,
		// Not the note's (never written): what the schema asks for.
		frontmatter: {
			title: noteTitle(facts.title),
			aliases: [],
			source: facts.provider,
			source_id: facts.id,
			message_count: facts.messageCount,
			tags: [],
			file_id: "",
			session: "",
		},
		body: "",
		as_written: path,
	};
}
