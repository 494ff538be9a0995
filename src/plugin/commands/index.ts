import type KnowledgeEtlPlugin from "../main";
import { applyOrganizePlan } from "./apply-organize-plan";
import { cancelRunningSession } from "./cancel-running-session";
import { cleanOldSessions } from "./clean-old-sessions";
import { openSessionPanel } from "./open-session-panel";
import type { PluginCommand } from "./plugin-command";
import { resumeSession } from "./resume-session";
import { retryFailedItems } from "./retry-failed-items";
import { startImportSession } from "./start-import-session";
import { startOrganizeSession } from "./start-organize-session";
import { undoOrganizeSession } from "./undo-organize-session";

/** Every command, in palette order. Add new commands here (one file each). */
export const COMMANDS: readonly PluginCommand[] = [
	startImportSession,
	startOrganizeSession,
	applyOrganizePlan,
	undoOrganizeSession,
	resumeSession,
	retryFailedItems,
	cancelRunningSession,
	openSessionPanel,
	cleanOldSessions,
];

export function registerCommands(plugin: KnowledgeEtlPlugin, commands: readonly PluginCommand[] = COMMANDS): void {
	for (const command of commands) {
		const { isAvailable } = command;
		if (isAvailable) {
			plugin.addCommand({
				id: command.id,
				name: command.name,
				checkCallback: (checking) => {
					if (!isAvailable(plugin)) return false;
					if (!checking) void command.run(plugin);
					return true;
				},
			});
		} else {
			plugin.addCommand({ id: command.id, name: command.name, callback: () => void command.run(plugin) });
		}
	}
}
