import { Notice } from "obsidian";
import { cleanOldSessions as clean } from "../session-actions";
import type { PluginCommand } from "./plugin-command";
import { t } from "../i18n";

export const cleanOldSessions: PluginCommand = {
	id: "clean-old-sessions",
	run: async (plugin) => {
		const days = plugin.settings.retentionDays;
		try {
			const { removed } = await clean(plugin);
			new Notice(removed.length === 0 ? t("notice.cleanNone", { days }) : t("notice.cleanRemoved", { count: removed.length, days }));
			plugin.refreshSessionViews();
		} catch (e) {
			new Notice(t("notice.cleanFailed", { error: e instanceof Error ? e.message : String(e) }));
		}
	},
};
