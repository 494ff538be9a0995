import * as z from "../../model/zod";
import { ProviderSchema, type Conversation } from "../../model/conversation";
import { NoteFrontmatterSchema } from "./note-frontmatter";
import { renderNote } from "./render-note";
import { DraftFileCollector, DraftFileSchema } from "../attachments/draft-files";

/**
 * The renderer's version: raised whenever the deterministic note's layout changes, so that notes written before are
 * re-rendered on the next import (unless edited). 2: the chat link and `url`, `project`, zoned `created`/`updated`.
 * 3: raw HTML in messages escaped (shown as text, as the chat app shows it).
 */
export const RENDERER_VERSION = 3;

/** What the deterministic note depends on besides the conversation (the import's options). */
export interface RenderChoices {
	includeThinking: boolean;
	/** Absent: UTC. */
	timeZone?: string | undefined;
}

/** The renderer version and the choices a note was written with, as the import index records them. */
export const RenderStampSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		version: z.number().check(z.int()),
		include_thinking: z.boolean(),
		time_zone: z.string(),
	}),
);
export type RenderStamp = z.infer<ReturnType<typeof RenderStampSchema>>;

export function renderStamp(choices: RenderChoices): RenderStamp {
	return { version: RENDERER_VERSION, include_thinking: choices.includeThinking, time_zone: choices.timeZone ?? "UTC" };
}

/** True when two stamps would render the same conversation the same way. */
export function sameRender(a: RenderStamp, b: RenderStamp): boolean {
	return a.version === b.version && a.include_thinking === b.include_thinking && a.time_zone === b.time_zone;
}

/**
 * A note as transform leaves it: everything but its place in the vault. Load picks the path, then sets
 * `file_id` (which hashes the body with the path) and writes the note.
 */
export const NoteDraftSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		item_id: z.string(),
		provider: ProviderSchema(),
		/** The title the file name is made from. */
		title: z.string(),
		/** The source's updated time (ISO) or null. */
		source_updated: z.nullable(z.string()),
		frontmatter: NoteFrontmatterSchema(),
		body: z.string(),
		/** Set when the note must go to the review folder (LLM transform), with why. */
		review_reason: z.optional(z.string()),
		/**
		 * The knowledge transform's key (model, settings, prompt version, note options: see knowledgeKey), recorded in
		 * the import index so that a later import can tell an unchanged conversation needs no model call.
		 */
		llm_key: z.optional(z.string()),
		/**
		 * Set when transform found from the import index that nothing changed since the note was written (same source,
		 * same knowledge key) and made no model call: load leaves the note where it is and reports it unchanged. The
		 * draft is then the deterministic one, never written.
		 */
		keep: z.optional(z.literal(true)),
		/** How the deterministic note was rendered (absent for a knowledge note); the import index keeps it. */
		render: z.optional(RenderStampSchema()),
		/**
		 * Not rendered: the note at this path is unchanged as written (see as-written.ts), so load leaves it, and only
		 * the draft's ids, title and times are set (its frontmatter and body are empty).
		 */
		as_written: z.optional(z.string()),
		/** Files the note refers to, which load brings into the vault (their tokens in `body` become embeds or links). */
		files: z.optional(z.array(DraftFileSchema())),
		/** The conversation's messages: how many, and the last one's id (recorded in the import index). */
		messages: z.optional(z.object({ count: z.number().check(z.int(), z.nonnegative()), last: z.nullable(z.string()) })),
		/**
		 * What a note the user edited gets of a conversation that grew since (see `editedNotes`): the new turns rendered
		 * on their own (`from`: the first new message), or `rewritten` when the messages the note was written from are
		 * no longer the conversation's first ones (a regenerated or removed answer): then nothing is merged.
		 */
		append: z.optional(
			z.union([
				// `files`: the files the new turns refer to (their tokens are in `transcript`), brought in as a note's are.
				z.object({
					from: z.number().check(z.int(), z.nonnegative()),
					transcript: z.string(),
					files: z.optional(z.array(DraftFileSchema())),
				}),
				z.object({ rewritten: z.literal(true) }),
			]),
		),
	}),
);
export type NoteDraft = z.infer<ReturnType<typeof NoteDraftSchema>>;

/** The deterministic transform: the conversation rendered as a note. */
export function draftNote(conversation: Conversation, sessionId: string, options: RenderChoices): NoteDraft {
	const files = new DraftFileCollector();
	const rendered = renderNote(conversation, {
		sessionId,
		notePath: "",
		deferFileId: true,
		includeThinking: options.includeThinking,
		files,
		...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
	});
	return {
		item_id: conversation.id,
		provider: conversation.provider,
		title: rendered.title,
		source_updated: conversation.updated,
		frontmatter: rendered.frontmatter,
		body: rendered.body,
		render: renderStamp(options),
		...(files.files.length > 0 ? { files: files.files } : {}),
		messages: messagesStamp(conversation),
	};
}

export function messagesStamp(conversation: Conversation): { count: number; last: string | null } {
	return { count: conversation.messages.length, last: conversation.messages[conversation.messages.length - 1]?.id ?? null };
}

/**
 * How a conversation's messages stand against the first `before.count` ones its note was written from (ending with
 * the message `before.last`): the same, grown (those are still its first ones, and more follow), or rewritten (a
 * regenerated or removed answer).
 */
export function messagesSince(
	messages: readonly { id: string }[],
	before: { count: number; last: string | null },
): "same" | "grown" | "rewritten" {
	const lastThen = before.count === 0 ? null : (messages[before.count - 1]?.id ?? null);
	if (lastThen !== before.last) return "rewritten";
	if (messages.length < before.count) return "rewritten";
	return messages.length === before.count ? "same" : "grown";
}

/**
 * The turns a conversation gained since its note was written from its first `before.count` messages (ending with
 * the message `before.last`): rendered alone, for appending below a note the user edited. `rewritten` when those
 * messages are no longer the conversation's first ones; null when it has none new.
 */
export function appendixOf(
	conversation: Conversation,
	before: { count: number; last: string | null },
	options: RenderChoices,
): NoteDraft["append"] | null {
	const messages = conversation.messages;
	const since = messagesSince(messages, before);
	if (since === "same") return null;
	if (since === "rewritten") return { rewritten: true };
	const files = new DraftFileCollector();
	const rendered = renderNote(
		{ ...conversation, messages: messages.slice(before.count) },
		{
			sessionId: "",
			notePath: "",
			deferFileId: true,
			includeThinking: options.includeThinking,
			files,
			...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
		},
	);
	return { from: before.count, transcript: rendered.transcript, ...(files.files.length > 0 ? { files: files.files } : {}) };
}
