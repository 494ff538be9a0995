/** Process exit codes of `knowledge-etl`, shared by every command. */
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
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for a run of `total` items of which `failed` failed: OK with none, ALL_FAILED with all, else PARTIAL. */
export function exitCodeForFailures(failed: number, total: number): ExitCodeValue {
	if (failed === 0) return ExitCode.OK;
	return failed >= total ? ExitCode.ALL_FAILED : ExitCode.PARTIAL;
}
