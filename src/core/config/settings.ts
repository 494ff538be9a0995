import * as z from "../model/zod";
import { isKnownTimeZone } from "../import/transform/note-time";
import { DEFAULT_GENRES, GenreSchema, type Genre } from "../organize/genres";
import { NORMALIZE_RULES } from "../organize/normalize-frontmatter";

/**
 * The user settings, shared by the plugin (kept in its `data.json` through loadData/saveData) and the CLI.
 * Every field has a default, so old or partial data always loads: `parseSettings` keeps each valid field,
 * replaces each invalid one with its default (with a warning) and never throws.
 */

export const LLM_PROVIDERS = ["none", "ollama", "openai"] as const;
export const LlmProviderSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(LLM_PROVIDERS));
export type LlmProvider = z.infer<ReturnType<typeof LlmProviderSchema>>;

export const LlmSettingsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		provider: z._default(LlmProviderSchema(), "none"),
		/** Base URL of the LLM server (Ollama or an OpenAI-compatible API). */
		url: z._default(z.string().check(z.trim(), z.minLength(1)), "http://127.0.0.1:11434"),
		model: z._default(z.string(), ""),
		/**
		 * The key itself, only where the host has no secret storage (the CLI reads it from the environment; the plugin on
		 * an Obsidian before 1.11.4). Never logged. The plugin moves it into Obsidian's secret storage when it can.
		 */
		apiKey: z._default(z.string(), ""),
		/** The name of the secret in Obsidian's secret storage that holds the key ("" when none). */
		apiKeySecret: z._default(z.string(), ""),
		concurrency: z._default(z.number().check(z.int(), z.gte(1), z.lte(16)), 1),
		timeoutSeconds: z._default(z.number().check(z.positive(), z.lte(3600)), 120),
		retries: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 3),
		/** `auto` (the conversation's own language) or a language name such as `English` or `Japanese`. */
		outputLanguage: z._default(z.string().check(z.trim(), z.minLength(1)), "auto"),
		/** How many characters of a conversation are sent to the LLM at most. */
		contextChars: z._default(z.number().check(z.int(), z.gte(1000), z.lte(1_000_000)), 24_000),
	}),
);
export type LlmSettings = z.infer<ReturnType<typeof LlmSettingsSchema>>;

export const SettingsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		debugMode: z._default(z.boolean(), false),
		/** Vault folder the imported notes go to. */
		outputFolder: z._default(z.string().check(z.trim(), z.minLength(1)), "AI Conversations"),
		llm: z._default(LlmSettingsSchema(), () => LlmSettingsSchema().parse({})),
		includeTranscript: z._default(z.boolean(), true),
		includeThinking: z._default(z.boolean(), false),
		/** IANA time zone for message times and `created`/`updated`; empty: this computer's. */
		timeZone: z._default(
			z.string().check(
				z.trim(),
				z.refine((v) => v === "" || isKnownTimeZone(v), "not a known time zone"),
			),
			"",
		),
		/** New notes of a named project go to a sub-folder of it. */
		byProject: z._default(z.boolean(), false),
		/** New notes' file names start with the conversation's date (`2025-03-10 Title`). */
		datePrefix: z._default(z.boolean(), false),
		/** A note the user edited whose conversation grew: its new messages are added below the user's text (else it is left as it is). */
		appendToEditedNotes: z._default(z.boolean(), true),
		genres: z._default(z.array(GenreSchema()).check(z.minLength(1)), () => cloneGenres(DEFAULT_GENRES)),
		/** Sessions older than this many days are removed automatically (see retainSessions) and by "Clean old sessions". */
		retentionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(3650)), 30),
		/** Old sessions with undo data the user chose to keep when retention asked: not asked about again. */
		retentionKept: z._default(z.array(z.string()), []),
		/** Folders and patterns organize leaves alone, besides the ones it always does (see organize/exclusions.ts). */
		organizeExclude: z._default(z.array(z.string()), []),
		/** Normalisation rules organize applies to the user's own notes (none by default: they are only filed). */
		organizeNormalize: z._default(z.array(z.enum(NORMALIZE_RULES)), []),
		/** Where genre folders go: "" = the output folder (the default), "/" = the vault root, else a folder. */
		organizeGenreParent: z._default(z.string().check(z.trim()), ""),
	}),
);
export type Settings = z.infer<ReturnType<typeof SettingsSchema>>;

export function cloneGenres(genres: readonly Genre[]): Genre[] {
	return genres.map((g) => ({ ...g, keywords: [...g.keywords] }));
}

/** A fresh copy of the defaults (safe to mutate). */
export function defaultSettings(): Settings {
	return SettingsSchema().parse({});
}

type Warn = (message: string) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses each field of `shape` from `raw` on its own: a valid field is kept, a missing one gets its default,
 * an invalid one gets its default and a warning naming `prefix + key`. Unknown keys are dropped.
 */
function parseFields<S extends z.core.$ZodShape>(shape: S, raw: Record<string, unknown>, prefix: string, warn: Warn) {
	const out: Record<string, unknown> = {};
	for (const [key, schema] of Object.entries(shape)) {
		const value = raw[key];
		const result = (schema as z.ZodMiniType).safeParse(value);
		if (result.success) {
			out[key] = result.data;
		} else {
			const fallback = (schema as z.ZodMiniType).parse(undefined);
			out[key] = fallback;
			warn(`Setting "${prefix}${key}" is invalid (${result.error.issues[0]?.message ?? "bad value"}); using the default.`);
		}
	}
	return out;
}

function parseGenres(raw: unknown, warn: Warn): Genre[] {
	if (raw === undefined) return cloneGenres(DEFAULT_GENRES);
	if (!Array.isArray(raw)) {
		warn('Setting "genres" is not a list; using the default genre table.');
		return cloneGenres(DEFAULT_GENRES);
	}
	const genres: Genre[] = [];
	const seen = new Set<string>();
	for (const [index, item] of raw.entries()) {
		const result = GenreSchema().safeParse(item);
		if (!result.success) {
			warn(`Genre #${index + 1} is invalid (${result.error.issues[0]?.message ?? "bad value"}); dropped.`);
			continue;
		}
		if (seen.has(result.data.key)) {
			warn(`Genre #${index + 1} repeats the key "${result.data.key}"; dropped.`);
			continue;
		}
		seen.add(result.data.key);
		genres.push(result.data);
	}
	if (genres.length === 0) {
		warn("The genre table is empty; using the default genre table.");
		return cloneGenres(DEFAULT_GENRES);
	}
	return genres;
}

/**
 * Settings from stored data of any age or shape. Never throws: missing fields get defaults, invalid fields
 * get defaults and a warning through `onWarning`, unknown fields are dropped.
 */
export function parseSettings(raw: unknown, onWarning: Warn = () => undefined): Settings {
	if (raw !== undefined && raw !== null && !isRecord(raw)) {
		onWarning("Stored settings are not an object; using the defaults.");
	}
	const data = isRecord(raw) ? raw : {};
	const topShape = z.omit(SettingsSchema(), { llm: true, genres: true }).shape;
	const top = parseFields(topShape, data, "", onWarning);
	let llmRaw: Record<string, unknown> = {};
	if (isRecord(data.llm)) {
		llmRaw = data.llm;
	} else if (data.llm !== undefined) {
		onWarning('Setting "llm" is not an object; using the default LLM settings.');
	}
	const llm = parseFields(LlmSettingsSchema().shape, llmRaw, "llm.", onWarning);
	const genres = parseGenres(data.genres, onWarning);
	// Final pass through the full schema: every field is already valid, this only types the result.
	return SettingsSchema().parse({ ...top, llm, genres });
}
