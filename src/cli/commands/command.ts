import type { CliIo } from "../output";

/** One `knowledge-etl <name>` command. It parses its own arguments and returns the exit code. */
export interface CliCommand {
	name: string;
	/** One line for the command list. */
	summary: string;
	usage: string;
	run(argv: readonly string[], io: CliIo): Promise<number>;
}
