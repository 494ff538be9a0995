import * as z from "../model/zod";
import type { NoteChangeListener } from "../import/load/index-sync";
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

/**
 * One change made to the vault, with what undo needs to reverse it exactly. The texts are either inline
 * (`before`/`after`: records of older versions, and applies without a journal) or kept by the journal in the
 * session's undo data (`beforeSha`: the original text's SHA-256, its copy's name; `afterSha`: what undo compares
 * the note with, to leave a later edit of the user's alone).
 */
export const AppliedOperationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.discriminatedUnion("type", [
		z.object({
			type: z.literal("modify"),
			path: z.string(),
			before: z.optional(z.string()),
			after: z.optional(z.string()),
			beforeSha: z.optional(z.string()),
			afterSha: z.optional(z.string()),
		}),
		z.object({ type: z.literal("move"), from: z.string(), to: z.string() }),
		/** A note replaced by "overwrite": moved to the trash; undo re-creates it from `before` (or `beforeSha`). */
		z.object({ type: z.literal("trash"), path: z.string(), before: z.optional(z.string()), beforeSha: z.optional(z.string()) }),
		/** A folder the apply created for a move (a genre folder): undo removes it again when it is left empty. */
		z.object({ type: z.literal("folder"), path: z.string() }),
	]),
);
export type AppliedOperation = z.infer<ReturnType<typeof AppliedOperationSchema>>;

export type ItemApplyState = "edited" | "done" | "edit-failed" | "move-failed";

/**
 * Where an apply writes ahead what it is about to do (the journal, apply-journal.ts). Without one, the texts
 * undo needs stay inline in the record (kept in memory: for tests and small plans only).
 */
export interface OperationLog {
	/** Keeps a text for undo, flushed; returns its address (SHA-256). */
	keep(text: string): Promise<string>;
	/** Before acting: records the operation, flushed. Returns its number. */
	begin(op: AppliedOperation, links?: boolean): Promise<number>;
	/** After acting (`happened`), or when the act is known not to have happened. */
	end(n: number, happened: boolean): Promise<void>;
	itemState(from: string, state: ItemApplyState): Promise<void>;
	failure(path: string, message: string): Promise<void>;
}

/** The text undo restores for an operation: inline, or from the undo data by its hash. */
export type UndoDataReader = (sha: string) => Promise<string>;

export const AppliedRecordSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		version: z.literal(1),
		planCreatedAt: z.string(),
		appliedAt: z.string(),
		/** In the order they happened; undo reverses them from the end. */
		operations: z.array(AppliedOperationSchema()),
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
		items: z.optional(z.record(z.string(), z.enum(["edited", "done", "edit-failed", "move-failed"]))),
		/** How many of the record's move operations have had their links rewritten (CLI); absent: all when complete. */
		movesLinked: z.optional(z.number()),
	}),
);
export type AppliedRecord = z.infer<ReturnType<typeof AppliedRecordSchema>>;

export interface ApplyOptions {
	/** Rewrite links across the vault after the moves (the CLI). The plugin moves with FileManager.renameFile, which does it. */
	rewriteLinks: boolean;
	now?: Date;
	/** Written ahead of every change (see OperationLog). */
	log?: OperationLog;
	/** Called after every planned note (and once at the end, without one). */
	onProgress?: (record: AppliedRecord, item?: PlanItem) => Promise<void> | void;
	/** Asked after every note: true stops the apply there (the record is returned with `complete: false`). */
	shouldStop?: () => boolean;
	/** Told of every note moved or rewritten (the import index follows imported notes: ImportIndexSync). */
	changes?: NoteChangeListener;
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
			await applyItem(vault, item, record, moves, options.log, options.changes);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			record.failures.push({ path: item.from, message });
			await options.log?.failure(item.from, message);
		}
		await report(item);
		if (options.shouldStop?.()) return record;
	}
	if (options.rewriteLinks && moves.size > 0) {
		await rewriteVaultLinks(vault, moves, record, options.log, options.changes);
	}
	record.complete = true;
	await report();
	return record;
}

/**
 * Does one change the write-ahead way: the operation (and the text undo needs) recorded first, then the act,
 * then "done". When the act throws, its line stays open: whether it happened is settled from the vault later.
 */
/** Whether two paths are one file under two names (only a vault whose rename takes two steps can tell, or needs to). */
export async function sameFile(vault: NoteVault, a: string, b: string): Promise<boolean> {
	return vault.sameFile ? vault.sameFile(a, b) : false;
}

async function logged(log: OperationLog | undefined, op: AppliedOperation, act: () => Promise<unknown>, links = false): Promise<void> {
	if (!log) {
		await act();
		return;
	}
	const n = await log.begin(op, links);
	await act();
	await log.end(n, true);
}

/** A modify operation: texts inline without a log, else the original kept in the undo data first. */
async function modifyOperation(log: OperationLog | undefined, path: string, before: string, after: string): Promise<AppliedOperation> {
	if (!log) return { type: "modify", path, before, after };
	return { type: "modify", path, beforeSha: await log.keep(before), afterSha: sha256Hex(after) };
}

async function applyItem(
	vault: NoteVault,
	item: PlanItem,
	record: AppliedRecord,
	moves: Map<string, string>,
	log?: OperationLog,
	changes?: NoteChangeListener,
): Promise<void> {
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
			const op = await modifyOperation(log, item.from, text, next);
			await logged(log, op, () => vault.modify(item.from, next));
			record.operations.push(op);
			await changes?.modified(item.from, text, next);
		}
	}
	if (item.to === item.from) return;
	if (item.conflict?.resolution === "overwrite" && (await vault.exists(item.to))) {
		const before = await vault.read(item.to);
		const op: AppliedOperation = log
			? { type: "trash", path: item.to, beforeSha: await log.keep(before) }
			: { type: "trash", path: item.to, before };
		await logged(log, op, () => vault.trash(item.to));
		record.operations.push(op);
	}
	const folder = folderOf(item.to);
	if (folder !== "") await ensureFolderLogged(vault, folder, record, log);
	const move: AppliedOperation = { type: "move", from: item.from, to: item.to };
	await logged(log, move, () => vault.rename(item.from, item.to));
	record.operations.push(move);
	moves.set(item.from, item.to);
	await changes?.moved(item.from, item.to);
}

/**
 * Makes a note's folder. With a log, the folders missing now are recorded ahead (outermost first), so a folder
 * made just before a kill is still removed by undo; one another process made meanwhile is marked not ours.
 */
async function ensureFolderLogged(vault: NoteVault, folder: string, record: AppliedRecord, log?: OperationLog): Promise<void> {
	if (!log) {
		for (const created of await vault.ensureFolder(folder)) record.operations.push({ type: "folder", path: created });
		return;
	}
	const missing: string[] = [];
	for (let path = folder; path !== ""; path = folderOf(path)) {
		if (await vault.exists(path)) break;
		missing.unshift(path);
	}
	if (missing.length === 0) return;
	const numbers = new Map<string, number>();
	for (const path of missing) numbers.set(path, await log.begin({ type: "folder", path }));
	const created = new Set(await vault.ensureFolder(folder));
	for (const path of missing) {
		await log.end(numbers.get(path)!, created.has(path));
		if (created.has(path)) record.operations.push({ type: "folder", path });
	}
}

/** Rewrites, in every note of the vault, the links whose target moved (or that a moved note's new place breaks). */
export async function rewriteVaultLinks(
	vault: NoteVault,
	moves: Map<string, string>,
	record: AppliedRecord,
	log?: OperationLog,
	changes?: NoteChangeListener,
): Promise<void> {
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
		for (const link of result.unfixable) {
			const message = `could not keep the link ${link}`;
			record.failures.push({ path, message });
			await log?.failure(path, message);
		}
		if (result.rewritten === 0 || result.text === text) continue;
		const op = await modifyOperation(log, path, text, result.text);
		await logged(log, op, () => vault.modify(path, result.text), true);
		record.operations.push(op);
		record.linkEdits++;
		await changes?.modified(path, text, result.text);
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
export async function undoPlan(
	vault: NoteVault,
	record: AppliedRecord,
	undoData?: UndoDataReader,
	changes?: NoteChangeListener,
): Promise<UndoResult> {
	const result: UndoResult = { restored: 0, conflicts: [] };
	const original = async (op: { before?: string | undefined; beforeSha?: string | undefined }): Promise<string> => {
		if (op.before !== undefined) return op.before;
		if (op.beforeSha === undefined || !undoData) throw new Error("the original text was not recorded");
		const text = await undoData(op.beforeSha);
		if (sha256Hex(text) !== op.beforeSha) throw new Error("the kept copy of the original text is damaged; left as it is");
		return text;
	};
	for (const operation of [...record.operations].reverse()) {
		try {
			if (operation.type === "modify") {
				const currentText = await vault.read(operation.path);
				const current = sha256Hex(currentText);
				const afterSha = operation.afterSha ?? (operation.after !== undefined ? sha256Hex(operation.after) : undefined);
				const beforeSha = operation.beforeSha ?? (operation.before !== undefined ? sha256Hex(operation.before) : undefined);
				if (current === beforeSha) {
					result.restored++; // restored already (an undo interrupted and run again)
					continue;
				}
				if (current !== afterSha) {
					result.conflicts.push({ path: operation.path, message: "changed since the organize run; left as it is" });
					continue;
				}
				const restored = await original(operation);
				await vault.modify(operation.path, restored);
				await changes?.modified(operation.path, currentText, restored);
			} else if (operation.type === "folder") {
				await vault.removeFolderIfEmpty(operation.path);
				continue;
			} else if (operation.type === "move") {
				if ((await vault.exists(operation.from)) && !(await vault.exists(operation.to))) {
					result.restored++; // moved back already (an undo interrupted and run again)
					continue;
				}
				if ((await vault.exists(operation.from)) && !(await sameFile(vault, operation.from, operation.to))) {
					result.conflicts.push({ path: operation.to, message: `"${operation.from}" exists again; not moving back` });
					continue;
				}
				const folder = folderOf(operation.from);
				if (folder !== "") await vault.ensureFolder(folder);
				await vault.rename(operation.to, operation.from);
				await changes?.moved(operation.to, operation.from);
			} else {
				const before = await original(operation);
				if (await vault.exists(operation.path)) {
					// A trash cut between its two steps: the note is still here, and also in the trash; that name goes.
					const trashed = (await vault.trashedAs?.(operation.path)) ?? null;
					if (trashed !== null) await vault.rename(trashed, operation.path);
					if (sha256Hex(await vault.read(operation.path)) === sha256Hex(before)) {
						result.restored++; // re-created already (an undo interrupted and run again)
						continue;
					}
					result.conflicts.push({ path: operation.path, message: "cannot restore the overwritten note: the path is taken" });
					continue;
				}
				await vault.create(operation.path, before);
			}
			result.restored++;
		} catch (error) {
			const path = operation.type === "move" ? operation.to : operation.path;
			result.conflicts.push({ path, message: error instanceof Error ? error.message : String(error) });
		}
	}
	return result;
}
