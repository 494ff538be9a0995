/** Old-generation heap of each worker thread of the CLI, in MB, when `KNOWLEDGE_ETL_HEAP_MB` does not say. */
export const DEFAULT_HEAP_MB = 192;

/** `KNOWLEDGE_ETL_HEAP_MB` (0 = no worker for the commands, and no cap), else {@link DEFAULT_HEAP_MB}. */
export function heapLimitMb(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.KNOWLEDGE_ETL_HEAP_MB;
	if (raw === undefined || raw.trim() === "") return DEFAULT_HEAP_MB;
	const n = Number(raw);
	return Number.isFinite(n) && n >= 0 ? Math.floor(n) : DEFAULT_HEAP_MB;
}
