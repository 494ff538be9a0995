/** Old-generation heap of each worker thread of the CLI, in MB, when `KNOWLEDGE_ETL_HEAP_MB` does not say. */
export const DEFAULT_HEAP_MB = 192;

/** `KNOWLEDGE_ETL_HEAP_MB` (0 = no worker for the commands, and no cap), else {@link DEFAULT_HEAP_MB}. */
export function heapLimitMb(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.KNOWLEDGE_ETL_HEAP_MB;
	if (raw === undefined || raw.trim() === "") return DEFAULT_HEAP_MB;
	const n = Number(raw);
	return Number.isFinite(n) && n >= 0 ? Math.floor(n) : DEFAULT_HEAP_MB;
}

/**
 * Young generation of each worker thread, in MB (V8's new space: where every object starts; a scavenge copies what
 * lives out of it). Left to V8, a thread with a 192 MB heap takes ~32 MB of it, and the import's two busy threads
 * held it mostly as garbage between scavenges. Measured on 10,000 Claude conversations (2 runs each, loaded
 * machine): 8 MB → peak RSS 168 MB, CPU 11.8 s; 16 MB → 188–198 MB, 10.9 s; V8's own (32) → 223 MB, 10.6 s.
 * Since the export is read without a buffer per chunk and compiled less (issue 20), 12 MB (3 pairs at 10,000, 6 at
 * 2,000, alternating, load ~12): peak RSS 141–142 → 131–139 MB at 10,000 and 170 → 160 MB at 2,000; CPU the same
 * within the noise (10,000: 9.1–9.2 s and 8.6–9.1 s; 2,000: medians 3.12 and 3.19 s).
 */
export const YOUNG_GENERATION_MB = 12;

/**
 * Young generation of the thread that runs the command (the import's main side), in MB. Since the reader thread sends
 * a drafted conversation without its JSON and no copy of it is written (issue 20), that side allocates far less per
 * conversation, and half the reader's young generation costs it little: 10,000 conversations (a 230 MB export), 7
 * runs each alternating at load ~14: peak RSS 155 → 138 MB (median), CPU 10.60 → 10.92 s (+3%, within the noise of
 * that load). The reader keeps YOUNG_GENERATION_MB: its GC was a quarter of its profile, and at 2,000 conversations,
 * where the command runs in the launcher's thread, its CPU is what counts.
 *
 * V8 rounds a semi-space up to a power of two: a young generation of 8 to 12 MB is the same new space of 8 MB
 * (measured in a worker under steady allocation: 6 MB gives a new space of 4 MB; 8, 10 and 12 give 8 MB; 16 gives 16),
 * which is why 10 MB for the reader gave nothing over 12. 6 MB here halves the command thread's new space: 10,000 conversations, 3 pairs alternating at
 * load ~6, peak RSS 130–134 → 124–127 MB, CPU median 7.58 → 7.70 s (+1.6%). Inputs under 64 MB (2,000
 * conversations) run the command in the launcher's thread and are not affected.
 */
export const PROGRAM_YOUNG_GENERATION_MB = 6;

/**
 * Young generation of the reader thread of an import whose command runs in a worker thread (inputs of 64 MB and
 * more, launch-plan.ts; a resume or retry, whose size the command line does not tell), where memory is the constraint: a new space of 4 MB instead of 8 (see
 * PROGRAM_YOUNG_GENERATION_MB). 10,000 conversations, 4 pairs alternating at load ~7: peak RSS 123–128 → 120–124 MB,
 * CPU medians 8.33 and 8.31 s. Smaller imports (the command in the launcher's thread) keep YOUNG_GENERATION_MB: at
 * 2,000 conversations the reader's CPU is what counts.
 */
export const CAPPED_READER_YOUNG_GENERATION_MB = 6;

/** The resource limits of a worker thread with an old generation of `heapMb` (and a young one of `youngMb`). */
export function workerResourceLimits(
	heapMb: number,
	youngMb = YOUNG_GENERATION_MB,
): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
	return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: youngMb };
}
