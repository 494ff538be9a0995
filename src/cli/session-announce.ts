import { isMainThread, parentPort, workerData } from "node:worker_threads";

/** What the command thread tells the launcher (main.ts) once a run's session is known. */
export interface SessionAnnounce {
	kind: "knowledge-etl-session";
	sessionId: string;
	vault: string;
}

/**
 * Tells the launcher which session the run works in, so that if the thread is stopped by its memory cap the
 * launcher can say exactly what to run to go on (see main.ts). Nothing when the command runs in the launcher's
 * own thread (it then reports its own errors).
 */
export function announceSession(sessionId: string, vault: string): void {
	if (isMainThread || !parentPort || (workerData as { kind?: string } | null)?.kind !== "knowledge-etl-cli") return;
	const message: SessionAnnounce = { kind: "knowledge-etl-session", sessionId, vault };
	parentPort.postMessage(message);
}

/** A word of a command line, quoted for a POSIX shell when it needs to be. */
export function shellWord(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * What to run after the command's thread hit its memory cap: the session's resume when the run had one (it goes
 * on where it stopped), else the same command line; both with a larger cap.
 */
export function afterOutOfMemory(heapMb: number, argv: readonly string[], session: SessionAnnounce | null): string {
	const more = Math.max(1024, heapMb * 4);
	const json = argv.includes("--json") ? " --json" : "";
	if (session) {
		return (
			`Error: the run needed more than ${heapMb} MB of memory and was stopped. Session ${session.sessionId} keeps what was done; ` +
			`to go on where it stopped, run:\n  KNOWLEDGE_ETL_HEAP_MB=${more} knowledge-etl resume --session ${session.sessionId} --vault ${shellWord(session.vault)}${json}`
		);
	}
	return (
		`Error: the run needed more than ${heapMb} MB of memory and was stopped before it began a session (nothing was written). ` +
		`Run it again with more memory:\n  KNOWLEDGE_ETL_HEAP_MB=${more} knowledge-etl ${argv.map(shellWord).join(" ")}`
	);
}
