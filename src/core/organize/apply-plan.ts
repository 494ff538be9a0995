import * as z from "zod";
import type { NoteVault } from "../ports/note-vault";
import { sha256Hex } from "../util/sha256";
import { cleanContent } from "./clean-content";
import { parseNote } from "./frontmatter/parse-note";
import { renderNote } from "./frontmatter/render-note";
import { findLinks } from "./links/find-links";
import { folderOf, joinPath, pathIndex } from "./links/resolve-link";
import { rewriteLinks } from "./links/rewrite-links";
import { listOrganizeInputs } from "./plan-organize";
import type { Plan, PlanItem } from "./plan";

/** One change made to the vault, with what undo needs to reverse it exactly. */
export const AppliedOperationSchema = z.discriminatedUnion("type", [
	z.object({ type: z.literal("modify"), path: z.string(), before: z.string(), after: z.string() }),
	z.object({ type: z.literal("move"), from: z.string(), to: z.string() }),
	/** A note replaced by "overwrite": moved to the trash; undo re-creates it from `before`. */
	z.object({ type: z.literal("trash"), path: z.string(), before: z.string() }),
	/** A folder the apply created for a move (a genre folder): undo removes it again when it is left empty. */
	z.object({ type: z.literal("folder"), path: z.string() }),
]);
export type AppliedOperation = z.infer<typeof AppliedOperationSchema>;

export const AppliedRecordSchema = z.object({
	version: z.literal(1),
	planCreatedAt: z.string(),
	appliedAt: z.string(),
	/** In the order they happened; undo reverses them from the end. */
	operations: z.array(AppliedOperationSchema),
	/** Items that could not be applied (the note changed since the plan, a move was refused, ...). */
	failures: z.array(z.object({ path: z.string(), message: z.string() })),
	/** How many notes had links rewritten. */
	linkEdits: z.number(),
	complete: z.boolean(),
	/**
	 * Per planned note (by its `from`): how far applying it went, so a resume goes on where it stopped and a
	 * retry redoes only what failed. `edited`: the edit pass is done, the move is not; `done`: fully applied.
	 * Absent in records written before resume existed.
	 */
	items: z.record(z.string(), z.enum(["edited", "done", "edit-failed", "move-failed"])).optional(),
	/** How many of the record's move operations have had their links rewritten (CLI); absent: all when complete. */
	movesLinked: z.number().optional(),
});
export type AppliedRecord = z.infer<typeof AppliedRecordSchema>;

export interface ApplyOptions {
	/** Rewrite links across the vault after the moves (the CLI). The plugin moves with FileManager.renameFile, which does it. */
	rewriteLinks: boolean;
	now?: Date;
	/** Called after every operation with the record so far, so a crash mid-apply still leaves an undoable record. */
	onProgress?: (record: AppliedRecord, item?: PlanItem) => Promise<void> | void;
}

/**
 * Applies a plan: per planned note, the frontmatter and content edits (at its old path), then the move; then,
 * when asked, the links across the vault. Every change is recorded with the original text, so `undoPlan`
 * restores the vault byte for byte. A note that changed since the plan is not touched (a failure).
 */
export async function applyPlan(vault: NoteVault, plan: Plan, options: ApplyOptions): Promise<AppliedRecord> {
	const record: AppliedRecord = {
		version: 1,
		planCreatedAt: plan.createdAt,
		appliedAt: (options.now ?? new Date()).toISOString(),
		operations: [],
		failures: [],
		linkEdits: 0,
		complete: false,
	};
	const report = async (item?: PlanItem): Promise<void> => {
		await options.onProgress?.(record, item);
	};
	const moves = new Map<string, string>();
	for (const item of plan.items) {
		if (item.status !== "planned") continue;
		try {
			await applyItem(vault, item, record, moves);
		} catch (error) {
			record.failures.push({ path: item.from, message: error instanceof Error ? error.message : String(error) });
		}
		await report(item);
	}
	if (options.rewriteLinks && moves.size > 0) {
		await rewriteVaultLinks(vault, moves, record);
	}
	record.complete = true;
	await report();
	return record;
}

async function applyItem(vault: NoteVault, item: PlanItem, record: AppliedRecord, moves: Map<string, string>): Promise<void> {
	const text = await vault.read(item.from);
	if (item.sourceHash && sha256Hex(text) !== item.sourceHash) {
		throw new Error(`"${item.from}" changed since the plan was made; not touching it`);
	}
	if (item.frontmatterChanges.length > 0 || item.contentChanged) {
		const parsed = parseNote(text);
		if (!parsed.ok) throw new Error(`Invalid YAML frontmatter in "${item.from}" at line ${parsed.line}: ${parsed.reason}`);
		const body = item.contentChanged ? cleanContent(parsed.note.body, parsed.note.eol) : parsed.note.body;
		const next = renderNote(parsed.note, item.frontmatterChanges, body);
		if (next !== text) {
			await vault.modify(item.from, next);
			record.operations.push({ type: "modify", path: item.from, before: text, after: next });
		}
	}
	if (item.to === item.from) return;
	if (item.conflict?.resolution === "overwrite" && (await vault.exists(item.to))) {
		const before = await vault.read(item.to);
		await vault.trash(item.to);
		record.operations.push({ type: "trash", path: item.to, before });
	}
	const folder = folderOf(item.to);
	if (folder !== "") for (const created of await vault.ensureFolder(folder)) record.operations.push({ type: "folder", path: created });
	await vault.rename(item.from, item.to);
	record.operations.push({ type: "move", from: item.from, to: item.to });
	moves.set(item.from, item.to);
}

/** Rewrites, in every note of the vault, the links whose target moved (or that a moved note's new place breaks). */
export async function rewriteVaultLinks(vault: NoteVault, moves: Map<string, string>, record: AppliedRecord): Promise<void> {
	const backwards = new Map([...moves].map(([from, to]) => [to, from]));
	const notesAfter = await listOrganizeInputs(vault, "");
	const notesBefore = notesAfter.map((path) => backwards.get(path) ?? path);
	// Attachments (non-Markdown link targets) never move, but relative links to them from moved notes must be fixed.
	const texts = new Map<string, string>();
	const attachments = new Set<string>();
	for (const path of notesAfter) {
		const text = await vault.read(path);
		texts.set(path, text);
		const oldPath = backwards.get(path) ?? path;
		for (const link of findLinks(text)) {
			if (/\.md$/i.test(link.linkPath) || !/\.[a-z0-9]{1,5}$/i.test(link.linkPath)) continue;
			for (const candidate of [joinPath(folderOf(oldPath), link.linkPath), joinPath("", link.linkPath)]) {
				if (candidate && !attachments.has(candidate) && (await vault.exists(candidate))) attachments.add(candidate);
			}
		}
	}
	const context = {
		before: pathIndex([...notesBefore, ...attachments]),
		after: pathIndex([...notesAfter, ...attachments]),
		newPathOf: (path: string): string => moves.get(path) ?? path,
	};
	for (const path of notesAfter) {
		const text = texts.get(path)!;
		const result = rewriteLinks(text, backwards.get(path) ?? path, path, context);
		for (const link of result.unfixable) record.failures.push({ path, message: `could not keep the link ${link}` });
		if (result.rewritten === 0 || result.text === text) continue;
		await vault.modify(path, result.text);
		record.operations.push({ type: "modify", path, before: text, after: result.text });
		record.linkEdits++;
	}
}

export interface UndoResult {
	restored: number;
	/** Operations that could not be reversed because the vault changed since (the file is left as it is). */
	conflicts: { path: string; message: string }[];
}

/**
 * Reverses an applied record, last operation first. A note edited by the user since the apply is not
 * overwritten: that step is reported as a conflict and left alone. A folder the apply created is removed once
 * the notes are back out of it, unless something else is in it now (kept, and not a conflict: it is the user's);
 * `restored` counts notes' changes only.
 */
export async function undoPlan(vault: NoteVault, record: AppliedRecord): Promise<UndoResult> {
	const result: UndoResult = { restored: 0, conflicts: [] };
	for (const operation of [...record.operations].reverse()) {
		try {
			if (operation.type === "modify") {
				const current = await vault.read(operation.path);
				if (current !== operation.after) {
					result.conflicts.push({ path: operation.path, message: "changed since the organize run; left as it is" });
					continue;
				}
				await vault.modify(operation.path, operation.before);
			} else if (operation.type === "folder") {
				await vault.removeFolderIfEmpty(operation.path);
				continue;
			} else if (operation.type === "move") {
				if (await vault.exists(operation.from)) {
					result.conflicts.push({ path: operation.to, message: `"${operation.from}" exists again; not moving back` });
					continue;
				}
				const folder = folderOf(operation.from);
				if (folder !== "") await vault.ensureFolder(folder);
				await vault.rename(operation.to, operation.from);
			} else {
				if (await vault.exists(operation.path)) {
					result.conflicts.push({ path: operation.path, message: "cannot restore the overwritten note: the path is taken" });
					continue;
				}
				await vault.create(operation.path, operation.before);
			}
			result.restored++;
		} catch (error) {
			const path = operation.type === "move" ? operation.to : operation.path;
			result.conflicts.push({ path, message: error instanceof Error ? error.message : String(error) });
		}
	}
	return result;
}
