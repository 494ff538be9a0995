import * as z from "../../model/zod";
import { appendJsonl, readJsonl } from "../../logs/jsonl";
import { extractKnowledge, planKnowledge, type RawReply } from "../../llm/extract-knowledge";
import type { LlmClient } from "../../llm/llm-client";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { stageDir, stageOutputDir } from "../../session/paths";
import type { Conversation } from "../../model/conversation";
import { renderKnowledgeNote } from "../transform/render-knowledge-note";
import type { ImportLlmOptions, ImportOptions } from "./import-options";
import { draftNote, type NoteDraft } from "../transform/note-draft";
import { LlmReplyCache, type ReplyKey } from "../../llm/reply-cache";
import { KNOWLEDGE_PROMPT_VERSION } from "../../llm/prompt";
import { sha256Hex } from "../../util/sha256";
import type { ImportIndex } from "../load/import-index";
import { sameTime } from "../load/load-decision";

/**
 * The LLM side of the transform stage. No model call is paid for twice:
 * - before any call, the import index tells whether the conversation is unchanged at the source since its note
 *   was written with the same knowledge key (model, settings, prompt version, note options): then no call at all;
 * - every reply is kept the moment it arrives in the vault's reply cache (`.staging/@cache/llm/`, see
 *   reply-cache.ts), so a resume, a retry, a new session or a re-import after a crash reuses it.
 * Sessions written before the cache kept their replies in `transform/output/llm-replies.jsonl`: still read.
 */
const SavedReplySchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		item_id: z.string(),
		part: z.number(),
		totalParts: z.number(),
		promptHash: z.string(),
		model: z.string(),
		content: z.string(),
		promptTokens: z.optional(z.number()),
		completionTokens: z.optional(z.number()),
	}),
);

const TRUNCATE = 5000;

function truncate(text: string): string {
	return text.length > TRUNCATE ? `${text.slice(0, TRUNCATE)}… (truncated)` : text;
}

function repliesFile(sessionId: string): string {
	return `${stageOutputDir(sessionId, "import", "transform")}/llm-replies.jsonl`;
}

/** A file-name-safe form of an item id, for debug files. */
function safeId(id: string): string {
	return id.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);
}

export interface KnowledgeTransformOptions {
	store: StagingStore;
	sessionId: string;
	client: LlmClient;
	llm: ImportLlmOptions;
	options: ImportOptions;
	debugMode: boolean;
	logger: Logger;
	/** The import index: an unchanged conversation whose note has this key needs no call (absent: always call). */
	index?: ImportIndex;
	/** `--llm-refresh`: ask the model again, ignoring the index and the replies of other sessions. */
	refresh?: boolean;
	/** The reply cache (default: the vault's, in `store`). */
	cache?: LlmReplyCache;
	/** For the cache entries' time (default: now). */
	now?: () => Date;
}

export type KnowledgeOutcome =
	{ kind: "draft"; draft: NoteDraft } | { kind: "too_large"; reason: string } | { kind: "kept"; draft: NoteDraft; reason: string };

/**
 * Everything besides the conversation that shapes a knowledge note: the model and its settings, the prompt's
 * version, and the options of the call plan and of the note. Recorded with each note in the import index.
 */
export function knowledgeKey(
	client: Pick<LlmClient, "model" | "settings">,
	llm: ImportLlmOptions,
	options: Pick<ImportOptions, "includeThinking" | "timeZone">,
): string {
	const parts: unknown[] = [
		client.model,
		client.settings ?? "",
		KNOWLEDGE_PROMPT_VERSION,
		llm.language,
		llm.contextChars,
		llm.onTooLarge,
		llm.includeTranscript,
		options.includeThinking,
	];
	// The note's times and transcript headings follow the zone; UTC (the default) leaves keys as they were before.
	if (options.timeZone !== undefined && options.timeZone !== "UTC") parts.push(options.timeZone);
	return `k1:${sha256Hex(JSON.stringify(parts)).slice(0, 16)}`;
}

export class KnowledgeTransform {
	private saved = new Map<string, RawReply[]>();
	private readonly cache: LlmReplyCache;
	readonly key: string;
	/** Calls answered from the cache, and calls not made because the index said the note is current (this run). */
	readonly reused = { cached: 0, skipped: 0 };

	private constructor(private readonly o: KnowledgeTransformOptions) {
		this.cache = o.cache ?? new LlmReplyCache(o.store, o.logger);
		this.key = knowledgeKey(o.client, o.llm, o.options);
	}

	static async open(o: KnowledgeTransformOptions): Promise<KnowledgeTransform> {
		const t = new KnowledgeTransform(o);
		const { records } = await readJsonl(o.store, repliesFile(o.sessionId), { schema: SavedReplySchema(), logger: o.logger });
		for (const { item_id, ...reply } of records) t.saved.set(item_id, [...(t.saved.get(item_id) ?? []), reply]);
		return t;
	}

	/**
	 * One conversation → a knowledge note draft (or a review draft). `fresh` ignores saved replies: a retry of an
	 * item that went to review asks the model again.
	 */
	async transform(conversation: Conversation, opts: { fresh: boolean; signal?: AbortSignal }): Promise<KnowledgeOutcome> {
		const { client, llm, sessionId } = this.o;
		const plan = { language: llm.language, contextChars: llm.contextChars, onTooLarge: llm.onTooLarge } as const;
		const kept = opts.fresh || this.o.refresh ? null : await this.unchanged(conversation);
		if (kept) return kept;
		const keyOf = (call: { part: number; totalParts: number; promptHash: string }): ReplyKey => ({
			provider: conversation.provider,
			conversationId: conversation.id,
			part: call.part,
			totalParts: call.totalParts,
			promptHash: call.promptHash,
			promptVersion: KNOWLEDGE_PROMPT_VERSION,
			model: client.model,
			settings: client.settings ?? "",
		});
		let result;
		try {
			result = await extractKnowledge(conversation, {
				...plan,
				client,
				...(opts.signal ? { signal: opts.signal } : {}),
				saved: opts.fresh ? [] : (this.saved.get(conversation.id) ?? []),
				...(opts.fresh
					? {}
					: {
							lookup: async (call) => {
								const hit = await this.cache.get(keyOf(call), this.o.refresh ? { onlySession: sessionId } : {});
								if (hit) this.reused.cached++;
								return hit;
							},
						}),
				onReply: async (reply) => {
					await this.cache.put(keyOf(reply), reply, { sessionId, savedAt: (this.o.now?.() ?? new Date()).toISOString() });
				},
			});
		} catch (error) {
			await this.keepError(conversation, error instanceof Error ? error.message : String(error));
			throw error;
		}
		if (this.o.debugMode) await this.keepDebug(conversation, result.status === "too_large" ? [] : result.rawReplies);
		if (result.status === "too_large") {
			return { kind: "too_large", reason: `too_large: ${result.conversationChars} characters, over the ${result.contextChars} budget` };
		}
		const base = {
			sessionId,
			includeTranscript: llm.includeTranscript,
			includeThinking: this.o.options.includeThinking,
			...(this.o.options.timeZone !== undefined ? { timeZone: this.o.options.timeZone } : {}),
		};
		if (result.status === "review") {
			await this.keepError(conversation, `review: ${result.reason}`, result.rawReplies);
			const k = result.knowledge;
			const note = renderKnowledgeNote(
				conversation,
				{
					...(k?.title ? { title: k.title } : {}),
					...(k?.summary ? { summary: k.summary } : {}),
					tags: k?.tags ?? [],
					...(k?.content ? { content: k.content } : {}),
				},
				{ ...base, model: result.rawReplies[0]?.model ?? client.model, reviewReason: result.reason },
			);
			return { kind: "draft", draft: this.draft(conversation, note, result.reason) };
		}
		const k = result.knowledge;
		const note = renderKnowledgeNote(
			conversation,
			{ title: k.title, summary: k.summary, tags: k.tags, content: k.content },
			{ ...base, model: k.model },
		);
		return { kind: "draft", draft: this.draft(conversation, note) };
	}

	private draft(conversation: Conversation, note: ReturnType<typeof renderKnowledgeNote>, reviewReason?: string): NoteDraft {
		return {
			item_id: conversation.id,
			provider: conversation.provider,
			title: note.frontmatter.title,
			source_updated: conversation.updated,
			frontmatter: note.frontmatter,
			body: note.body,
			...(reviewReason !== undefined ? { review_reason: reviewReason } : {}),
			llm_key: this.key,
		};
	}

	/**
	 * The index says this conversation's note was written from the same source (its updated time) with the same
	 * knowledge key: a new reply could change nothing (load leaves such a note as it is, edited or not), so none is
	 * asked for. A conversation with no updated time is never taken as unchanged.
	 */
	private async unchanged(conversation: Conversation): Promise<KnowledgeOutcome | null> {
		const indexed = await this.o.index?.get(conversation.provider, conversation.id);
		if (!indexed || indexed.llmKey !== this.key || conversation.updated === null || !sameTime(indexed.sourceUpdated, conversation.updated))
			return null;
		this.reused.skipped++;
		const draft = draftNote(conversation, this.o.sessionId, { includeThinking: this.o.options.includeThinking });
		return {
			kind: "kept",
			draft: { ...draft, llm_key: this.key, keep: true },
			reason: `unchanged at the source since its note was written (${indexed.path}): no model call`,
		};
	}

	/** Errors and review reasons keep the prompt and the raw reply (truncated) in `transform/errors.jsonl`. */
	private async keepError(conversation: Conversation, error: string, replies: RawReply[] = []): Promise<void> {
		const { store, sessionId, llm } = this.o;
		const plan = planKnowledge(conversation, { language: llm.language, contextChars: llm.contextChars, onTooLarge: llm.onTooLarge });
		const prompt =
			plan.kind === "calls"
				? plan.calls.map((c) => c.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n")).join("\n\n---\n\n")
				: "";
		await appendJsonl(store, `${stageDir(sessionId, "import", "transform")}/errors.jsonl`, [
			{
				timestamp: new Date().toISOString(),
				item_id: conversation.id,
				title: conversation.title,
				error,
				llm_prompt: truncate(prompt),
				llm_output: truncate(replies.map((r) => r.content).join("\n\n---\n\n")),
			},
		]);
	}

	/** Debug mode keeps every prompt and raw reply per item under `transform/llm/`. */
	private async keepDebug(conversation: Conversation, replies: RawReply[]): Promise<void> {
		const { store, sessionId, llm } = this.o;
		const dir = `${stageDir(sessionId, "import", "transform")}/llm`;
		const plan = planKnowledge(conversation, { language: llm.language, contextChars: llm.contextChars, onTooLarge: llm.onTooLarge });
		const prompts =
			plan.kind === "calls"
				? plan.calls
						.map((c) => `# Part ${c.part} of ${c.totalParts}\n\n${c.messages.map((m) => `## ${m.role}\n\n${m.content}`).join("\n\n")}`)
						.join("\n\n")
				: "(too large: no call)";
		await store.writeAtomic(`${dir}/${safeId(conversation.id)}.prompt.md`, `${prompts}\n`);
		await store.writeAtomic(
			`${dir}/${safeId(conversation.id)}.reply.md`,
			`${replies.map((r) => `# Part ${r.part} of ${r.totalParts} (${r.model})\n\n${r.content}`).join("\n\n")}\n`,
		);
	}
}
