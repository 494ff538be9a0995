import * as z from "./zod";
import { PROVIDER_IDS } from "./providers";

/**
 * The canonical, provider-independent conversation that extract produces and transform consumes.
 * It is what `extract/output/*.jsonl` holds, so a resume never needs the original export.
 */

/** A source id (see providers.ts and the registry in import/extract/normalize/registry.ts). */
export const ProviderSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(PROVIDER_IDS));
export type Provider = z.infer<ReturnType<typeof ProviderSchema>>;

export const RoleSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(["user", "assistant"]));
export type Role = z.infer<ReturnType<typeof RoleSchema>>;

/**
 * A place in a text part that cites a source: the note shows a footnote mark there (`[^n]`) and lists the source
 * at the end of the message. What the source is: a web page (`url`, `title`) or a file (`file`, its name).
 */
export const CitationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		/** Offset in the part's `text` (UTF-16 code units, as JavaScript strings count) where the mark goes. */
		at: z.number().check(z.int(), z.nonnegative()),
		url: z.optional(z.string()),
		title: z.optional(z.string()),
		file: z.optional(z.string()),
	}),
);
export type Citation = z.infer<ReturnType<typeof CitationSchema>>;

export const PartSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.discriminatedUnion("kind", [
		/** Text as written; `citations` when the export says where it cites sources (markers already removed). */
		z.object({ kind: z.literal("text"), text: z.string(), citations: z.optional(z.array(CitationSchema())) }),
		/** Code kept byte-exact; `language` may be empty. */
		z.object({ kind: z.literal("code"), language: z.string(), code: z.string() }),
		/** An attachment: a file the user attached, with its extracted text when the export has it. */
		z.object({
			kind: z.literal("attachment"),
			name: z.string(),
			mimeType: z.optional(z.string()),
			size: z.optional(z.number()),
			extractedText: z.optional(z.string()),
			/** True when the export only points at the file (an image pointer, a `files[]` entry) without content. */
			missing: z.optional(z.boolean()),
			/** The export's own reference to the file (`file-service://file-…`, `sediment://file_…`), when it has one. */
			pointer: z.optional(z.string()),
			/**
			 * The file's id in the export (`file-…` or `file_…`, from a ChatGPT `file-service://` / `sediment://` pointer or
			 * an attachment's id): the import copies the file from the zip entry whose name starts with it.
			 */
			ref: z.optional(z.string()),
			/**
			 * A Claude artifact (a `tool_use` block named `artifacts`): its id, type and language, and its whole content as
			 * of this version (updates applied). The import writes the latest version of each beside the note.
			 */
			artifact: z.optional(
				z.object({
					id: z.string(),
					type: z.string(),
					language: z.string(),
					title: z.string(),
					version: z.number().check(z.int()),
					content: z.string(),
				}),
			),
		}),
		/**
		 * A tool call: the tool's name and a short, readable form of its input (`summary`, one line). `input` holds the
		 * whole input when the summary does not (code sent to a code interpreter, a long query), fenced as `language`.
		 * `callId` pairs it with its result when the export says which result answers which call.
		 */
		z.object({
			kind: z.literal("tool_call"),
			name: z.string(),
			summary: z.string(),
			input: z.optional(z.string()),
			language: z.optional(z.string()),
			callId: z.optional(z.string()),
		}),
		/**
		 * A tool result: `summary` is short (cut); `output` is the whole output when the summary is cut. `isError` when
		 * the tool reported failure; `callId` as on the call it answers.
		 */
		z.object({
			kind: z.literal("tool_result"),
			name: z.optional(z.string()),
			summary: z.string(),
			output: z.optional(z.string()),
			isError: z.optional(z.boolean()),
			callId: z.optional(z.string()),
		}),
		/** Model reasoning; kept apart and left out of notes unless asked for. `label` as the app showed it ("Reasoned for 5m 6s"). */
		z.object({ kind: z.literal("thinking"), text: z.string(), label: z.optional(z.string()) }),
		/** A block type we do not know; kept as a placeholder so nothing vanishes silently. */
		z.object({ kind: z.literal("unknown"), blockType: z.string(), summary: z.optional(z.string()) }),
	]),
);
export type Part = z.infer<ReturnType<typeof PartSchema>>;

export const MessageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		id: z.string(),
		role: RoleSchema(),
		/** ISO 8601, or null when the export has no time for it. */
		time: z.nullable(z.string()),
		parts: z.array(PartSchema()),
	}),
);
export type Message = z.infer<ReturnType<typeof MessageSchema>>;

export const ConversationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		/** Claude `uuid`; ChatGPT `conversation_id` (else `id`). */
		id: z.string().check(z.minLength(1)),
		provider: ProviderSchema(),
		title: z.string(),
		/** ISO 8601 or null. */
		created: z.nullable(z.string()),
		updated: z.nullable(z.string()),
		/** Models seen, in order of first use. */
		models: z.array(z.string()),
		/** The project's name, when the export names it (a note property, and optionally its folder). */
		project: z.optional(z.string()),
		/** The project's id when the export has one (Claude `project_uuid`, ChatGPT `g-p-…` template id), named or not. */
		projectId: z.optional(z.string()),
		/** Claude's own conversation summary, when present. */
		summary: z.optional(z.string()),
		messages: z.array(MessageSchema()),
		/** Unknown fields and block types met while reading this conversation, by name → count. */
		unknown: z.optional(z.record(z.string(), z.number())),
	}),
);
export type Conversation = z.infer<ReturnType<typeof ConversationSchema>>;
