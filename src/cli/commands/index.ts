import type { CliCommand } from "./command";
import { cleanCommand } from "./clean";
import { importCommand, resumeCommand, retryCommand } from "./import";
import { ORGANIZE_USAGE, runOrganizeCommand } from "./organize";
import { statusCommand } from "./status";

export type { CliCommand } from "./command";

/**
 * Every `knowledge-etl <name>` command. To add one: a file in this folder exporting a CliCommand, and one
 * line here.
 */
export const COMMANDS: readonly CliCommand[] = [
	importCommand,
	resumeCommand,
	retryCommand,
	statusCommand,
	cleanCommand,
	{ name: "organize", summary: "file notes into genre folders (a preview unless --apply)", usage: ORGANIZE_USAGE, run: runOrganizeCommand },
];

export function findCommand(name: string): CliCommand | undefined {
	return COMMANDS.find((c) => c.name === name);
}
