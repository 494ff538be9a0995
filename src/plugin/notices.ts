import type { AppliedRecord, UndoResult } from "../core/organize/apply-plan";
import type { ContinueOrganizeResult } from "../core/organize/continue-organize-session";
import type { ApplyOrganizeResult } from "../core/organize/organize-session";
import { countPlan, type PlanCounts } from "../core/organize/plan";

/** The end Notices of organize runs (plan, apply, undo, resume, retry): text only, no plugin state. */

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Organize plan ready: 12 moves, 3 edits, 2 to review, 1 dust, 1 failed. Review it in the session panel, then apply it." */
export function planNotice(counts: PlanCounts): string {
	const failed = counts.failed > 0 ? `, ${counts.failed} failed` : "";
	if (counts.moves + counts.edits === 0) return `Organize plan ready: nothing to change in ${plural(counts.total, "note", "notes")}${failed}.`;
	return (
		`Organize plan ready: ${plural(counts.moves, "move", "moves")}, ${plural(counts.edits, "edit", "edits")}, ` +
		`${counts.review} to review, ${counts.dust} dust${failed}. Review it in the session panel, then apply it.`
	);
}

function movedCount(record: AppliedRecord): number {
	return record.operations.filter((o) => o.type === "move").length;
}

export function applyNotice(result: ApplyOrganizeResult): string {
	const moved = movedCount(result.record);
	const edited = new Set(result.record.operations.flatMap((o) => (o.type === "modify" ? [o.path] : []))).size;
	const failed = result.record.failures.length;
	const done = `${plural(moved, "note", "notes")} moved, ${edited} edited${failed > 0 ? `, ${failed} not applied (see the session panel)` : ""}`;
	if (result.cancelled) return `Organize apply stopped: ${done}. Run "Undo organize session" to reverse it.`;
	return `Organize applied: ${done}. Run "Undo organize session" to reverse it.`;
}

export function undoNotice(result: UndoResult): string {
	const head = `Organize undone: ${plural(result.restored, "change", "changes")} reversed`;
	if (result.conflicts.length === 0) return `${head}.`;
	const shown = result.conflicts.slice(0, 3).map((c) => `${c.path}: ${c.message}`);
	const more = result.conflicts.length > 3 ? ` (and ${result.conflicts.length - 3} more)` : "";
	return `${head}; ${plural(result.conflicts.length, "conflict", "conflicts")} left as they are: ${shown.join("; ")}${more}.`;
}

/** The end Notice of an organize resume or retry. */
export function continueNotice(result: ContinueOrganizeResult): string {
	const label = result.mode === "resume" ? "Organize resume" : "Organize retry";
	if (result.message) return `${label}: ${result.message}.`;
	if (result.cancelled) return `${label} stopped: resume the session to go on.`;
	if (result.record) {
		const moved = movedCount(result.record);
		const failed = result.record.failures.length;
		const planFailed = result.plan?.items.filter((item) => item.status === "failed").length ?? 0;
		const stillFailed = failed + planFailed > 0 ? `, ${failed + planFailed} still failed (see the session panel)` : "";
		return `${label} done: ${plural(moved, "note", "notes")} moved in all${stillFailed}. Run "Undo organize session" to reverse it.`;
	}
	return result.plan ? planNotice(countPlan(result.plan)) : `${label} done.`;
}

