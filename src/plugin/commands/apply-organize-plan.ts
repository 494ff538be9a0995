import { Notice } from "obsidian";
import { readOrganizeState, countPlan, planChangeSize, sessionTimeLabel } from "../../core/app/views";
import type { PluginServices } from "../services";
import { ConfirmApplyModal } from "../modals/confirm-apply-modal";
import { applyOrganize, readPlan } from "../organize-actions";
import type { PluginCommand } from "./plugin-command";
import { t } from "../i18n";

/**
 * Asks for confirmation (how many notes move, how many are edited), then applies the session's plan. Checks the
 * files first: the plan may have been applied since the command or button was offered. Null when nothing opened.
 */
export async function confirmApplyOrganize(plugin: PluginServices, sessionId: string): Promise<ConfirmApplyModal | null> {
	const time = sessionTimeLabel(sessionId);
	try {
		const state = await readOrganizeState(plugin.stagingStore, sessionId);
		if (state !== "planned") {
			new Notice(t("notice.noPlanToApply", { time, state: t(`organizeState.${state}`) }));
			return null;
		}
		const plan = await readPlan(plugin, sessionId);
		const counts = countPlan(plan);
		if (counts.moves + counts.edits === 0) {
			new Notice(t("notice.planChangesNothing", { time }));
			return null;
		}
		const modal = new ConfirmApplyModal(plugin.app, {
			sessionTime: time,
			folder: plan.folder,
			counts,
			size: planChangeSize(plan),
			onConfirm: () => void applyOrganize(plugin, sessionId),
		});
		modal.open();
		return modal;
	} catch (e) {
		new Notice(t("notice.planUnreadable", { time, error: e instanceof Error ? e.message : String(e) }));
		return null;
	}
}

export const applyOrganizePlan: PluginCommand = {
	id: "apply-organize-plan",
	run: async (plugin) => {
		const id = plugin.organizeTargets.apply;
		if (id) await confirmApplyOrganize(plugin, id);
	},
};
