import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import type { Conversation } from "../../model/conversation";
import type { ConversationFacts } from "../../model/conversation-facts";
import { appendixOf, draftNote, type NoteDraft } from "../transform/note-draft";
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
	/** Items to send to the model again, ignoring saved replies (a retry of review items). */
	fresh?: ReadonlySet<string>;
	/** Items in flight at once (the LLM's concurrency). Logs and hand-offs stay in input order. */
	concurrency?: number;
	/** See RunStageOptions.sharedLogReady. */
	sharedLogReady?: boolean;
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
			if (!knowledge) {
				const draft = await step.run("render_note", () =>
					Promise.resolve(extracted.draft ?? draftNote(extracted.conversation, ctx.sessionId, o.options)),
				);
				// Updated at the source since its note was written: the new turns, for a note the user edited (load decides).
				const indexed = o.options.editedNotes === "append" ? o.index?.get(draft.provider, draft.item_id) : null;
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
	});
}
