import * as z from "../../model/zod";

/** One edit of one frontmatter key, as recorded in the plan. */
export const FrontmatterChangeSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		key: z.string(),
		kind: z.enum(["add", "update", "remove"]),
		before: z.optional(z.unknown()),
		after: z.optional(z.unknown()),
		/** Where the new value comes from, when the plan should say so ("from the file's creation time"). */
		note: z.optional(z.string()),
	}),
);
export type FrontmatterChange = z.infer<ReturnType<typeof FrontmatterChangeSchema>>;

/**
 * Applies changes to a plain frontmatter object in place (for `NoteVault.processFrontMatter`). Updated keys keep
 * their position, added keys go to the end, in the order of `changes`.
 */
export function applyFrontmatterChanges(frontmatter: Record<string, unknown>, changes: readonly FrontmatterChange[]): void {
	for (const change of changes) {
		if (change.kind === "remove") delete frontmatter[change.key];
		else frontmatter[change.key] = change.after;
	}
}
