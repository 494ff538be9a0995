// V8 flags the CLI sets for itself, first thing in the launcher: before it loads the program and the reader
// (their code caches hold a hash of the flags: the build's warm-up run sets the same ones, or V8 refuses the caches),
// and for every thread it starts (V8's flags belong to the process).
import { setFlagsFromString } from "node:v8";

/**
 * Let a function run four times longer before V8 asks its optimizing compiler for it (default 67,584). An import
 * is one pass over many short conversations: in a 2,000-conversation import, optimizing compiles took about a quarter
 * of the whole CPU (perf, background compile threads), many of them of functions that were then thrown away (deopts
 * of code optimized before it had seen its paths). Measured A/B, alternating, medians: 2,000 conversations −8% CPU
 * (3.51 → 3.24 s), 10,000 −3% (10.37 → 10.10 s); 8× gained no more at 10,000.
 *
 * And compile in the thread that asked (no background compile jobs): each job holds its compiler's working memory
 * until the thread installs its code, and up to eight wait at once in each of the import's two busy threads. At
 * 10,000 conversations (3 alternating pairs, load ~10): peak RSS 131–138 → 128–129 MB, CPU not higher (median
 * 11.46 → 10.45 s), wall 15–27 s → 14–22 s; at 2,000 (5 pairs): CPU 3.62 / 3.66 s (the same). On two cores the
 * background compiler only took a core from the other busy thread. (Without TurboFan at all, 120 MB: its memory is
 * that much of the peak; its CPU is not worth it.) This one holds for the threads the launcher starts, not for the
 * launcher's own: V8 reads it when an isolate is made, so the launcher's thread (organize, and an import under 64 MB,
 * whose command runs there) still compiles in the background (--trace-opt: "kConcurrent" there, "kSynchronous" in a
 * worker). Hence the same CPU at 2,000 above.
 */
export const CLI_V8_FLAGS: readonly string[] = ["--interrupt-budget=270336", "--no-concurrent-recompilation"];

export function setCliV8Flags(): void {
	for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
}
