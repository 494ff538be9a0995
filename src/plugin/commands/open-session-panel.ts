import type { PluginCommand } from "./plugin-command";

export const openSessionPanel: PluginCommand = {
	id: "open-session-panel",
	run: (plugin) => plugin.activateSessionView(),
};
