import { z } from "zod";
import { PROVIDER_IDS } from "./providers";

/**
 * The canonical, provider-independent conversation that extract produces and transform consumes.
 * It is what `extract/output/*.jsonl` holds, so a resume never needs the original export.
 */

/** A source id (see providers.ts and the registry in extract/normalize/registry.ts). */
export const ProviderSchema = z.enum(PROVIDER_IDS);
export type Provider = z.infer<typeof ProviderSchema>;

export const RoleSchema = z.enum(["user", "assistant"]);
export type Role = z.infer<typeof RoleSchema>;

export const PartSchema = z.discriminatedUnion("kind", [
	z.object({ kind: z.literal("text"), text: z.string() }),
	/** Code kept byte-exact; `language` may be empty. */
	z.object({ kind: z.literal("code"), language: z.string(), code: z.string() }),
	/** An attachment: a file the user attached, with its extracted text when the export has it. */
	z.object({
		kind: z.literal("attachment"),
		name: z.string(),
		mimeType: z.string().optional(),
		size: z.number().optional(),
		extractedText: z.string().optional(),
		/** True when the export only points at the file (an image pointer, a `files[]` entry) without content. */
		missing: z.boolean().optional(),
	}),
	/** A tool call, summarised: the tool's name and a short, readable form of its input. */
	z.object({ kind: z.literal("tool_call"), name: z.string(), summary: z.string() }),
	/** A tool result, summarised (truncated); `isError` when the tool reported failure. */
	z.object({ kind: z.literal("tool_result"), name: z.string().optional(), summary: z.string(), isError: z.boolean().optional() }),
	/** Model reasoning; kept apart and left out of notes unless asked for. */
	z.object({ kind: z.literal("thinking"), text: z.string() }),
	/** A block type we do not know; kept as a placeholder so nothing vanishes silently. */
	z.object({ kind: z.literal("unknown"), blockType: z.string(), summary: z.string().optional() }),
]);
export type Part = z.infer<typeof PartSchema>;

export const MessageSchema = z.object({
	id: z.string(),
	role: RoleSchema,
	/** ISO 8601, or null when the export has no time for it. */
	time: z.string().nullable(),
	parts: z.array(PartSchema),
});
export type Message = z.infer<typeof MessageSchema>;

export const ConversationSchema = z.object({
	/** Claude `uuid`; ChatGPT `conversation_id` (else `id`). */
	id: z.string().min(1),
	provider: ProviderSchema,
	title: z.string(),
	/** ISO 8601 or null. */
	created: z.string().nullable(),
	updated: z.string().nullable(),
	/** Models seen, in order of first use. */
	models: z.array(z.string()),
	project: z.string().optional(),
	/** Claude's own conversation summary, when present. */
	summary: z.string().optional(),
	messages: z.array(MessageSchema),
	/** Unknown fields and block types met while reading this conversation, by name → count. */
	unknown: z.record(z.string(), z.number()).optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;
