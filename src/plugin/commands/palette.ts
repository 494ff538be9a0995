import type KnowledgeEtlPlugin from "../main";

/**
 * The command palette: every command's id, name and (for some) when it is offered, in palette order. Registered at
 * load without evaluating any command: running one loads the engine first (`plugin.engine()`), whose `COMMANDS`
 * (commands/index.ts, one file each) hold what each does. Ids carry no plugin id and no word "command"; names are
 * sentence case; no default hotkeys. Availability is read synchronously from state the plugin keeps (Obsidian asks
 * while drawing the palette), never from the engine.
 */
export const PALETTE = [
	{ id: "start-import-session", name: "Start import session" },
	{ id: "start-organize-session", name: "Start organize session" },
	{ id: "apply-organize-plan", name: "Apply organize plan", isAvailable: (plugin) => plugin.organizeTargets.apply !== null },
	{ id: "undo-organize-session", name: "Undo organize session", isAvailable: (plugin) => plugin.organizeTargets.undo !== null },
	{ id: "resume-session", name: "Resume session" },
	{ id: "retry-failed-items", name: "Retry failed items" },
	{ id: "cancel-running-session", name: "Cancel running session", isAvailable: (plugin) => plugin.runs?.isRunning === true },
	{ id: "open-session-panel", name: "Open session panel" },
	{ id: "clean-old-sessions", name: "Clean old sessions" },
] as const satisfies readonly PaletteEntry[];

export type CommandId = (typeof PALETTE)[number]["id"];

export interface PaletteEntry {
	id: string;
	name: string;
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
				name: entry.name,
				checkCallback: (checking) => {
					if (!isAvailable(plugin)) return false;
					if (!checking) run();
					return true;
				},
			});
		} else {
			plugin.addCommand({ id: entry.id, name: entry.name, callback: run });
		}
	}
}
