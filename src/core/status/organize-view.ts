import type { AppliedRecord, UndoResult } from "../organize/apply-plan";
import type { OrganizeState } from "../organize/organize-session";
import { countPlan, type Plan } from "../organize/plan";

/**
 * The organize part of the side panel: what a session's plan will do (or did), built from its files below
 * `organize/load/output/` (plan.json, applied.json, undo.json). Plain JSON-able data, like the panel model.
 */

/** What the panel keeps of applied.json (never the notes' texts it holds for undo). */
export interface AppliedSummary {
	appliedAt: string;
	complete: boolean;
	moved: number;
	edited: number;
	linkEdits: number;
	failures: { path: string; message: string }[];
}

/** What the panel keeps of undo.json. */
export interface UndoSummary {
	undoneAt: string;
	restored: number;
	conflicts: { path: string; message: string }[];
}

/** The organize files of one session, as read (each null when missing); `error` when one could not be read. */
export interface OrganizeFiles {
	plan: Plan | null;
	applied: AppliedSummary | null;
	undo: UndoSummary | null;
	error: string | null;
}

export interface OrganizeMoveView {
	from: string;
	to: string;
	reason: string;
	/** genre, review or dust. */
	destination: string | null;
	/** `travel` or `travel / kyoto`. */
	genre: string | null;
	/** "renamed: Travel/Notes.md exists" when the wanted name was taken. */
	conflict: string | null;
}

export interface OrganizeIssueView {
	path: string;
	message: string;
}

export interface OrganizeCountsView {
	notes: number;
	moves: number;
	edits: number;
	review: number;
	dust: number;
	conflicts: number;
	/** Notes that could not be planned, plus (once applied) notes that could not be applied. */
	failures: number;
	unchanged: number;
	skipped: number;
}

export interface OrganizeView {
	state: OrganizeState;
	/** The organised folder; "" for the whole vault. */
	folder: string;
	counts: OrganizeCountsView;
	/** The plan's moves, in plan order (capped; `moreMoves` are beyond the cap). */
	moves: OrganizeMoveView[];
	moreMoves: number;
	/**
	 * Notes the apply could not change (edited since the plan, target taken...). Notes that could not be planned
	 * are counted in `counts.failures` and listed with the phase's failures (its transform records).
	 */
	notApplied: OrganizeIssueView[];
	moreNotApplied: number;
	applied: { at: string; moved: number; edited: number; complete: boolean } | null;
	undone: { at: string; restored: number; conflicts: OrganizeIssueView[] } | null;
	canApply: boolean;
	canUndo: boolean;
	error: string | null;
}

/** Moves kept in the model (the panel shows ~20 until "show all"). */
export const MAX_MOVES_IN_MODEL = 1000;
const MAX_ISSUES = 50;

export function summarizeApplied(record: AppliedRecord): AppliedSummary {
	const edited = new Set<string>();
	let moved = 0;
	for (const operation of record.operations) {
		if (operation.type === "move") moved++;
		else if (operation.type === "modify") edited.add(operation.path);
	}
	return {
		appliedAt: record.appliedAt,
		complete: record.complete,
		moved,
		edited: edited.size,
		linkEdits: record.linkEdits,
		failures: record.failures,
	};
}

export function summarizeUndo(undo: UndoResult & { undoneAt?: string }): UndoSummary {
	return { undoneAt: undo.undoneAt ?? "", restored: undo.restored, conflicts: undo.conflicts };
}

/** undo.json → undone; applied.json → applied (or partially, when the record is incomplete); plan.json → planned. */
export function organizeStateOf(files: Pick<OrganizeFiles, "plan" | "applied" | "undo">): OrganizeState {
	if (files.undo) return "undone";
	if (files.applied) return files.applied.complete ? "applied" : "partially-applied";
	return files.plan ? "planned" : "none";
}

/** `running`: the session is running (a preview or an apply in progress): nothing may be started on it. */
export function buildOrganizeView(files: OrganizeFiles, options: { running: boolean; maxMoves?: number }): OrganizeView {
	const state = organizeStateOf(files);
	const plan = files.plan;
	const planCounts = plan ? countPlan(plan) : null;
	const moves: OrganizeMoveView[] = [];
	for (const item of plan?.items ?? []) {
		if (item.status !== "planned" || item.from === item.to) continue;
		moves.push({
			from: item.from,
			to: item.to,
			reason: item.reason,
			destination: item.destination ?? null,
			genre: item.genre ? `${item.genre}${item.topic ? ` / ${item.topic}` : ""}` : null,
			conflict: item.conflict ? `${item.conflict.resolution}: ${item.conflict.wanted} exists` : null,
		});
	}
	const notApplied = (files.applied?.failures ?? []).map((failure) => ({ path: failure.path, message: failure.message }));
	const maxMoves = options.maxMoves ?? MAX_MOVES_IN_MODEL;
	const changes = (planCounts?.moves ?? 0) + (planCounts?.edits ?? 0);
	return {
		state,
		folder: plan?.folder ?? "",
		counts: {
			notes: planCounts?.total ?? 0,
			moves: planCounts?.moves ?? 0,
			edits: planCounts?.edits ?? 0,
			review: planCounts?.review ?? 0,
			dust: planCounts?.dust ?? 0,
			conflicts: planCounts?.conflicts ?? 0,
			failures: (planCounts?.failed ?? 0) + notApplied.length,
			unchanged: planCounts?.unchanged ?? 0,
			skipped: planCounts?.skipped ?? 0,
		},
		moves: moves.slice(0, maxMoves),
		moreMoves: Math.max(0, moves.length - maxMoves),
		notApplied: notApplied.slice(0, MAX_ISSUES),
		moreNotApplied: Math.max(0, notApplied.length - MAX_ISSUES),
		applied: files.applied
			? { at: files.applied.appliedAt, moved: files.applied.moved, edited: files.applied.edited, complete: files.applied.complete }
			: null,
		undone: files.undo
			? { at: files.undo.undoneAt, restored: files.undo.restored, conflicts: files.undo.conflicts.slice(0, MAX_ISSUES) }
			: null,
		canApply: state === "planned" && changes > 0 && !options.running && files.error === null,
		canUndo: (state === "applied" || state === "partially-applied") && !options.running,
		error: files.error,
	};
}
