import type { Logger } from "../../../src/core/ports/logger";

export interface LoggedLine {
	level: "debug" | "info" | "warn" | "error";
	message: string;
	context?: Record<string, unknown>;
}

/** A Logger that keeps its lines for assertions. */
export function memoryLogger(): Logger & { lines: LoggedLine[] } {
	const lines: LoggedLine[] = [];
	const at =
		(level: LoggedLine["level"]) =>
		(message: string, context?: Record<string, unknown>): void => {
			lines.push({ level, message, ...(context ? { context } : {}) });
		};
	return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
