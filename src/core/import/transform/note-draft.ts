import * as z from "zod";
import { ProviderSchema, type Conversation } from "../conversation";
import { NoteFrontmatterSchema } from "./note-frontmatter";
import { renderNote } from "./render-note";

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
	/**
	 * The knowledge transform's key (model, settings, prompt version, note options: see knowledgeKey), recorded in
	 * the import index so that a later import can tell an unchanged conversation needs no model call.
	 */
	llm_key: z.string().optional(),
	/**
	 * Set when transform found from the import index that nothing changed since the note was written (same source,
	 * same knowledge key) and made no model call: load leaves the note where it is and reports it unchanged. The
	 * draft is then the deterministic one, never written.
	 */
	keep: z.literal(true).optional(),
});
export type NoteDraft = z.infer<typeof NoteDraftSchema>;

/** The deterministic transform: the conversation rendered as a note. */
export function draftNote(conversation: Conversation, sessionId: string, options: { includeThinking: boolean }): NoteDraft {
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
