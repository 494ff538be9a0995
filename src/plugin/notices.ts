import type { AppliedRecord, UndoResult, ContinueOrganizeResult, ApplyOrganizeResult, PlanCounts } from "../core/app/types";
import { countPlan } from "../core/app/views";
import { t } from "./i18n";

/** The end Notices of organize runs (plan, apply, undo, resume, retry): text only, no plugin state. */

/** "Organize plan ready: 12 moves, 3 edits, 2 to review, 1 nearly empty, 1 failed. Review it in the session panel, then apply it." */
export function planNotice(counts: PlanCounts): string {
	const failed = counts.failed > 0 ? t("notice.andFailed", { count: counts.failed }) : "";
	if (counts.moves + counts.edits === 0) return t("notice.planNothing", { notes: t("count.notes", { count: counts.total }), failed });
	return t("notice.planReady", {
		moves: t("count.moves", { count: counts.moves }),
		edits: t("count.edits", { count: counts.edits }),
		review: counts.review,
		dust: counts.dust,
		failed,
	});
}

function movedCount(record: AppliedRecord): number {
	return record.operations.filter((o) => o.type === "move").length;
}

export function applyNotice(result: ApplyOrganizeResult): string {
	const moved = movedCount(result.record);
	const edited = new Set(result.record.operations.flatMap((o) => (o.type === "modify" ? [o.path] : []))).size;
	const failed = result.record.failures.length;
	const vars = {
		moved: t("count.notes", { count: moved }),
		edited,
		notApplied: failed > 0 ? t("notice.notApplied", { count: failed }) : "",
	};
	return result.cancelled ? t("notice.applyStopped", vars) : t("notice.applied", vars);
}

export function undoNotice(result: UndoResult): string {
	const restored = t("count.changes", { count: result.restored });
	if (result.conflicts.length === 0) return t("notice.undone", { restored });
	const shown = result.conflicts.slice(0, 3).map((c) => `${c.path}: ${c.message}`);
	const more = result.conflicts.length > 3 ? t("notice.andMore", { count: result.conflicts.length - 3 }) : "";
	return t("notice.undoneConflicts", {
		restored,
		conflicts: t("count.conflicts", { count: result.conflicts.length }),
		list: shown.join(t("list.separator")),
		more,
	});
}

/** The end Notice of an organize resume or retry. */
export function continueNotice(result: ContinueOrganizeResult): string {
	const label = result.mode === "resume" ? t("notice.organizeResume") : t("notice.organizeRetry");
	if (result.message) return t("notice.runMessage", { label, message: result.message });
	if (result.cancelled) return t("notice.continueStopped", { label });
	if (result.record) {
		const moved = movedCount(result.record);
		const failed = result.record.failures.length;
		const planFailed = result.plan?.items.filter((item) => item.status === "failed").length ?? 0;
		const stillFailed = failed + planFailed > 0 ? t("notice.stillFailed", { count: failed + planFailed }) : "";
		return t("notice.continueDone", { label, moved: t("count.notes", { count: moved }), stillFailed });
	}
	return result.plan ? planNotice(countPlan(result.plan)) : t("notice.continueEnded", { label });
}
