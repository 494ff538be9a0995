import { Notice } from "obsidian";
import { readOrganizeState, sessionTimeLabel } from "../../core/app/views";
import type { PluginServices } from "../services";
import { undoOrganize } from "../organize-actions";
import type { PluginCommand } from "./plugin-command";
import { t } from "../i18n";

/** Reverses an applied organize session (checked against its files first); the end Notice says what was reversed. */
export async function undoOrganizeChecked(plugin: PluginServices, sessionId: string): Promise<void> {
	const state = await readOrganizeState(plugin.stagingStore, sessionId).catch(() => "none" as const);
	if (state !== "applied" && state !== "partially-applied") {
		new Notice(t("notice.nothingToUndo", { time: sessionTimeLabel(sessionId), state: t(`organizeState.${state}`) }));
		return;
	}
	await undoOrganize(plugin, sessionId);
}

export const undoOrganizeSession: PluginCommand = {
	id: "undo-organize-session",
	run: async (plugin) => {
		const id = plugin.organizeTargets.undo;
		if (id) await undoOrganizeChecked(plugin, id);
	},
};
