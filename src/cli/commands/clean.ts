import { SESSION_ROOT } from "../../core/app/views";
import { COMMON_OPTIONS, parseCommandArgs, parseNonNegativeInt } from "../args";
import { cliApp } from "../cli-app";
import { UsageError } from "../errors";
import { EXIT_CODES_HELP, ExitCode } from "../exit-codes";
import { printJson, reportError, say, type CliIo } from "../output";
import { resolveVaultDir } from "../vault-dir";
import type { CliCommand } from "./command";

export const CLEAN_USAGE = `Usage: knowledge-etl clean [--days N] [--dry-run] [--include-undo] [--json] [--vault DIR]

Deletes session folders (${SESSION_ROOT}/<id>) created more than N days ago (default 30), by their created_at
or, for a broken session, by the date in its id. Notes in the vault are never touched. Refused while another run
changes the vault; a session still running (here or in Obsidian) is never deleted, nor one whose organize run can
still be undone (unless --include-undo).
  --days N     age in days (default 30)
  --dry-run    only list what would be deleted
  --include-undo  also delete sessions holding an organize run's undo data (that run can then not be undone)
  --json       print one JSON object on stdout
  --vault DIR  the vault folder (default: the current directory)
${EXIT_CODES_HELP}`;

/** `knowledge-etl clean`; returns the exit code. */
export async function runClean(argv: readonly string[], io: CliIo): Promise<number> {
	let json = argv.includes("--json");
	try {
		const { values } = parseCommandArgs(argv, {
			...COMMON_OPTIONS,
			days: { type: "string" },
			"dry-run": { type: "boolean", default: false },
			"include-undo": { type: "boolean", default: false },
		});
		json = values.json;
		if (values.help) {
			say(io, CLEAN_USAGE);
			return ExitCode.OK;
		}
		const days = parseNonNegativeInt("days", values.days, 30);
		const dryRun = values["dry-run"];
		const { app } = cliApp(await resolveVaultDir(values.vault, io), io);
		const result = await app.clean({ days, dryRun, includeUndo: values["include-undo"] });
		const candidates = result.candidates;
		const kept = result.kept;
		if (json) {
			printJson(io, {
				dry_run: dryRun,
				days,
				cutoff: result.cutoff,
				deleted: dryRun ? [] : candidates,
				would_delete: dryRun ? candidates : [],
				kept,
				running: result.live,
			});
		} else {
			const verb = dryRun ? "Would delete" : "Deleted";
			say(io, `${verb} ${candidates.length} session(s) older than ${days} day(s); ${kept} kept.`);
			for (const c of candidates) say(io, `  ${c.id}${c.broken ? " (broken)" : ""}  created ${c.created_at}`);
			for (const id of result.live) say(io, `  ${id}  kept: still running (a live run beats its heartbeat)`);
			for (const id of result.undoable) say(io, `  ${id}  kept: its organize run can still be undone (--include-undo deletes it)`);
		}
		return ExitCode.OK;
	} catch (e) {
		if (e instanceof UsageError) say(io, CLEAN_USAGE);
		return reportError(io, e, json);
	}
}

export const cleanCommand: CliCommand = {
	name: "clean",
	summary: "delete session folders older than N days (default 30)",
	usage: CLEAN_USAGE,
	run: runClean,
};
