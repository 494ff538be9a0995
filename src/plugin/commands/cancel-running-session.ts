import type { PluginCommand } from "./plugin-command";

export const cancelRunningSession: PluginCommand = {
	id: "cancel-running-session",
	name: "Cancel running session",
	isAvailable: (plugin) => plugin.runs.isRunning,
	run: (plugin) => {
		plugin.runs.cancel();
	},
};
