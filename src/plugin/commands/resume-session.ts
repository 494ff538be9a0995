import { continueSession, sessionChoices } from "../session-actions";
import type { PluginCommand } from "./plugin-command";
import { pickSession } from "./session-picker";

export const resumeSession: PluginCommand = {
	id: "resume-session",
	run: async (plugin) => {
		const choices = await sessionChoices(plugin, "resume");
		pickSession(plugin.app, choices, "No interrupted or failed session to resume.", "Pick a session to resume", (c) => {
			void continueSession(plugin, "resume", c.session.session_id);
		});
	},
};
