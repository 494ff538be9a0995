// V8 flags the CLI sets for itself (V8's flags belong to the process: every thread has them).
//
// A code cache holds a hash of the V8 flags it was made under, and V8 refuses it under others: Node's own cache of
// its built-in modules (made with the defaults, when Node was built) as well as ours (made by the build's warm-up
// runs). So the flags set first thing in the launcher are only ones outside that hash (CLI_V8_FLAGS), and the one
// inside it (the interrupt budget: armTiering) is set once the threads of the run have loaded their code: set at
// launch, it made every thread compile Node's built-ins from source (a worker's start-up took 55 instead of 27 ms of
// CPU: the reader's, and the capped program's), and the caches had to be made under it.
import { setFlagsFromString } from "node:v8";

/**
 * Set by armTiering, once the run's code is loaded: let a function run four times longer before V8 asks its
 * optimizing compiler for it (default 67,584). An import is one pass over many short conversations: in a
 * 2,000-conversation import, optimizing compiles took about a quarter
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
const TIERING_FLAG = "--interrupt-budget=270336";
/**
 * An organize preview's budget (armPreviewTiering), four times a long import's and twice a short one's: a preview runs
 * each of its planning functions once per note in one pass, and its optimizing compiles cost about what they gained.
 * At 10,000 notes the compiles took ~80 ms of CPU in the background threads (--trace-opt: classifyByKeywords ~27 ms
 * with what it inlines, flatFrontmatter ~21), for functions whose own time in the run was a few milliseconds each.
 * Measured A/B, alternating, whole-process CPU from wait4, load ~2: against TIERING_FLAG, -18.6 ms (lower in 22 of 30
 * pairs), -21.6 ms (15 of 20), +2.4 ms (9 of 20); on an earlier build -32 and -16 ms, where twice as long again gained
 * nothing more (-1 ms), four times lost (+8 ms), no optimizing compiler at all +28 ms, and SHORT_TIERING_FLAG's value
 * -12 ms (this one -16 ms in the same round). A preview is a process of its own: the imports' budgets are unchanged.
 */
const PREVIEW_TIERING_FLAG = "--interrupt-budget=1081344";
/**
 * V8's own value (Node 20's V8 11.3; `node --v8-options`): with it the flags hash as V8's defaults do again. A Node
 * whose V8 has another default fails v8-flags.test.ts (which reads it from `--v8-options`).
 */
export const TIERING_DEFAULT = "--interrupt-budget=67584";

/**
 * Set first thing in the launcher: outside the code caches' flag hash (see the test).
 *
 * `--no-parallel-scavenge`: each collection of the young generation in the thread that allocated, not split with
 * V8's helper threads. An import's two busy threads allocate fast and scavenge often (~700 and ~400 times at 10,000
 * conversations, with a young generation of a few MB), and each scavenge handed part of its work to a helper thread
 * (`background.scavenge.parallel` in --trace-gc-nvp): on two cores, that helper only took a core from the other busy
 * thread, and the hand-off cost CPU of its own. Measured at 10,000 conversations, 6 alternating pairs (load ~1.3):
 * CPU median 5.15 → 5.07 s (lower in 5 of 6 pairs), wall 2.94 → 2.84 s. V8 reads it at each scavenge, so it holds for
 * the launcher's own thread too. (`--no-concurrent-marking` with `--no-parallel-marking` crashes Node 20's V8.)
 */
export const CLI_V8_FLAGS: readonly string[] = ["--no-concurrent-recompilation", "--no-parallel-scavenge"];

export function setCliV8Flags(): void {
	for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
}

/**
 * The interrupt budget of a short import (conversations of fewer than SHORT_IMPORT_BYTES): twice TIERING_FLAG's. A
 * short import is over before much of what V8 optimizes pays back its compile: at 2,000 conversations (45 MB),
 * optimizing compiles were ~12% of the whole CPU (perf: V8's compiler), and 90 functions were compiled (--trace-opt).
 * Measured A/B, alternating, medians (load ~2): 2,000 conversations, 10 triples with the floor: CPU 1.365 → 1.270 s
 * (−7%), wall 0.865 → 0.760 s; 200 conversations, 10 pairs: 0.320 → 0.290 s (−9%). At 10,000 (230 MB) the same budget
 * for the whole run cost more than it saved (5 triples: CPU 5.11 → 5.29 s, +3.5%), as it did when set back to
 * TIERING_FLAG after the first second: a long import keeps TIERING_FLAG. 16× gave 2,000 no more than 8×.
 */
const SHORT_TIERING_FLAG = "--interrupt-budget=540672";

/**
 * An import whose conversations (their documents' bytes: a zip's entries uncompressed) are fewer bytes than this is
 * short (SHORT_TIERING_FLAG). The same size as the launcher's line for running an import in its own thread, without
 * the heap cap (launch-plan.ts's UNCAPPED_MAX_BYTES), for the same reason: it is over soon. The launcher's is a guess
 * from the command line; this one is known once the inputs are open.
 */
export const SHORT_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * Set with the interrupt budget for an import (armTiering given its conversations' bytes): V8 allocates no object in
 * its old generation because others made at the same place in the code lived long. Early in an import the reader
 * thread's first batch waits, its conversations kept, until the import takes it, and later batches live through a
 * young-generation collection or two before they go: V8 then decided (--trace-pretenuring) to allocate every later
 * message and every batch entry of the import in the old generation, where each, garbage a moment later, kept what it
 * held (the parts, the texts, the note body) alive through every young collection until a mark-compact: all of it
 * was copied and promoted. 10,000 conversations, the reader thread (--trace-gc-nvp): promoted 114 -> 48 MB,
 * mark-compacts 14 -> 7. Inside the code caches' flags hash, as the budget is: set and unset with it.
 */
const NO_PRETENURING_FLAG = "--no-allocation-site-pretenuring";
const PRETENURING_DEFAULT = "--allocation-site-pretenuring";

/**
 * The interrupt budget above, for the rest of the run: TIERING_FLAG, or SHORT_TIERING_FLAG when `conversationBytes`
 * (ExportReader.totalBytes) is known and under SHORT_IMPORT_BYTES; with a size (an import), NO_PRETENURING_FLAG too.
 * Returns the budget's flag. Called when no thread of the run is still loading code: by the program when it starts
 * and no reader thread was started ahead of it (cli-worker.ts, with no size: every command), and again by an import
 * (a new one, or a resume or retry that reads its inputs again) once its inputs are open: in its own thread when there
 * is no reader thread (threaded-export.ts), or by the reader thread, when it has opened them or is told it is not
 * needed (extract-worker.ts). A thread that loads code after it (a reader the program starts itself) would compile
 * Node's built-ins and its script from source: the program disarms before it starts one, and the reader arms again.
 * Either way only CPU is at stake, never the result.
 */
export function armTiering(conversationBytes?: number): string {
	const flag = conversationBytes !== undefined && conversationBytes < SHORT_IMPORT_BYTES ? SHORT_TIERING_FLAG : TIERING_FLAG;
	setFlagsFromString(flag);
	if (conversationBytes !== undefined) setFlagsFromString(NO_PRETENURING_FLAG);
	return flag;
}

/**
 * An organize preview's budget (PREVIEW_TIERING_FLAG) instead of armTiering's, set as it is: by the program when it
 * starts (cli-worker.ts; a preview starts no reader thread). Returns the flag it set.
 */
export function armPreviewTiering(): string {
	setFlagsFromString(PREVIEW_TIERING_FLAG);
	return PREVIEW_TIERING_FLAG;
}

/**
 * V8's default budget again (and its pretenuring: NO_PRETENURING_FLAG): before a thread that loads code starts, and
 * before the build's warm-up saves a cache.
 */
export function disarmTiering(): void {
	setFlagsFromString(TIERING_DEFAULT);
	setFlagsFromString(PRETENURING_DEFAULT);
}
