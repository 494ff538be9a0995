import type { Clock } from "../ports/clock";
import { systemClock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where shown lines go (the plugin: the developer console; the CLI: stderr). */
export interface ConsoleSink {
	debug(line: string): void;
	info(line: string): void;
	warn(line: string): void;
	error(line: string): void;
}

/** The Logger port plus debug-mode files. */
export interface DebugLogger extends Logger {
	readonly debugMode: boolean;
	/**
	 * A logger for one stage: in debug mode its lines also go to `<stageDir>/<name>.log` (e.g.
	 * `stageDir(id, "import", "transform")`, "transform"). Outside debug mode no file is written.
	 */
	forStage(stageDir: string, name: string): DebugLogger;
	/** Writes buffered file lines (this logger's and its stage loggers'). Never rejects. */
	flush(): Promise<void>;
}

export interface CreateLoggerOptions {
	debugMode: boolean;
	/** Needed for log files. */
	store?: StagingStore;
	/** A log file (vault-relative) for this logger's own lines, in debug mode only. */
	logFile?: string;
	console?: ConsoleSink;
	clock?: Clock;
	/** Lines buffered per file before a write is started (default 200). */
	bufferLines?: number;
}

const defaultConsole: ConsoleSink = {
	debug: (line) => console.debug(line),
	info: (line) => console.debug(line),
	warn: (line) => console.warn(line),
	error: (line) => console.error(line),
};

/** Buffered appends to one file, written in order. */
class FileBuffer {
	private lines: string[] = [];
	private chain: Promise<void> = Promise.resolve();
	private reported = false;

	constructor(
		private readonly store: StagingStore,
		readonly path: string,
		private readonly limit: number,
		private readonly sink: ConsoleSink,
	) {}

	push(line: string): void {
		this.lines.push(line);
		if (this.lines.length >= this.limit) void this.flush();
	}

	flush(): Promise<void> {
		if (this.lines.length > 0) {
			const data = this.lines.join("");
			this.lines = [];
			this.chain = this.chain.then(() =>
				this.store.append(this.path, data).catch((e: unknown) => {
					if (!this.reported) {
						this.reported = true;
						this.sink.warn(`Cannot write the log file ${this.path}: ${e instanceof Error ? e.message : String(e)}`);
					}
				}),
			);
		}
		return this.chain;
	}
}

function formatContext(context?: Record<string, unknown>): string {
	if (!context || Object.keys(context).length === 0) return "";
	try {
		return " " + JSON.stringify(context);
	} catch {
		return " [unserialisable context]";
	}
}

class StagedLogger implements DebugLogger {
	constructor(
		readonly debugMode: boolean,
		private readonly sink: ConsoleSink,
		private readonly clock: Clock,
		private readonly store: StagingStore | undefined,
		private readonly file: FileBuffer | undefined,
		private readonly files: Map<string, FileBuffer>,
		private readonly bufferLines: number,
	) {}

	debug(message: string, context?: Record<string, unknown>): void {
		this.log("debug", message, context);
	}
	info(message: string, context?: Record<string, unknown>): void {
		this.log("info", message, context);
	}
	warn(message: string, context?: Record<string, unknown>): void {
		this.log("warn", message, context);
	}
	error(message: string, context?: Record<string, unknown>): void {
		this.log("error", message, context);
	}

	forStage(stageDir: string, name: string): DebugLogger {
		return new StagedLogger(
			this.debugMode,
			this.sink,
			this.clock,
			this.store,
			this.bufferFor(`${stageDir}/${name}.log`),
			this.files,
			this.bufferLines,
		);
	}

	async flush(): Promise<void> {
		await Promise.all([...this.files.values()].map((f) => f.flush()));
	}

	bufferFor(path: string): FileBuffer | undefined {
		if (!this.debugMode || !this.store) return undefined;
		let buffer = this.files.get(path);
		if (!buffer) {
			buffer = new FileBuffer(this.store, path, this.bufferLines, this.sink);
			this.files.set(path, buffer);
		}
		return buffer;
	}

	private log(level: LogLevel, message: string, context?: Record<string, unknown>): void {
		const shown = this.debugMode || level === "warn" || level === "error";
		const text = `${message}${formatContext(context)}`;
		if (shown) this.sink[level](level === "debug" || level === "info" ? text : `${level === "warn" ? "Warning" : "Error"}: ${text}`);
		this.file?.push(`${this.clock.now().toISOString()} ${level.toUpperCase()} ${text}\n`);
	}
}

/**
 * The logger: in debug mode every line is shown and, when a store is given, written to the log files
 * (`logFile`, and `<stage>/<name>.log` for stage loggers); otherwise only warnings and errors are shown
 * and no file is written. File lines are buffered; call flush() at the end of a stage or run.
 */
export function createLogger(options: CreateLoggerOptions): DebugLogger {
	const sink = options.console ?? defaultConsole;
	const files = new Map<string, FileBuffer>();
	const root = new StagedLogger(
		options.debugMode,
		sink,
		options.clock ?? systemClock,
		options.store,
		undefined,
		files,
		options.bufferLines ?? 200,
	);
	if (options.logFile === undefined) return root;
	return new StagedLogger(
		options.debugMode,
		sink,
		options.clock ?? systemClock,
		options.store,
		root.bufferFor(options.logFile),
		files,
		options.bufferLines ?? 200,
	);
}

/** Whether a Logger is a DebugLogger (has stage loggers and flush). */
export function isDebugLogger(logger: Logger): logger is DebugLogger {
	return typeof (logger as Partial<DebugLogger>).forStage === "function" && typeof (logger as Partial<DebugLogger>).flush === "function";
}
