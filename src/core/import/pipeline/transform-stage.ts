import { z } from "zod";
import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import { ProviderSchema, type Conversation } from "../conversation";
import { renderNote } from "../transform/render-note";
import { NoteFrontmatterSchema } from "../transform/note-frontmatter";
import { LOG_BATCH_MS } from "./extract-stage";
import type { ImportOptions } from "./import-options";
import type { KnowledgeTransform } from "./knowledge-transform";

/**
 * A note as transform leaves it: everything but its place in the vault. Load picks the path, then sets
 * `file_id` (which hashes the body with the path) and writes the note.
 */
export const NoteDraftSchema = z.object({
	item_id: z.string(),
	provider: ProviderSchema,
	/** The title the file name is made from. */
	title: z.string(),
	/** The source's updated time (ISO) or null. */
	source_updated: z.string().nullable(),
	frontmatter: NoteFrontmatterSchema,
	body: z.string(),
	/** Set when the note must go to the review folder (LLM transform), with why. */
	review_reason: z.string().optional(),
});
export type NoteDraft = z.infer<typeof NoteDraftSchema>;

/** The deterministic transform: the conversation rendered as a note. */
export function draftNote(conversation: Conversation, sessionId: string, options: Pick<ImportOptions, "includeThinking">): NoteDraft {
	const rendered = renderNote(conversation, { sessionId, notePath: "", deferFileId: true, includeThinking: options.includeThinking });
	return {
		item_id: conversation.id,
		provider: conversation.provider,
		title: rendered.frontmatter.title,
		source_updated: conversation.updated,
		frontmatter: rendered.frontmatter,
		body: rendered.body,
	};
}

export interface TransformStageOptions {
	ctx: StageContext;
	conversations: AsyncIterable<Conversation>;
	options: ImportOptions;
	skip?: (id: string) => boolean;
	/** Each draft, in input order, for the load stage running at the same time (transform waits while load is behind). */
	handOff: (draft: NoteDraft) => Promise<void>;
	/** The LLM knowledge transform; absent → the deterministic note. */
	knowledge?: KnowledgeTransform;
	/** Items to send to the model again, ignoring saved replies (a retry of review items). */
	fresh?: ReadonlySet<string>;
	/** Items in flight at once (the LLM's concurrency). Logs and hand-offs stay in input order. */
	concurrency?: number;
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
}

/**
 * Transform: each extracted conversation → a note draft (or review, or skipped as too large), handed to load.
 * Drafts are not kept in the session: a resume renders again what load has not written yet (the deterministic
 * note is cheap, and the model's replies are kept in `transform/output/llm-replies.jsonl`, so no call is repeated).
 */
export async function runTransformStage(o: TransformStageOptions): Promise<StageResult> {
	const { ctx } = o;
	return runStage<Conversation, NoteDraft>({
		ctx,
		stage: "transform",
		// A resume redoes every item load has not finished, whatever its transform record says: batching is safe.
		logBatchMs: LOG_BATCH_MS,
		items: o.conversations,
		identify: (c) => ({ id: c.id, title: c.title }),
		...(o.skip ? { skip: o.skip } : {}),
		...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
		handOff: o.handOff,
		process: async (conversation, step) => {
			const knowledge = o.knowledge;
			if (!knowledge) {
				const draft = await step.run("render_note", () => Promise.resolve(draftNote(conversation, ctx.sessionId, o.options)));
				return { status: "success", output: draft };
			}
			const outcome = await step.run("extract_knowledge", () =>
				knowledge.transform(conversation, { fresh: o.fresh?.has(conversation.id) ?? false, ...(o.signal ? { signal: o.signal } : {}) }),
			);
			if (outcome.kind === "too_large") return { status: "skipped", reason: outcome.reason };
			const draft = outcome.draft;
			return draft.review_reason !== undefined ? { status: "review", reason: draft.review_reason, output: draft } : { status: "success", output: draft };
		},
		...(o.signal ? { signal: o.signal } : {}),
		...(o.onProgress ? { onProgress: o.onProgress } : {}),
	});
}
