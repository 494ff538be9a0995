import * as z from "../../model/zod";
import { ProviderSchema } from "../../model/conversation";

/**
 * The frontmatter `renderNote` writes, in this key order. Loose: a note the user edited may carry more keys,
 * and the load stage reads `source`/`source_id`/`file_id` back from existing notes when its index is lost.
 */
export const NoteFrontmatterSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		title: z.string(),
		/** The conversation's original title (empty list when it had none). */
		aliases: z.array(z.string()),
		source: ProviderSchema(),
		source_id: z.string(),
		/** The chat on the provider's site (`https://claude.ai/chat/<uuid>`, `https://chatgpt.com/c/<id>`). */
		url: z.optional(z.string()),
		/** The project's name, when the export names one. */
		project: z.optional(z.string()),
		/**
		 * `YYYY-MM-DDTHH:mm:ss±HH:MM` in the import's time zone (see `zonedIsoTime`; notes of earlier versions have the
		 * UTC `toISOString` form); absent when the export has no time.
		 */
		created: z.optional(z.string()),
		updated: z.optional(z.string()),
		message_count: z.number().check(z.int(), z.nonnegative()),
		/** The first model used; absent when unknown. */
		model: z.optional(z.string()),
		/** Every model, in order of first use; present only when there is more than one. */
		models: z.optional(z.array(z.string())),
		tags: z.array(z.string()),
		/** One line: Claude's own summary, else an excerpt of the first user message; absent when neither exists. */
		summary: z.optional(z.string()),
		/** See `computeFileId`. */
		file_id: z.string().check(z.regex(/^[0-9a-f]{12}$/)),
		session: z.string(),
	}),
);
export type NoteFrontmatter = z.infer<ReturnType<typeof NoteFrontmatterSchema>>;

/**
 * Every key the import writes in a note's frontmatter (a key a given note lacks is still the import's): the schema's
 * keys in its order, written out so that loading this module does not build the schema (a test holds them equal).
 */
export const IMPORT_KEYS: ReadonlySet<string> = new Set([
	"title",
	"aliases",
	"source",
	"source_id",
	"url",
	"project",
	"created",
	"updated",
	"message_count",
	"model",
	"models",
	"tags",
	"summary",
	"file_id",
	"session",
]);
