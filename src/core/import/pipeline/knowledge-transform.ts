import { z } from "zod";
import { appendJsonl, readJsonl } from "../../logs/jsonl";
import { extractKnowledge, planKnowledge, type RawReply } from "../../llm/extract-knowledge";
import type { LlmClient } from "../../llm/llm-client";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { stageDir, stageOutputDir } from "../../session/paths";
import type { Conversation } from "../conversation";
import { renderKnowledgeNote } from "../transform/render-knowledge-note";
import type { ImportLlmOptions, ImportOptions } from "./import-options";
import type { NoteDraft } from "../transform/note-draft";

/**
 * The LLM side of the transform stage. Every model reply is appended to `transform/output/llm-replies.jsonl`
 * the moment it arrives, so a resume or a re-run never pays for the same call twice.
 */
const SavedReplySchema = z.object({
	item_id: z.string(),
	part: z.number(),
	totalParts: z.number(),
	promptHash: z.string(),
	model: z.string(),
	content: z.string(),
	promptTokens: z.number().optional(),
	completionTokens: z.number().optional(),
});

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
}

export type KnowledgeOutcome = { kind: "draft"; draft: NoteDraft } | { kind: "too_large"; reason: string };

export class KnowledgeTransform {
	private saved = new Map<string, RawReply[]>();

	private constructor(private readonly o: KnowledgeTransformOptions) {}

	static async open(o: KnowledgeTransformOptions): Promise<KnowledgeTransform> {
		const t = new KnowledgeTransform(o);
		const { records } = await readJsonl(o.store, repliesFile(o.sessionId), { schema: SavedReplySchema, logger: o.logger });
		for (const { item_id, ...reply } of records) t.saved.set(item_id, [...(t.saved.get(item_id) ?? []), reply]);
		return t;
	}

	/**
	 * One conversation → a knowledge note draft (or a review draft). `fresh` ignores saved replies: a retry of an
	 * item that went to review asks the model again.
	 */
	async transform(conversation: Conversation, opts: { fresh: boolean; signal?: AbortSignal }): Promise<KnowledgeOutcome> {
		const { client, llm, sessionId, store } = this.o;
		const plan = { language: llm.language, contextChars: llm.contextChars, onTooLarge: llm.onTooLarge } as const;
		let result;
		try {
			result = await extractKnowledge(conversation, {
				...plan,
				client,
				...(opts.signal ? { signal: opts.signal } : {}),
				saved: opts.fresh ? [] : (this.saved.get(conversation.id) ?? []),
				onReply: async (reply) => {
					await appendJsonl(store, repliesFile(sessionId), [{ item_id: conversation.id, ...reply }]);
					this.saved.set(conversation.id, [...(this.saved.get(conversation.id) ?? []), reply]);
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
		const base = { sessionId, includeTranscript: llm.includeTranscript, includeThinking: this.o.options.includeThinking };
		if (result.status === "review") {
			await this.keepError(conversation, `review: ${result.reason}`, result.rawReplies);
			const k = result.knowledge;
			const note = renderKnowledgeNote(
				conversation,
				{ ...(k?.title ? { title: k.title } : {}), ...(k?.summary ? { summary: k.summary } : {}), tags: k?.tags ?? [], ...(k?.content ? { content: k.content } : {}) },
				{ ...base, model: result.rawReplies[0]?.model ?? client.model, reviewReason: result.reason },
			);
			return { kind: "draft", draft: this.draft(conversation, note, result.reason) };
		}
		const k = result.knowledge;
		const note = renderKnowledgeNote(conversation, { title: k.title, summary: k.summary, tags: k.tags, content: k.content }, { ...base, model: k.model });
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
		};
	}

	/** Errors and review reasons keep the prompt and the raw reply (truncated) in `transform/errors.jsonl`. */
	private async keepError(conversation: Conversation, error: string, replies: RawReply[] = []): Promise<void> {
		const { store, sessionId, llm } = this.o;
		const plan = planKnowledge(conversation, { language: llm.language, contextChars: llm.contextChars, onTooLarge: llm.onTooLarge });
		const prompt = plan.kind === "calls" ? plan.calls.map((c) => c.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n")).join("\n\n---\n\n") : "";
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
		const prompts = plan.kind === "calls" ? plan.calls.map((c) => `# Part ${c.part} of ${c.totalParts}\n\n${c.messages.map((m) => `## ${m.role}\n\n${m.content}`).join("\n\n")}`).join("\n\n") : "(too large: no call)";
		await store.writeAtomic(`${dir}/${safeId(conversation.id)}.prompt.md`, `${prompts}\n`);
		await store.writeAtomic(`${dir}/${safeId(conversation.id)}.reply.md`, `${replies.map((r) => `# Part ${r.part} of ${r.totalParts} (${r.model})\n\n${r.content}`).join("\n\n")}\n`);
	}
}
