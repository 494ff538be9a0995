import {
	ImportSessionError,
	InputError,
	InvalidSessionIdError,
	LlmUnavailableError,
	OrganizeSessionError,
	RunCancelledError,
	SessionFileError,
	SessionNotFoundError,
	VaultLockedError,
} from "../core/app/errors";
import { ExitCode, type ExitCodeValue } from "./exit-codes";

/** Bad arguments: exit 2, with the command's usage. */
export class UsageError extends Error {
	override readonly name = "UsageError";
}

/** Something the command line names is not there or not readable: the vault folder, any session at all (exit 2). */
export class NotFoundError extends Error {
	override readonly name = "NotFoundError";
}

/** The --select file is missing, unreadable or empty (exit 2, like an input not found). */
export class SelectionFileError extends Error {
	override readonly name = "SelectionFileError";
}

/** Any error class, whatever its constructor takes. */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * THE table from an error to the process's exit code, used by every command (through reportError and exitCodeOf).
 * The first row that matches wins. An error no row names is unexpected (1, printed with its stack).
 */
export const EXIT_CODE_TABLE: readonly { error: ErrorClass; code: ExitCodeValue }[] = [
	{ error: UsageError, code: ExitCode.USAGE },
	{ error: NotFoundError, code: ExitCode.NOT_FOUND },
	{ error: SelectionFileError, code: ExitCode.NOT_FOUND },
	// The core's: an export that cannot be read, a session that cannot go on (or changed inputs), no such session.
	{ error: InputError, code: ExitCode.NOT_FOUND },
	{ error: ImportSessionError, code: ExitCode.NOT_FOUND },
	{ error: OrganizeSessionError, code: ExitCode.NOT_FOUND },
	{ error: SessionNotFoundError, code: ExitCode.NOT_FOUND },
	{ error: InvalidSessionIdError, code: ExitCode.NOT_FOUND },
	{ error: SessionFileError, code: ExitCode.NOT_FOUND },
	{ error: LlmUnavailableError, code: ExitCode.LLM_UNAVAILABLE },
	{ error: VaultLockedError, code: ExitCode.LOCKED },
	{ error: RunCancelledError, code: ExitCode.INTERRUPTED },
];

/** A file the command line named is missing or unreadable (Node's error codes): exit 2, like an input not found. */
function isNotFoundFsError(e: unknown): boolean {
	return e instanceof Error && "code" in e && (e.code === "ENOENT" || e.code === "ENOTDIR" || e.code === "EACCES");
}

/** The exit code for an error: the table's row, a missing file 2, anything else 1 (unexpected). */
export function exitCodeOf(error: unknown): ExitCodeValue {
	const row = EXIT_CODE_TABLE.find((r) => error instanceof r.error);
	if (row) return row.code;
	if (isNotFoundFsError(error)) return ExitCode.NOT_FOUND;
	return ExitCode.UNEXPECTED;
}
