import { setMaxStringBytes } from "../core/app/extract-thread";

/**
 * `KNOWLEDGE_ETL_MAX_MESSAGE_MB`: the largest single message (a JSON string of the export) a conversation may hold;
 * one over it fails that conversation with the reason and the others go on (default 64 MB). Read in each thread
 * that reads an export (the command's and the reader thread's), as the heap limit is.
 */
export function applyMessageLimit(env: NodeJS.ProcessEnv = process.env): void {
	const raw = env.KNOWLEDGE_ETL_MAX_MESSAGE_MB;
	const mb = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
	setMaxStringBytes(Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : 0);
}
