import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import { ConversationSchema, type Conversation } from "../../model/conversation";
import { conversationFacts, type ConversationFacts } from "../../model/conversation-facts";
import type { ExportReader, ExtractResult, ReadOptions } from "../extract";
import type { Extracted } from "./transform-stage";
import { stageOutputDir } from "../../session/paths";
import type { StagingStore } from "../../ports/staging-store";
import type { Logger } from "../../ports/logger";
import { readShards, removeShards, ShardWriter, type ShardLedger } from "./jsonl-shards";
import type { ImportOptions } from "./import-options";
import { StringHashSet } from "../../util/hash64";
import { unchangedItemsFile, writeUnchangedItems } from "../../logs/pipeline-stages";

export const CONVERSATION_SHARDS = "conversations";

/** Extract and transform append their log records at most this often (see RunStageOptions.logBatchMs). */
export const LOG_BATCH_MS = 200;

export function extractOutputDir(sessionId: string): string {
	return stageOutputDir(sessionId, "import", "extract");
}

/** The conversations extract wrote, in export order (what transform reads; the export itself is not needed). */
export function readExtractedConversations(store: StagingStore, sessionId: string, logger?: Logger): AsyncGenerator<Conversation> {
	return readShards(store, extractOutputDir(sessionId), CONVERSATION_SHARDS, ConversationSchema(), logger);
}

function extractedOf(r: Extract<ExtractResult, { ok: true }>): Extracted {
	// A getter: the reader may make the conversation only when it is used (see ExtractResult.facts).
	const extracted: Extracted = {
		get conversation(): Conversation {
			return r.conversation;
		},
		facts: factsOf(r),
	};
	if (r.draft) extracted.draft = r.draft;
	if (r.line !== undefined) extracted.line = r.line;
	return extracted;
}

/** The facts the reader sent (see ConversationFacts), or those of the conversation; kept on the result. */
function factsOf(r: Extract<ExtractResult, { ok: true }>): ConversationFacts {
	return (r.facts ??= conversationFacts(r.conversation));
}

/**
 * Whether the import takes a conversation, from the session's `select` (ids) and `since` (a time): null when it takes
 * every one. Those it does not take never enter the session (not even as skipped): the session is the selection.
 * A conversation with no time passes `since` (nothing says it is older).
 */
export function choice(options: Pick<ImportOptions, "select" | "since">): ((facts: ConversationFacts) => boolean) | null {
	const ids = options.select ? new Set(options.select) : null;
	const since = options.since !== undefined ? Date.parse(options.since) : Number.NaN;
	if (ids === null && Number.isNaN(since)) return null;
	return (facts) => {
		if (ids !== null && !ids.has(facts.id)) return false;
		if (Number.isNaN(since) || facts.time === undefined || facts.time === null) return true;
		const t = Date.parse(facts.time);
		return Number.isNaN(t) || t >= since;
	};
}

export interface ExtractStageOptions {
	ctx: StageContext;
	reader: ExportReader;
	options: ImportOptions;
	/** Start over (the stage never completed): earlier output is removed and every item is processed. */
	fresh: boolean;
	/** Retry: items already done in extract are passed over (not extracted or logged again). */
	skip?: (id: string) => boolean;
	/**
	 * Each conversation extracted, in export order, for the transform stage running at the same time (it waits
	 * while transform is behind). With `skip`, passed-over conversations for which `handOnSkipped` is true go too.
	 */
	handOff?: (extracted: Extracted) => Promise<void>;
	handOnSkipped?: (id: string) => boolean;
	/** Asks the reader for deterministic drafts (see ReadOptions); absent with an LLM transform. */
	read?: ReadOptions;
	/** See RunStageOptions.sharedLogReady. */
	sharedLogReady?: boolean;
	/** See RunStageOptions.stepLog (the import: "all" in debug mode only). */
	stepLog?: "all" | "failed";
	/** Told after each flush of `extract/output/` how many conversations are on disk in all (see RunAheadHandOff). */
	onWritten?: (records: number) => void;
	/**
	 * false: no copy of the conversations in `extract/output/` (ImportOptions.keepConversations; a resume reads the
	 * export again). Default true.
	 */
	keepCopies?: boolean;
	/** Filled with the ids of each shard file this stage writes (see ShardLedger; the session's compaction uses it). */
	ledger?: ShardLedger;
	/**
	 * A re-import's early answer (fresh runs only): the path of the conversation's note when it stands unchanged as
	 * written (as-written.ts), else null. Such a conversation is not kept in `extract/output/` and has no record in
	 * any stage: it goes on marked `asWritten` (see Extracted), and its number is kept in `pipeline_unchanged.json`.
	 */
	unchanged?: (facts: ConversationFacts) => Promise<string | null>;
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
}

/**
 * Extract: every conversation of the inputs, validated and normalised, appended to `extract/output/` as JSONL.
 * Conversations with no content are skipped (`empty`), as are those under the minimum message count; repeats of
 * an id met earlier in the same export are dropped (with a warning). A malformed conversation fails alone.
 */
// Long on purpose: one loop over the export with what extract keeps per run (ids seen, the shard ledger, the counts)
// in closures.
export async function runExtractStage(o: ExtractStageOptions): Promise<StageResult> {
	const { ctx, reader, options } = o;
	const dir = extractOutputDir(ctx.sessionId);
	if (o.fresh) {
		await removeShards(ctx.store, dir, CONVERSATION_SHARDS);
		// Decided again item by item in this run.
		await ctx.store.remove(unchangedItemsFile(ctx.sessionId, ctx.phaseType));
	}
	const writer = new ShardWriter(ctx.store, dir, CONVERSATION_SHARDS);
	if (o.onWritten) writer.onFlushed = o.onWritten;
	if (o.ledger) writer.ledger = o.ledger;
	// Fingerprints, not the ids: a million conversations cost 16 MB here, not a hundred (see StringHashSet).
	const seen = new StringHashSet();
	/** Conversations whose id appeared earlier in the export: skipped (issue 15), never a second note. */
	const repeated = new WeakSet<object>();
	let extracted = 0;
	// How far the reading is: the position of the latest conversation taken, out of all the inputs' bytes.
	const total = reader.totalBytes;
	let position = 0;
	const limit = options.limit;
	const chosen = choice(options);
	let passedOver = 0;

	// A conversation whose id appeared earlier in this export is the same item: it is dropped before the stage
	// runner sees it, so that its record cannot replace the first one's (which would count an imported note as
	// skipped).
	/**
	 * A result the reader took from a look at its element (ExtractResult.quick): kept so when its note stands unchanged
	 * as written (its path noted: `process` asks no more), else parsed whole, before anything is decided of it (its
	 * title, whether it is a repeat, its failure). A look says nothing of the message count: taken only with a minimum
	 * of one (what a written note had).
	 */
	async function settled(r: Extract<ExtractResult, { ok: true }>, quick: NonNullable<typeof r.quick>): Promise<ExtractResult> {
		const facts = factsOf(r);
		if (o.unchanged && options.minMessages <= 1 && !seen.has(facts.id) && (chosen === null || chosen(facts)) && !o.skip?.(facts.id)) {
			const asWritten = await o.unchanged(facts);
			if (asWritten !== null) {
				r.asWritten = asWritten;
				return r;
			}
		}
		return quick.full();
	}

	async function* limited(): AsyncGenerator<ExtractResult> {
		for await (const taken of reader.conversations(o.read)) {
			if (limit !== undefined && extracted >= limit) return;
			const r = taken.ok && taken.quick ? await settled(taken, taken.quick) : taken;
			if (r.position !== undefined) position = r.position;
			if (r.ok) {
				const { id } = factsOf(r);
				if (seen.has(id)) {
					ctx.logger.warn(`${r.source}, conversation ${r.index + 1}: the id ${id} appears earlier in this export; using the first one`);
					// Reported as skipped under an id of its own (`<id>#<n>`), so that the first one's record stands.
					if (!o.skip?.(`${id}#${r.index + 1}`)) {
						repeated.add(r);
						yield r;
					}
					continue;
				}
				seen.add(id);
				if (chosen !== null && !chosen(factsOf(r))) {
					passedOver++;
					continue;
				}
				if (o.skip?.(id)) {
					// Extracted in an earlier run: not again, but later stages may still need it (a retry of a failed load).
					if (o.handOff && o.handOnSkipped?.(id)) {
						await r.fetchLine?.();
						await o.handOff(extractedOf(r));
					}
					continue;
				}
			}
			yield r;
		}
		if (total !== undefined) position = total; // read to the end
		if (passedOver > 0) ctx.logger.info(`${passedOver} conversation(s) outside the selection (select / since) were passed over`);
	}

	try {
		return await runStage<ExtractResult, Extracted>({
			ctx,
			stage: "extract",
			// Its output is all-or-nothing (a stage that never completed starts over), so the log appends can be batched.
			logBatchMs: LOG_BATCH_MS,
			...(total !== undefined && total > 0 ? { input: () => ({ bytes_read: Math.min(position, total), bytes_total: total }) } : {}),
			items: limited(),
			identify: (r) => {
				if (!r.ok) return { id: r.itemId ?? `${r.source}#${r.index}`, ...(r.title !== undefined ? { title: r.title } : {}) };
				const { id, title } = factsOf(r);
				return { id: repeated.has(r) ? `${id}#${r.index + 1}` : id, title };
			},
			...(o.handOff ? { handOff: o.handOff } : {}),
			process: async (r, step) => {
				if (!r.ok) throw new Error(`${r.source}, conversation ${r.index + 1}: ${r.reason}`);
				const facts = factsOf(r);
				if (repeated.has(r))
					return {
						status: "skipped",
						reason: `duplicate: the id ${facts.id} appears earlier in this export (${r.source}, conversation ${r.index + 1}); the first one is imported`,
					};
				return step.run("validate", async () => {
					if (!facts.hasContent) return { status: "skipped", reason: "empty" };
					if (facts.messageCount < options.minMessages) {
						return { status: "skipped", reason: `too_few_messages: ${facts.messageCount} < ${options.minMessages}` };
					}
					// Its note stands as written (a re-import): nothing to keep, nothing to log of it alone.
					const asWritten = r.asWritten ?? (o.unchanged ? await o.unchanged(facts) : null);
					if (asWritten !== null) {
						extracted++;
						const output = extractedOf(r); // not spread: its conversation is a getter that parses
						output.asWritten = asWritten;
						return { status: "success", quiet: true, output };
					}
					// The line, when the reader sent one (or held it back: asked for now): the conversation need not be parsed here.
					if (r.line === undefined) await r.fetchLine?.();
					if (o.keepCopies !== false) await writer.writeLine(r.line ?? JSON.stringify(r.conversation), facts.id);
					extracted++;
					return { status: "success", output: extractedOf(r) };
				});
			},
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {}),
			...(o.sharedLogReady ? { sharedLogReady: true } : {}),
			...(o.stepLog ? { stepLog: o.stepLog } : {}),
			...(o.unchanged ? { onQuiet: (n: number) => writeUnchangedItems(ctx.store, ctx.sessionId, ctx.phaseType, n) } : {}),
		});
	} finally {
		await writer.flush();
	}
}
