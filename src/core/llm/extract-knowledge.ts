import type { Conversation } from "../model/conversation";
import { EmptyResponseError, ValidationError } from "../retry/errors";
import { sha256Hex } from "../util/sha256";
import { mergeKnowledge, splitForContext } from "./chunking";
import type { ChatMessage, LlmClient } from "./llm-client";
import { parseKnowledge, type ParsedKnowledge } from "./parse-knowledge";
import { buildKnowledgePrompt, type OutputLanguage } from "./prompt";
import { decideReview } from "./review";
import { buildTranscript } from "./transcript";

/**
 * The knowledge step for one conversation: plan the calls (one, or one per part of a long conversation), call
 * the model for each part that has no saved reply, parse, merge, and decide ok or review.
 *
 * Saving and resuming: each reply is handed to `onReply` (and awaited) as soon as it arrives, so the caller can
 * keep it at once (the vault's reply cache); on a later run the caller passes those replies back as `saved` (or finds
 * them through `lookup`), and a part whose prompt hash matches a saved reply is not sent again.
 *
 * Failures: an empty reply after all retries (EmptyResponseError) or a reply body that is not the expected JSON
 * (ValidationError) sends the item to review; the other parts are still called so their replies are saved.
 * Transport failures after all retries (NetworkError, TimeoutError, HttpStatusError), LlmUnavailableError and
 * aborts are thrown: the item fails (and can be retried) rather than filling the review queue while a server is down.
 */

export interface PlannedCall {
	/** 1-based part index and total (1 of 1 when the conversation fits). */
	part: number;
	totalParts: number;
	messages: ChatMessage[];
	/** SHA-256 (hex) of the prompt messages: the key for saved replies. */
	promptHash: string;
}

export type KnowledgePlan =
	| { kind: "calls"; conversationChars: number; calls: PlannedCall[] }
	| { kind: "too_large"; conversationChars: number; contextChars: number };

export interface PlanOptions {
	language: OutputLanguage;
	/** Budget of transcript characters per call (see defaultContextChars). */
	contextChars: number;
	/** Messages repeated at the start of the next part (default 2). */
	overlapMessages?: number;
	/** Over the budget: split into parts and merge, or give up on the item as too large. */
	onTooLarge: "split" | "skip";
}

export interface RawReply {
	part: number;
	totalParts: number;
	promptHash: string;
	model: string;
	content: string;
	promptTokens?: number;
	completionTokens?: number;
}

export interface ExtractOptions extends PlanOptions {
	client: LlmClient;
	signal?: AbortSignal;
	/** Replies from an earlier run; a part whose promptHash matches is not sent again. */
	saved?: readonly RawReply[];
	/** Called (and awaited) with each new reply as soon as it arrives. */
	onReply?: (reply: RawReply) => void | Promise<void>;
	/** A reply kept elsewhere (the vault's reply cache) for a call with no saved reply; null = call the model. */
	lookup?: (call: PlannedCall) => Promise<RawReply | null>;
}

export interface Knowledge {
	title: string;
	summary: string;
	tags: string[];
	content: string;
	/** The model that wrote it (of the first reply). */
	model: string;
	parts: number;
	/** Parser notes that did not send the item to review. */
	problems: string[];
}

export type ExtractResult =
	| { status: "ok"; knowledge: Knowledge; rawReplies: RawReply[]; conversationChars: number }
	| { status: "review"; reason: string; knowledge?: ParsedKnowledge; rawReplies: RawReply[]; conversationChars: number }
	| { status: "too_large"; conversationChars: number; contextChars: number };

export function hashPrompt(messages: ChatMessage[]): string {
	return sha256Hex(JSON.stringify(messages.map((m) => [m.role, m.content])));
}

/** The calls extractKnowledge would make (also for debug mode, which keeps each prompt). */
export function planKnowledge(conversation: Conversation, options: PlanOptions): KnowledgePlan {
	const transcript = buildTranscript(conversation);
	const conversationChars = transcript.length;
	const prompt = (text: string, part?: { index: number; total: number }): ChatMessage[] =>
		buildKnowledgePrompt({ conversation, transcript: text, language: options.language, ...(part ? { part } : {}) });

	if (conversationChars <= options.contextChars) {
		const messages = prompt(transcript);
		return { kind: "calls", conversationChars, calls: [{ part: 1, totalParts: 1, messages, promptHash: hashPrompt(messages) }] };
	}
	if (options.onTooLarge === "skip") return { kind: "too_large", conversationChars, contextChars: options.contextChars };
	const parts = splitForContext(conversation, {
		contextChars: options.contextChars,
		...(options.overlapMessages !== undefined ? { overlapMessages: options.overlapMessages } : {}),
	});
	const calls = parts.map((p) => {
		const messages = prompt(p.transcript, { index: p.index, total: p.total });
		return { part: p.index, totalParts: p.total, messages, promptHash: hashPrompt(messages) };
	});
	return { kind: "calls", conversationChars, calls };
}

function failureReason(error: Error, call: PlannedCall): string {
	const where = call.totalParts > 1 ? ` (part ${call.part} of ${call.totalParts})` : "";
	return `LLM extraction failed${where}: ${error.message}`;
}

export async function extractKnowledge(conversation: Conversation, options: ExtractOptions): Promise<ExtractResult> {
	const plan = planKnowledge(conversation, options);
	if (plan.kind === "too_large") return { status: "too_large", conversationChars: plan.conversationChars, contextChars: plan.contextChars };

	const saved = new Map<string, RawReply>();
	for (const reply of options.saved ?? []) saved.set(`${reply.part}/${reply.totalParts}/${reply.promptHash}`, reply);

	const rawReplies: RawReply[] = [];
	const parsed: ParsedKnowledge[] = [];
	const failures: string[] = [];
	for (const call of plan.calls) {
		options.signal?.throwIfAborted();
		let reply = saved.get(`${call.part}/${call.totalParts}/${call.promptHash}`) ?? (await options.lookup?.(call)) ?? undefined;
		if (!reply) {
			try {
				const answer = await options.client.chat(call.messages, options.signal ? { signal: options.signal } : {});
				reply = {
					part: call.part,
					totalParts: call.totalParts,
					promptHash: call.promptHash,
					model: options.client.model,
					content: answer.content,
					...(answer.promptTokens !== undefined ? { promptTokens: answer.promptTokens } : {}),
					...(answer.completionTokens !== undefined ? { completionTokens: answer.completionTokens } : {}),
				};
			} catch (error) {
				if (error instanceof EmptyResponseError || error instanceof ValidationError) {
					failures.push(failureReason(error, call));
					continue;
				}
				throw error;
			}
			await options.onReply?.(reply);
		}
		rawReplies.push(reply);
		parsed.push(parseKnowledge(reply.content));
	}

	const merged = parsed.length > 0 ? mergeKnowledge(parsed) : undefined;
	if (failures.length > 0) {
		return {
			status: "review",
			reason: failures.join("; "),
			...(merged ? { knowledge: merged } : {}),
			rawReplies,
			conversationChars: plan.conversationChars,
		};
	}
	if (!merged) throw new Error("extractKnowledge: no reply and no failure (no calls planned)");
	const decision = decideReview({ conversationChars: plan.conversationChars, body: merged.content ?? "", parsed: merged });
	if (decision.review)
		return { status: "review", reason: decision.reason, knowledge: merged, rawReplies, conversationChars: plan.conversationChars };
	return {
		status: "ok",
		knowledge: {
			title: merged.title ?? "",
			summary: merged.summary ?? "",
			tags: merged.tags,
			content: merged.content ?? "",
			model: rawReplies[0]?.model ?? options.client.model,
			parts: plan.calls.length,
			problems: merged.problems,
		},
		rawReplies,
		conversationChars: plan.conversationChars,
	};
}
