import * as z from "../model/zod";
import { FrontmatterChangeSchema } from "./frontmatter/frontmatter-change";

export const ConflictPolicySchema = /* @__PURE__ */ z.lazySchema(() => z.enum(["rename", "skip", "overwrite"]));
export type ConflictPolicy = z.infer<ReturnType<typeof ConflictPolicySchema>>;

/**
 * One note in an organize plan.
 * - `planned`: something will change (a move, an edit, or both);
 * - `unchanged`: the note is already where and how it should be;
 * - `skipped`: left alone on purpose (already normalised, or a name conflict with policy "skip");
 * - `failed`: could not be planned (invalid YAML, unreadable, classifier error); the note is left untouched.
 */
export const PlanItemSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		from: z.string(),
		to: z.string(),
		status: z.enum(["planned", "unchanged", "skipped", "failed"]),
		/** Where the note goes: its genre folder, the review folder or the dust folder. */
		destination: z.optional(z.enum(["genre", "review", "dust"])),
		genre: z.optional(z.string()),
		topic: z.optional(z.string()),
		confidence: z.optional(z.number()),
		reason: z.string(),
		frontmatterChanges: z._default(z.array(FrontmatterChangeSchema()), []),
		/** Whether the body is cleaned (trailing spaces, blank lines, final newline). */
		contentChanged: z._default(z.boolean(), false),
		/** SHA-256 of the note as planned; applying refuses a note that changed since. */
		sourceHash: z.optional(z.string()),
		conflict: z.optional(
			z.object({
				/** The path the note wanted. */
				wanted: z.string(),
				resolution: ConflictPolicySchema(),
			}),
		),
		error: z.optional(z.object({ line: z.optional(z.number()), message: z.string() })),
	}),
);
export type PlanItem = z.infer<ReturnType<typeof PlanItemSchema>>;

export const PlanSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		version: z.literal(1),
		createdAt: z.string(),
		folder: z.string(),
		force: z.boolean(),
		conflictPolicy: ConflictPolicySchema(),
		/** The normalisation rules applied to the user's own notes (absent: all, as to imported notes). */
		userNoteRules: z.optional(z.array(z.string())),
		items: z.array(PlanItemSchema()),
	}),
);
export type Plan = z.infer<ReturnType<typeof PlanSchema>>;

export interface PlanCounts {
	total: number;
	planned: number;
	moves: number;
	edits: number;
	unchanged: number;
	skipped: number;
	failed: number;
	review: number;
	dust: number;
	conflicts: number;
}

export function countPlan(plan: Plan): PlanCounts {
	const counts: PlanCounts = {
		total: 0,
		planned: 0,
		moves: 0,
		edits: 0,
		unchanged: 0,
		skipped: 0,
		failed: 0,
		review: 0,
		dust: 0,
		conflicts: 0,
	};
	for (const item of plan.items) {
		counts.total++;
		counts[item.status]++;
		if (item.status !== "planned") continue;
		if (item.from !== item.to) counts.moves++;
		if (item.frontmatterChanges.length > 0 || item.contentChanged) counts.edits++;
		if (item.destination === "review") counts.review++;
		if (item.destination === "dust") counts.dust++;
		if (item.conflict) counts.conflicts++;
	}
	return counts;
}

/** Items of plan.md rendered between two joins (renderPlanMarkdown). */
const RENDER_CHUNK = 256;

/** A readable preview of the plan (`plan.md`). */
export function renderPlanMarkdown(plan: Plan): string {
	const counts = countPlan(plan);
	const lines: string[] = [
		"# Organize plan",
		"",
		`- Created: ${plan.createdAt}`,
		`- Folder: ${plan.folder === "" ? "(whole vault)" : plan.folder}`,
		`- Notes: ${counts.total} — ${counts.planned} to change (${counts.moves} moves, ${counts.edits} edits), ` +
			`${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.failed} failed`,
		`- To review: ${counts.review}; dust: ${counts.dust}; name conflicts: ${counts.conflicts}`,
		...(plan.userNoteRules === undefined
			? []
			: [
					plan.userNoteRules.length === 0
						? "- Your own notes (not from an import): only filed into genre folders; no key added, nothing rewritten (no normalisation rule is on)"
						: `- Your own notes (not from an import): normalisation rules ${plan.userNoteRules.map((r) => `\`${r}\``).join(", ")}`,
				]),
		"",
	];
	// Each item's lines as one string (joined with the others by "\n" at the end): no array per item. Every
	// RENDER_CHUNK items are joined into one string at once, as the final join would: an item's text is a few short
	// strings, and 10,000 of them kept to the end were copied by the young-generation collections in between.
	const section = (title: string, items: PlanItem[], render: (item: PlanItem) => string): void => {
		if (items.length === 0) return;
		lines.push(`## ${title}`, "");
		let chunk: string[] = [];
		for (const item of items) {
			chunk.push(render(item));
			if (chunk.length === RENDER_CHUNK) {
				lines.push(chunk.join("\n"));
				chunk = [];
			}
		}
		if (chunk.length > 0) lines.push(chunk.join("\n"));
		lines.push("");
	};
	const value = (v: unknown): string => JSON.stringify(v) ?? "";
	section(
		"Changes",
		plan.items.filter((item) => item.status === "planned"),
		(item) => {
			let out = item.from === item.to ? `- \`${item.from}\` (edited in place)` : `- \`${item.from}\` → \`${item.to}\``;
			const genre = item.genre ? `${item.genre}${item.topic ? ` / ${item.topic}` : ""}` : "";
			// The destination, genre and confidence that are there, joined by ", " (as filtering out empty ones did).
			let head = item.destination ?? "";
			if (genre) head = head ? `${head}, ${genre}` : genre;
			if (item.confidence !== undefined) head = head ? `${head}, confidence ${item.confidence}` : `confidence ${item.confidence}`;
			out += `\n  - ${head}: ${item.reason}`;
			if (item.conflict) out += `\n  - Name conflict with \`${item.conflict.wanted}\`: ${item.conflict.resolution}`;
			for (const change of item.frontmatterChanges) {
				if (change.kind === "remove") out += `\n  - frontmatter: remove \`${change.key}\``;
				else if (change.kind === "add")
					out += `\n  - frontmatter: add \`${change.key}\` = ${value(change.after)}${change.note ? ` (${change.note})` : ""}`;
				else out += `\n  - frontmatter: \`${change.key}\` ${value(change.before)} → ${value(change.after)}`;
			}
			if (item.contentChanged) out += "\n  - content: whitespace cleaned";
			return out;
		},
	);
	section(
		"Failed",
		plan.items.filter((item) => item.status === "failed"),
		(item) => `- \`${item.from}\`${item.error?.line ? ` (line ${item.error.line})` : ""}: ${item.error?.message ?? item.reason}`,
	);
	section(
		"Skipped",
		plan.items.filter((item) => item.status === "skipped"),
		(item) => `- \`${item.from}\`: ${item.reason}`,
	);
	// The text with one final newline; when trimming leaves a newline after the text, a slice of the joined lines (no
	// copy of ~1 MB at 10,000 notes).
	const joined = lines.join("\n");
	const end = joined.trimEnd().length;
	return joined.charCodeAt(end) === 10 ? joined.slice(0, end + 1) : `${joined.slice(0, end)}\n`;
}
