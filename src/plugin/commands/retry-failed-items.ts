import { continueSession, sessionChoices } from "../session-actions";
import type { PluginCommand } from "./plugin-command";
import { pickSession } from "./session-picker";
import { t } from "../i18n";

export const retryFailedItems: PluginCommand = {
	id: "retry-failed-items",
	run: async (plugin) => {
		const choices = await sessionChoices(plugin, "retry");
		pickSession(plugin.app, choices, t("notice.nothingToRetry"), t("picker.retry"), (c) => {
			void continueSession(plugin, "retry", c.session.session_id);
		});
	},
};
