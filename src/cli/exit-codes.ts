/** Process exit codes of `knowledge-etl`, shared by every command (which error gives which: errors.ts). */
export const ExitCode = {
	/** Done (skipped items allowed). */
	OK: 0,
	/** An unexpected error (a bug, a disk failure). */
	UNEXPECTED: 1,
	/** A session or input not found, unreadable or unrecognised; also a usage error. */
	NOT_FOUND: 2,
	USAGE: 2,
	/** The LLM server is down or unusable (issue 6). */
	LLM_UNAVAILABLE: 3,
	/** Some items failed (issue 3). */
	PARTIAL: 4,
	/** Every item failed (issue 3). */
	ALL_FAILED: 5,
	/** Another run is changing the vault (its lock is held): nothing was done; try again once it ends. */
	LOCKED: 6,
	/** Stopped by Ctrl-C (SIGINT) or SIGTERM: the session is `stopped`, `resume` goes on (128 + SIGINT's 2, as shells do). */
	INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes for people, the same in every command's --help and the README. */
export const EXIT_CODES_HELP = `Exit codes: 0 done (skips allowed), 1 unexpected error, 2 usage error, or input or session not found / unreadable /
unrecognised, 3 the LLM server is down or lacks the model, 4 some items failed, 5 every item failed, 6 another run
is changing the vault, 130 stopped by Ctrl-C or SIGTERM (resume goes on).`;

/** The exit code for a run of `total` items of which `failed` failed: OK with none, ALL_FAILED with all, else PARTIAL. */
export function exitCodeForFailures(failed: number, total: number): ExitCodeValue {
	if (failed === 0) return ExitCode.OK;
	return failed >= total ? ExitCode.ALL_FAILED : ExitCode.PARTIAL;
}
