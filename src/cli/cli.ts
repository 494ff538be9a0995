import { COMMANDS, findCommand } from "./commands/index";
import { UsageError } from "./errors";
import { EXIT_CODES_HELP, ExitCode } from "./exit-codes";
import { applyMessageLimit } from "./message-limit";
import { reportError, say, type CliIo } from "./output";

function usage(): string {
	const width = Math.max(...COMMANDS.map((c) => c.name.length));
	return [
		"Usage: knowledge-etl <command> [options]",
		"",
		"Commands:",
		...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
		"",
		"Run `knowledge-etl <command> --help` for a command's options.",
		"",
		EXIT_CODES_HELP,
	].join("\n");
}

/** The CLI: runs `argv` (without node and the script) and returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
	applyMessageLimit();
	const [name, ...rest] = argv;
	if (name === undefined) {
		say(io, usage());
		return ExitCode.USAGE;
	}
	if (name === "--help" || name === "-h" || name === "help") {
		say(io, usage());
		return ExitCode.OK;
	}
	const command = findCommand(name);
	if (!command) {
		say(io, `Unknown command "${name}".\n\n${usage()}`);
		return ExitCode.USAGE;
	}
	try {
		return await command.run(rest, io);
	} catch (e) {
		if (e instanceof UsageError) say(io, command.usage);
		return reportError(io, e, rest.includes("--json"));
	}
}
