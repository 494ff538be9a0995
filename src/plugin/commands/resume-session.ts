import { continueSession, sessionChoices } from "../session-actions";
import type { PluginCommand } from "./plugin-command";
import { pickSession } from "./session-picker";
import { t } from "../i18n";

export const resumeSession: PluginCommand = {
	id: "resume-session",
	run: async (plugin) => {
		const choices = await sessionChoices(plugin, "resume");
		pickSession(plugin.app, choices, t("notice.nothingToResume"), t("picker.resume"), (c) => {
			void continueSession(plugin, "resume", c.session.session_id);
		});
	},
};
