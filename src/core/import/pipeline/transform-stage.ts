import { z } from "zod";
import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { stageOutputDir } from "../../session/paths";
import { ProviderSchema, type Conversation } from "../conversation";
import { renderNote } from "../transform/render-note";
import { NoteFrontmatterSchema } from "../transform/note-frontmatter";
import { LOG_BATCH_MS } from "./extract-stage";
import { readShards, ShardWriter } from "./jsonl-shards";
import type { ImportOptions } from "./import-options";
import type { KnowledgeTransform } from "./knowledge-transform";

export const NOTE_SHARDS = "notes";

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

export function transformOutputDir(sessionId: string): string {
	return stageOutputDir(sessionId, "import", "transform");
}

export function readNoteDrafts(store: StagingStore, sessionId: string, logger?: Logger): AsyncGenerator<NoteDraft> {
	return readShards(store, transformOutputDir(sessionId), NOTE_SHARDS, NoteDraftSchema, logger);
}

/** Item ids that transform has already written (resume: the output, not the log, is the proof of work). */
export async function draftedIds(store: StagingStore, sessionId: string, logger?: Logger): Promise<Set<string>> {
	const ids = new Set<string>();
	for await (const d of readNoteDrafts(store, sessionId, logger)) ids.add(d.item_id);
	return ids;
}

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
	/** The LLM knowledge transform; absent → the deterministic note. */
	knowledge?: KnowledgeTransform;
	/** Items to send to the model again, ignoring saved replies (a retry of review items). */
	fresh?: ReadonlySet<string>;
	/** Items in flight at once (the LLM's concurrency). Logs and outputs stay in input order. */
	concurrency?: number;
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
}

/** Transform: each extracted conversation → a note draft in `transform/output/` (or review, or skipped as too large). */
export async function runTransformStage(o: TransformStageOptions): Promise<StageResult> {
	const { ctx } = o;
	const writer = new ShardWriter<NoteDraft>(ctx.store, transformOutputDir(ctx.sessionId), NOTE_SHARDS);
	try {
		return await runStage<Conversation>({
			ctx,
			stage: "transform",
			// Its output shards, not the log, prove an item done (draftedIds), so the log appends can be batched.
			logBatchMs: LOG_BATCH_MS,
			items: o.conversations,
			identify: (c) => ({ id: c.id, title: c.title }),
			...(o.skip ? { skip: o.skip } : {}),
			...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
			process: async (conversation, step) => {
				const knowledge = o.knowledge;
				if (!knowledge) {
					const draft = await step.run("render_note", () => Promise.resolve(draftNote(conversation, ctx.sessionId, o.options)));
					await step.run("write_to_session", () => writer.write(draft));
					return { status: "success" };
				}
				const outcome = await step.run("extract_knowledge", () =>
					knowledge.transform(conversation, { fresh: o.fresh?.has(conversation.id) ?? false, ...(o.signal ? { signal: o.signal } : {}) }),
				);
				if (outcome.kind === "too_large") return { status: "skipped", reason: outcome.reason };
				await step.run("write_to_session", () => writer.write(outcome.draft));
				return outcome.draft.review_reason !== undefined ? { status: "review", reason: outcome.draft.review_reason } : { status: "success" };
			},
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {}),
		});
	} finally {
		await writer.flush();
	}
}
