import { t, type MessageKey } from "../i18n";
import type KnowledgeEtlPlugin from "../main";

/**
 * The command palette: every command's id, name and (for some) when it is offered, in palette order. Registered at
 * load without evaluating any command: running one loads the engine first (`plugin.engine()`), whose `COMMANDS`
 * (commands/index.ts, one file each) hold what each does. Ids carry no plugin id and no word "command"; names are
 * sentence case; no default hotkeys. Availability is read synchronously from state the plugin keeps (Obsidian asks
 * while drawing the palette), never from the engine.
 */
export const PALETTE = [
	{ id: "start-import-session", name: "command.startImport" },
	{ id: "start-organize-session", name: "command.startOrganize" },
	{ id: "apply-organize-plan", name: "command.applyOrganize", isAvailable: (plugin) => plugin.organizeTargets.apply !== null },
	{ id: "undo-organize-session", name: "command.undoOrganize", isAvailable: (plugin) => plugin.organizeTargets.undo !== null },
	{ id: "resume-session", name: "command.resume" },
	{ id: "retry-failed-items", name: "command.retry" },
	{ id: "cancel-running-session", name: "command.cancel", isAvailable: (plugin) => plugin.runs?.isRunning === true },
	{ id: "open-session-panel", name: "command.openPanel" },
	{ id: "clean-old-sessions", name: "command.clean" },
] as const satisfies readonly PaletteEntry[];

export type CommandId = (typeof PALETTE)[number]["id"];

export interface PaletteEntry {
	id: string;
	/** The palette name, as a key of the message table (read when the command is registered). */
	name: MessageKey;
	/** When given, the command shows in the palette only while this returns true. */
	isAvailable?: (plugin: KnowledgeEtlPlugin) => boolean;
}

export function registerCommands(plugin: KnowledgeEtlPlugin): void {
	for (const entry of PALETTE as readonly PaletteEntry[]) {
		const run = (): void => void plugin.runCommand(entry.id as CommandId);
		const { isAvailable } = entry;
		if (isAvailable) {
			plugin.addCommand({
				id: entry.id,
				name: t(entry.name),
				checkCallback: (checking) => {
					if (!isAvailable(plugin)) return false;
					if (!checking) run();
					return true;
				},
			});
		} else {
			plugin.addCommand({ id: entry.id, name: t(entry.name), callback: run });
		}
	}
}
