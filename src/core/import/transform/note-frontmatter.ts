import * as z from "zod";
import { ProviderSchema } from "../../model/conversation";

/**
 * The frontmatter `renderNote` writes, in this key order. Loose: a note the user edited may carry more keys,
 * and the load stage reads `source`/`source_id`/`file_id` back from existing notes when its index is lost.
 */
export const NoteFrontmatterSchema = z.looseObject({
	title: z.string(),
	/** The conversation's original title (empty list when it had none). */
	aliases: z.array(z.string()),
	source: ProviderSchema,
	source_id: z.string(),
	/** The chat on the provider's site (`https://claude.ai/chat/<uuid>`, `https://chatgpt.com/c/<id>`). */
	url: z.string().optional(),
	/** The project's name, when the export names one. */
	project: z.string().optional(),
	/**
	 * `YYYY-MM-DDTHH:mm:ss±HH:MM` in the import's time zone (see `zonedIsoTime`; notes of earlier versions have the
	 * UTC `toISOString` form); absent when the export has no time.
	 */
	created: z.string().optional(),
	updated: z.string().optional(),
	message_count: z.number().int().nonnegative(),
	/** The first model used; absent when unknown. */
	model: z.string().optional(),
	/** Every model, in order of first use; present only when there is more than one. */
	models: z.array(z.string()).optional(),
	tags: z.array(z.string()),
	/** One line: Claude's own summary, else an excerpt of the first user message; absent when neither exists. */
	summary: z.string().optional(),
	/** See `computeFileId`. */
	file_id: z.string().regex(/^[0-9a-f]{12}$/),
	session: z.string(),
});
export type NoteFrontmatter = z.infer<typeof NoteFrontmatterSchema>;

/** Every key the import writes in a note's frontmatter (a key a given note lacks is still the import's). */
export const IMPORT_KEYS: ReadonlySet<string> = new Set(Object.keys(NoteFrontmatterSchema.shape));
