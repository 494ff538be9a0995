import { folderChoices, FolderSuggestModal } from "../modals/folder-suggest-modal";
import { startOrganize } from "../organize-actions";
import type { PluginCommand } from "./plugin-command";

/** Pick a folder (default: the import output folder) → a plan, shown in the session panel with an Apply button. */
export const startOrganizeSession: PluginCommand = {
	id: "start-organize-session",
	run: (plugin) => {
		const choices = folderChoices(plugin.app, plugin.settings.outputFolder);
		new FolderSuggestModal(plugin.app, choices, (choice) => {
			const run = startOrganize(plugin, choice.path);
			if (run) plugin.activateSessionView().catch((e: unknown) => plugin.logDebug("Could not open the session panel", e));
		}).open();
	},
};
