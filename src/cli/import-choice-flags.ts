import { readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { ImportOptionsInput } from "../core/app/types";
import { isKnownTimeZone, sinceInstant } from "../core/app/catalog";
import type { OptionSpec } from "./args";
import { SelectionFileError, UsageError } from "./errors";

/** How notes look and which conversations a new import takes (the flags beside --out and --limit). */
export const IMPORT_CHOICE_OPTIONS = {
	"time-zone": { type: "string" },
	"by-project": { type: "boolean", default: false },
	"date-prefix": { type: "boolean", default: false },
	rerender: { type: "boolean", default: false },
	edited: { type: "string" },
	select: { type: "string" },
	since: { type: "string" },
} as const satisfies OptionSpec;

export const IMPORT_CHOICE_USAGE = `  --time-zone ZONE    IANA zone for message times and created/updated (default: this computer's, e.g. Asia/Tokyo)
  --by-project        put notes of a named project in a sub-folder of it (Claude/<project>/)
  --date-prefix       start new notes' file names with the conversation's date (2025-03-10 Title)
  --rerender          rewrite every note you have not edited, even when nothing changed (after an upgrade)
  --edited append|preserve  a note you edited whose conversation grew: add the new messages below your text
                      under "## Added on <date> from <provider>" (default), or leave the note as it is
  --select FILE       import only the conversation ids listed in FILE, one per line (a line starting with # is a comment)
  --since DATE        import only conversations updated on or after DATE (2025-03-10, or a date-time)`;

type ChoiceValues = { [K in keyof typeof IMPORT_CHOICE_OPTIONS]?: string | boolean | undefined };

/** This computer's time zone (what `TZ` says, else the system's), or UTC when the runtime cannot tell. */
export function systemTimeZone(env: NodeJS.ProcessEnv = process.env, localtime = "/etc/localtime"): string {
	if (UTC_NAMES.has(namedZone(env, localtime))) return "UTC";
	const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	return zone && isKnownTimeZone(zone) ? zone : "UTC";
}

/**
 * The names ICU reports as "UTC" (`Intl.DateTimeFormat().resolvedOptions().timeZone` under `TZ=<name>`). The first
 * Intl.DateTimeFormat of a process loads ICU's zone data (20 ms of CPU here, 0.2 s on a loaded machine), and a UTC
 * import formats its times without Intl: a computer set to UTC (servers, containers, CI) need not pay it.
 */
export const UTC_NAMES: ReadonlySet<string> = new Set([
	"UTC",
	"Etc/UTC",
	"UCT",
	"Etc/UCT",
	"Universal",
	"Etc/Universal",
	"Zulu",
	"Etc/Zulu",
	"GMT",
	"Etc/GMT",
]);

/**
 * The zone name this computer is set to, read as ICU reads it where that is cheap: `TZ` (a leading ":" dropped),
 * else the zoneinfo file `/etc/localtime` links to. "" when neither tells (Windows, a copied file): Intl decides.
 */
function namedZone(env: NodeJS.ProcessEnv, localtime: string): string {
	const tz = env.TZ;
	if (tz !== undefined) return tz.replace(/^:/, "");
	try {
		const target = readlinkSync(localtime);
		const at = target.lastIndexOf("zoneinfo/");
		return at < 0 ? "" : target.slice(at + "zoneinfo/".length);
	} catch {
		return "";
	}
}

/** The import options these flags ask for; a bad value is a UsageError, a missing --select file an input error. */
export async function parseImportChoiceFlags(values: ChoiceValues, cwd: string): Promise<Partial<ImportOptionsInput>> {
	const zoneFlag = typeof values["time-zone"] === "string" ? values["time-zone"].trim() : undefined;
	if (zoneFlag !== undefined && !isKnownTimeZone(zoneFlag))
		throw new UsageError(`--time-zone: "${zoneFlag}" is not a time zone (use an IANA name such as Europe/Paris, or UTC)`);
	const timeZone = zoneFlag ?? systemTimeZone();
	const out: Partial<ImportOptionsInput> = { timeZone };
	if (values["by-project"] === true) out.byProject = true;
	if (values["date-prefix"] === true) out.datePrefix = true;
	if (values.rerender === true) out.rerender = true;
	if (values.edited !== undefined) {
		if (values.edited !== "append" && values.edited !== "preserve")
			throw new UsageError(`--edited must be append or preserve, not "${String(values.edited)}"`);
		out.editedNotes = values.edited;
	}
	if (typeof values.since === "string") {
		const since = sinceInstant(values.since, timeZone);
		if (since === null) throw new UsageError(`--since must be a date (2025-03-10) or an ISO 8601 date-time, not "${values.since}"`);
		out.since = since;
	}
	if (typeof values.select === "string") out.select = await readSelection(nodePath.resolve(cwd, values.select));
	return out;
}

/** The ids of a selection file: one per line, blank lines and `#` comments left out. */
async function readSelection(path: string): Promise<string[]> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch (e) {
		throw new SelectionFileError(`--select: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
	}
	const ids = [
		...new Set(
			text
				.split(/\r?\n/)
				.map((l) => l.trim())
				.filter((l) => l !== "" && !l.startsWith("#")),
		),
	];
	if (ids.length === 0) throw new SelectionFileError(`--select: ${path} lists no conversation id (one per line)`);
	return ids;
}
