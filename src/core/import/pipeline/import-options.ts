import * as z from "../../model/zod";
import { providerLabel } from "../extract/normalize/registry";
import { PROVIDER_IDS, type Provider } from "../../model/providers";

/**
 * What an import run was asked to do. Recorded in the session (`import/extract/input/options.json`) on the
 * first run, so that resume and retry go on with the same settings.
 */
/** The LLM knowledge transform, when one is used (the key is never recorded). */
export const ImportLlmOptionsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		provider: z.enum(["ollama", "openai"]),
		url: z.optional(z.string()),
		model: z.string(),
		/** "auto" = the conversation's own language, else a language name. */
		language: z._default(z.string(), "auto"),
		/** Transcript characters per model call; longer conversations are split (or skipped, see onTooLarge). */
		contextChars: z._default(z.number().check(z.int(), z.positive()), 24_000),
		onTooLarge: z._default(z.enum(["split", "skip"]), "split"),
		/** Keep the whole conversation in a collapsed callout below the knowledge. */
		includeTranscript: z._default(z.boolean(), true),
		/** Model calls in flight at once. */
		concurrency: z._default(z.number().check(z.int(), z.gte(1), z.lte(64)), 1),
	}),
);
export type ImportLlmOptions = z.infer<ReturnType<typeof ImportLlmOptionsSchema>>;

/** The vault folder notes go to when none is given. */
export const DEFAULT_OUT_FOLDER = "AI Conversations";

export const ImportOptionsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		provider: z._default(z.enum(["auto", ...PROVIDER_IDS]), "auto"),
		/** Vault folder for notes; each provider gets a subfolder (`AI Conversations/Claude/`). */
		outFolder: z._default(z.string(), DEFAULT_OUT_FOLDER),
		/** Import at most this many conversations (those extracted first). */
		limit: z.optional(z.number().check(z.int(), z.positive())),
		/** Plan only: decide every note, write nothing into the vault. */
		dryRun: z._default(z.boolean(), false),
		/** Conversations with fewer messages are skipped. */
		minMessages: z._default(z.number().check(z.int(), z.nonnegative()), 1),
		includeThinking: z._default(z.boolean(), false),
		/**
		 * IANA time zone of message headings and `created`/`updated` (the CLI and the plugin pass the user's own when none
		 * is chosen). Absent, as in sessions recorded before there was a choice: UTC.
		 */
		timeZone: z.optional(z.string()),
		/** New notes go to a sub-folder per project (`Claude/<project>/`), when the export names the project. */
		byProject: z._default(z.boolean(), false),
		/** New notes' file names start with the conversation's date in `timeZone` (`2025-03-10 Title`). */
		datePrefix: z._default(z.boolean(), false),
		/** Re-render every note the user has not edited, even when nothing changed (see the load stage). */
		rerender: z._default(z.boolean(), false),
		/**
		 * A note the user edited whose conversation grew at the source: `append` adds the new messages below the user's
		 * text under `## Added on <date> from <provider>` (the text above untouched); `preserve` leaves the note as it is.
		 */
		editedNotes: z._default(z.enum(["append", "preserve"]), "append"),
		/** Import only these conversation ids (the preview's choice, `--select FILE`); absent: all. */
		select: z.optional(z.array(z.string())),
		/** Import only conversations updated (else created) at or after this ISO 8601 time; those without a time go on. */
		since: z.optional(z.string()),
		/** The inputs as the user gave them (absolute paths in the CLI): a resume before extract finished reopens them. */
		inputs: z._default(z.array(z.string()), []),
		/**
		 * Vault folder for the files notes refer to (images, uploads). Absent: where the vault's own attachment setting
		 * says when the vault has one (the plugin), else `<outFolder>/attachments`.
		 */
		attachmentsFolder: z.optional(z.string()),
		/** Absent: the deterministic note (no LLM). */
		llm: z.optional(ImportLlmOptionsSchema()),
		/**
		 * false: extract keeps no copy of the conversations in the session (`extract/output/`), and a resume or retry
		 * reads the recorded inputs again (checked unchanged by their fingerprints): the CLI's, whose inputs are paths.
		 * Absent: kept, so that the session no longer needs the export (the plugin's picked File cannot be reopened).
		 */
		keepConversations: z.optional(z.boolean()),
	}),
);
export type ImportOptions = z.infer<ReturnType<typeof ImportOptionsSchema>>;
export type ImportOptionsInput = z.input<ReturnType<typeof ImportOptionsSchema>>;

/** The subfolder of the output folder a provider's notes go to: its label (`Claude`, `ChatGPT`, `Gemini`). */
export function providerFolder(provider: Provider): string {
	return providerLabel(provider);
}
