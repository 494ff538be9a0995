import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./output";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
	vault: { type: "string" },
	json: { type: "boolean", default: false },
	help: { type: "boolean", short: "h", default: false },
} as const satisfies OptionSpec;

/**
 * Parses a command's arguments (after the command name) with node:util parseArgs, strictly:
 * an unknown option or a missing value is a UsageError (exit 2).
 */
export function parseCommandArgs<O extends OptionSpec>(argv: readonly string[], options: O, allowPositionals = false) {
	try {
		return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
	} catch (e) {
		throw new UsageError(e instanceof Error ? e.message : String(e));
	}
}

/** A non-negative integer option value. */
export function parseNonNegativeInt(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number of 0 or more, not "${value}"`);
	return Number(value.trim());
}
