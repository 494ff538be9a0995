import type { PluginServices } from "../services";
import type { CommandId } from "./palette";

/**
 * What one command of the palette does. Each command lives in its own file and is listed in `commands/index.ts`;
 * its name and when it is offered are in `commands/palette.ts` (registered at load, before any command's code).
 */
export interface PluginCommand {
	id: CommandId;
	/** Given the plugin's services (services.ts), not the plugin. */
	run: (plugin: PluginServices) => void | Promise<void>;
}
