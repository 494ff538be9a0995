import { systemClock, type Clock } from "../../core/ports/clock";
import { holdsUndoData } from "../../core/organize/organize-session";
import { withVaultLock } from "../../core/session/vault-lock";
import { findInterruptedSessions } from "../../core/status/session-liveness";
import { cliIdentity } from "../host-identity";
import { SESSION_ROOT } from "../../core/session/paths";
import { parseSessionId } from "../../core/session/session-id";
import { SessionManager } from "../../core/session/session-manager";
import { COMMON_OPTIONS, parseCommandArgs, parseNonNegativeInt } from "../args";
import { ExitCode } from "../exit-codes";
import { NodeStagingStore } from "../node-staging-store";
import { printJson, reportError, say, UsageError, type CliIo } from "../output";
import { resolveVaultDir } from "../vault-dir";
import type { CliCommand } from "./command";

export const CLEAN_USAGE = `Usage: knowledge-etl clean [--days N] [--dry-run] [--include-undo] [--json] [--vault DIR]

Deletes session folders (${SESSION_ROOT}/<id>) created more than N days ago (default 30), by their created_at
or, for a broken session, by the date in its id. Notes in the vault are never touched. Refused while another run
changes the vault; a session still running is never deleted, nor one whose organize run can still be undone
(unless --include-undo).
  --days N     age in days (default 30)
  --dry-run    only list what would be deleted
  --include-undo  also delete sessions holding an organize run's undo data (that run can then not be undone)
  --json       print one JSON object on stdout
  --vault DIR  the vault folder (default: the current directory)
Exit codes: 0 ok, 1 unexpected error, 2 vault not found or bad arguments.`;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CleanCandidate {
	id: string;
	/** ISO 8601: created_at, or the id's time for a broken session. */
	created_at: string;
	broken: boolean;
}

/** `knowledge-etl clean`; returns the exit code. */
export async function runClean(argv: readonly string[], io: CliIo): Promise<number> {
	let json = argv.includes("--json");
	try {
		const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, days: { type: "string" }, "dry-run": { type: "boolean", default: false }, "include-undo": { type: "boolean", default: false } });
		json = values.json;
		if (values.help) {
			say(io, CLEAN_USAGE);
			return ExitCode.OK;
		}
		const days = parseNonNegativeInt("days", values.days, 30);
		const dryRun = values["dry-run"];
		const clock = io.clock ?? systemClock;
		const store = new NodeStagingStore(await resolveVaultDir(values.vault, io));
		if (dryRun) return await cleanLocked(store, clock, days, true, values["include-undo"], json, io);
		return await withVaultLock(store, clock, { operation: "clean", identity: cliIdentity() }, () => cleanLocked(store, clock, days, false, values["include-undo"], json, io));
	} catch (e) {
		if (e instanceof UsageError) say(io, CLEAN_USAGE);
		return reportError(io, e, json);
	}
}

async function cleanLocked(store: NodeStagingStore, clock: Clock, days: number, dryRun: boolean, includeUndo: boolean, json: boolean, io: CliIo): Promise<number> {
	{
		const sessions = new SessionManager(store, clock);
		const cutoff = clock.now().getTime() - days * DAY_MS;

		const { sessions: good, broken } = await sessions.list();
		const interrupted = await findInterruptedSessions(store, clock, good);
		const candidates: CleanCandidate[] = [];
		let kept = 0;
		for (const s of good) {
			const created = Date.parse(s.created_at);
			const createdMs = Number.isNaN(created) ? (parseSessionId(s.session_id)?.getTime() ?? Number.POSITIVE_INFINITY) : created;
			const running = s.status === "running" && !interrupted.has(s.session_id);
			if (createdMs < cutoff && !running && (includeUndo || !(await holdsUndoData(store, s.session_id)))) {
				candidates.push({ id: s.session_id, created_at: new Date(createdMs).toISOString(), broken: false });
			} else kept++;
		}
		for (const b of broken) {
			const createdMs = parseSessionId(b.id)?.getTime();
			if (createdMs !== undefined && createdMs < cutoff) candidates.push({ id: b.id, created_at: new Date(createdMs).toISOString(), broken: true });
			else kept++;
		}
		candidates.sort((a, b) => a.id.localeCompare(b.id));

		if (!dryRun) for (const c of candidates) await sessions.delete(c.id);

		if (json) {
			printJson(io, { dry_run: dryRun, days, cutoff: new Date(cutoff).toISOString(), deleted: dryRun ? [] : candidates, would_delete: dryRun ? candidates : [], kept });
		} else {
			const verb = dryRun ? "Would delete" : "Deleted";
			say(io, `${verb} ${candidates.length} session(s) older than ${days} day(s); ${kept} kept.`);
			for (const c of candidates) say(io, `  ${c.id}${c.broken ? " (broken)" : ""}  created ${c.created_at}`);
		}
		return ExitCode.OK;
	}
}

export const cleanCommand: CliCommand = {
	name: "clean",
	summary: "delete session folders older than N days (default 30)",
	usage: CLEAN_USAGE,
	run: runClean,
};
