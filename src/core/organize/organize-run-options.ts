import * as z from "../model/zod";
import type { StagingStore } from "../ports/staging-store";
import { extractInputDir } from "../session/paths";
import { GenreSchema } from "./genres";
import { ConflictPolicySchema } from "./plan";
import { ExcludeRuleSchema } from "./exclusions";
import { NORMALIZE_RULES } from "./normalize-frontmatter";

/**
 * What an organize session was started with, saved in `organize/extract/input/options.json`, so a resume or a
 * retry plans the remaining notes exactly as the first run would have (same genre table, same date).
 */
export const OrganizeRunOptionsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		folder: z.string(),
		force: z.boolean(),
		conflictPolicy: ConflictPolicySchema(),
		topicFolders: z.boolean(),
		reviewFolder: z.optional(z.string()),
		dustFolder: z.optional(z.string()),
		/** The genre table used (absent: the defaults). */
		genres: z.optional(z.array(GenreSchema())),
		/** The plan's timestamp (ISO). */
		now: z.string(),
		/** The run was asked to apply its plan (a resume applies it too). */
		apply: z.boolean(),
		/** "custom": a classifier was given (the LLM); a resume needs one again. */
		classifier: z.enum(["keywords", "custom"]),
		/** The folder genre folders go under (absent: the vault root). */
		genreParent: z.optional(z.string()),
		/** The notes left alone, resolved when the run started (the vault's settings may change meanwhile). */
		exclude: z.optional(z.array(ExcludeRuleSchema())),
		/** The normalisation rules for the user's own notes (absent: all). */
		userNoteRules: z.optional(z.array(z.enum(NORMALIZE_RULES))),
	}),
);
export type OrganizeRunOptions = z.infer<ReturnType<typeof OrganizeRunOptionsSchema>>;

export function organizeOptionsPath(sessionId: string): string {
	return `${extractInputDir(sessionId, "organize")}/options.json`;
}

export async function writeOrganizeRunOptions(store: StagingStore, sessionId: string, options: OrganizeRunOptions): Promise<void> {
	await store.writeAtomic(
		organizeOptionsPath(sessionId),
		`${JSON.stringify(OrganizeRunOptionsSchema().parse(options, z.FEW_PARSES), null, "\t")}\n`,
	);
}

/** The recorded options, or null when the session predates them (or the file cannot be read). */
export async function readOrganizeRunOptions(store: StagingStore, sessionId: string): Promise<OrganizeRunOptions | null> {
	const path = organizeOptionsPath(sessionId);
	if (!(await store.exists(path))) return null;
	try {
		return OrganizeRunOptionsSchema().parse(JSON.parse(await store.read(path)), z.FEW_PARSES);
	} catch {
		return null;
	}
}
