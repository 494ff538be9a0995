import * as nodePath from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors";

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

/** A whole number of 1 or more (`--limit`: 0 would import nothing, and was silently taken as 1). */
export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d+$/.test(value.trim()) || Number(value.trim()) < 1)
		throw new UsageError(`--${name} must be a whole number of 1 or more, not "${value}"`);
	return Number(value.trim());
}

/**
 * `--out`: a folder inside the vault, as a vault-relative POSIX path. An absolute path is taken when it lies in the
 * vault; one outside it, a path that climbs out (`../x`), the vault root itself and dot-folders (`.staging`,
 * `.obsidian`, any `.name` on the way) are usage errors: notes there would be outside the vault or hidden.
 */
export function parseOutFolder(value: string, vaultDir: string): string {
	const absolute = nodePath.isAbsolute(value) ? value : nodePath.resolve(vaultDir, value);
	const relative = nodePath.relative(nodePath.resolve(vaultDir), absolute).split(nodePath.sep).join("/");
	if (relative === "" || relative === ".")
		throw new UsageError(`--out must name a folder inside the vault, not the vault itself: "${value}"`);
	if (relative === ".." || relative.startsWith("../") || nodePath.isAbsolute(relative)) {
		throw new UsageError(`--out must be a folder inside the vault (${vaultDir}), not "${value}"`);
	}
	const dot = relative.split("/").find((segment) => segment.startsWith("."));
	if (dot !== undefined)
		throw new UsageError(`--out cannot be in a dot-folder ("${dot}"): Obsidian does not show notes there. Got "${value}"`);
	return relative;
}
