import type { PluginCommand } from "./plugin-command";

export const cancelRunningSession: PluginCommand = {
	id: "cancel-running-session",
	run: (plugin) => {
		plugin.runs.cancel();
	},
};
