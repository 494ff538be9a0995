/** A session.json or phase.json that cannot be read: bad JSON or a schema failure. Names the file and the field. */
export class SessionFileError extends Error {
	override readonly name = "SessionFileError";
	constructor(
		readonly path: string,
		/** The failing field as a dotted path (`phases.import.status`), or null for a JSON syntax error. */
		readonly field: string | null,
		readonly detail: string,
	) {
		super(field === null ? `${path}: ${detail}` : `${path}: field "${field}": ${detail}`);
	}
}

/** The session (or phase) asked for does not exist. */
export class SessionNotFoundError extends Error {
	override readonly name = "SessionNotFoundError";
	constructor(
		readonly sessionId: string,
		readonly path: string,
	) {
		super(`Session ${sessionId} not found (${path})`);
	}
}

/** A session id that is not `YYYYMMDD_HHMMSS` or not a real date. */
export class InvalidSessionIdError extends Error {
	override readonly name = "InvalidSessionIdError";
	constructor(readonly sessionId: string) {
		super(`Invalid session id "${sessionId}": expected YYYYMMDD_HHMMSS with a real date and time`);
	}
}

/**
 * The run was stopped by its signal (the panel's Cancel, Ctrl-C in the CLI) before it had a result to return: what
 * was done stays recorded and the session is `stopped` (resume goes on). Runs that have a result to show return
 * it with `cancelled` or a `stopped` status instead of throwing this.
 */
export class RunCancelledError extends Error {
	override readonly name = "RunCancelledError";
}
