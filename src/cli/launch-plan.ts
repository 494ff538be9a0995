// Where dist/cli.js runs a command, from its command line (before loading the CLI). Node modules only.
//
// The heap cap (a worker thread, see main.ts) is for long runs, where V8 would let the heap grow far beyond what
// the import keeps alive; a shorter import runs faster without it, in the launcher's own thread. The export's
// reader thread pays from about THREAD_MIN_BYTES of input: below, one thread does everything.
import { THREAD_MIN_BYTES } from "./extract-thread/prestart";
import { importInputBytes } from "./import-size-guess";

/** The organize flags that change notes (or go on with a session that may): anything but a preview. */
const CHANGING_ORGANIZE = /^--(apply|apply-plan|resume|retry|undo)(=|$)/;

/** An organize command line that only previews (writes a plan in a new session, changes no note). */
export function isOrganizePreview(argv: readonly string[]): boolean {
	return argv[0] === "organize" && !argv.some((arg) => CHANGING_ORGANIZE.test(arg));
}

/** An import of less than this (as guessed from its command line) runs without the heap cap. */
export const UNCAPPED_MAX_BYTES = 64 * 1024 * 1024;

export interface LaunchPlan {
	/** Run the CLI in this thread (no heap cap), or in a worker thread whose heap is capped. */
	program: "here" | "worker";
	/** Start the export's reader thread now, while the CLI loads (a large import). */
	startReader: boolean;
}

/**
 * `heapMb` 0 = no cap asked for: everything here (the import still starts its own reader for a large export).
 * `KNOWLEDGE_ETL_UNCAPPED_MAX_MB` overrides {@link UNCAPPED_MAX_BYTES} (for tests and tuning).
 */
export function launchPlan(argv: readonly string[], heapMb: number, env: NodeJS.ProcessEnv = process.env): LaunchPlan {
	if (heapMb === 0) return { program: "here", startReader: false };
	// An organize preview holds one small plan item per note and lets go of each note's text as it goes: it needs no
	// cap, and starting the capped thread cost a tenth of a second of CPU, a sixth of a 10,000-note preview's budget.
	// Not the verbs that change notes: their loops do not yield, and only the capped thread hears Ctrl-C mid-note
	// (the launcher sets the shared cancel flag).
	if (isOrganizePreview(argv)) return { program: "here", startReader: false };
	const bytes = importInputBytes(argv);
	if (bytes === null) return { program: "worker", startReader: false };
	const raw = Number(env.KNOWLEDGE_ETL_UNCAPPED_MAX_MB);
	const uncappedMax =
		env.KNOWLEDGE_ETL_UNCAPPED_MAX_MB !== undefined && Number.isFinite(raw) && raw >= 0 ? raw * 1024 * 1024 : UNCAPPED_MAX_BYTES;
	return { program: bytes < uncappedMax ? "here" : "worker", startReader: bytes >= THREAD_MIN_BYTES };
}

/**
 * The program's code cache for a command line: organize has its own (`<program>.organize.cache`, saved by the build
 * after a small preview, so it holds the code a preview runs and not the import's), every other command the
 * import's (`<program>.cache`: undefined). A preview with the import's cache compiled its planning code on first use
 * (~25 ms of a 10,000-note preview's CPU), and the import's cache with organize's code in it too was larger for
 * every import to load.
 */
export function programCacheFor(program: string, argv: readonly string[]): string | undefined {
	return argv[0] === "organize" ? `${program}.organize.cache` : undefined;
}
