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
 */
export const CLI_V8_FLAGS: readonly string[] = ["--interrupt-budget=270336"];

export function setCliV8Flags(): void {
	for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
}
