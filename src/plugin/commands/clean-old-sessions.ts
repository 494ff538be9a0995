import { Notice } from "obsidian";
import { cleanOldSessions as clean } from "../session-actions";
import type { PluginCommand } from "./plugin-command";

export const cleanOldSessions: PluginCommand = {
	id: "clean-old-sessions",
	run: async (plugin) => {
		const days = plugin.settings.retentionDays;
		try {
			const { removed } = await clean(plugin);
			new Notice(removed.length === 0 ? `No session is older than ${days} days.` : `Removed ${removed.length} sessions older than ${days} days.`);
			plugin.refreshSessionViews();
		} catch (e) {
			new Notice(`Could not clean the sessions: ${e instanceof Error ? e.message : String(e)}`);
		}
	},
};
