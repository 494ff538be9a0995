import type { Clock } from "../core/app/types";
import { exitCodeOf } from "./errors";
import { ExitCode } from "./exit-codes";

/**
 * Where a command writes: `stdout` only for machine output (`--json`: exactly one JSON object), `stderr` for
 * everything meant for people. Both take raw text (add the newline yourself). `clock` and `cwd` are for tests.
 */
export interface CliIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	clock?: Clock;
	/** Default vault directory (the process's working directory when absent). */
	cwd?: string;
	/** True when stderr is a terminal (live progress lines); false when absent. */
	isTTY?: boolean;
	/** Aborted by Ctrl-C or SIGTERM (caught by the launcher, main.ts): the run stops like the panel's Cancel. */
	signal?: AbortSignal;
}

/** Exactly one JSON object on stdout. */
export function printJson(io: CliIo, value: unknown): void {
	io.stdout(JSON.stringify(value, null, 2) + "\n");
}

/** A line for people (stderr). */
export function say(io: CliIo, line = ""): void {
	io.stderr(line + "\n");
}

/** `scheme://user:secret@host` → `scheme://***@host`: a URL's credentials never reach a message. */
export function redactUrls(text: string): string {
	return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}

/** The text after one "Error: " / "Warning: " prefix: a message that already carries it is not prefixed twice. */
export function withPrefix(prefix: "Error" | "Warning", text: string): string {
	return `${prefix}: ${text.replace(/^(?:(?:Error|Warning):\s*)+/, "")}`;
}

/**
 * Reports an error and returns its exit code: the message on stderr (with the stack for unexpected errors),
 * and with `json` also `{error: {message, exit_code}}` on stdout so a script always gets one object. One
 * "Error:" prefix (a stack starts with its own), URL credentials redacted.
 */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
	const code = exitCodeOf(error);
	const message = redactUrls(error instanceof Error ? error.message : String(error));
	const stack = error instanceof Error && error.stack ? error.stack.split("\n").slice(1).join("\n") : "";
	say(io, withPrefix("Error", code === ExitCode.UNEXPECTED && stack ? `${message}\n${redactUrls(stack)}` : message));
	if (json) printJson(io, { error: { message, exit_code: code } });
	return code;
}

/** The IO of the real process. */
export function processIo(): CliIo {
	return {
		stdout: (text) => {
			process.stdout.write(text);
		},
		stderr: (text) => {
			process.stderr.write(text);
		},
		cwd: process.cwd(),
		isTTY: process.stderr.isTTY,
	};
}
