import type KnowledgeEtlPlugin from "../main";

/**
 * One command of the palette. Ids carry no plugin id and no word "command"; names are sentence case;
 * no default hotkeys. Each command lives in its own file and is listed in `commands/index.ts`.
 */
export interface PluginCommand {
	id: string;
	name: string;
	/** When given, the command shows in the palette only while this returns true. */
	isAvailable?: (plugin: KnowledgeEtlPlugin) => boolean;
	run: (plugin: KnowledgeEtlPlugin) => void | Promise<void>;
}
