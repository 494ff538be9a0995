import { systemClock } from "../../core/ports/clock";
import { sessionBytes } from "../../core/import/pipeline/compact-session";
import { formatBytes } from "../../core/status/panel-model";
import { ItemStatusIndex, type ItemFailure } from "../../core/logs/item-status-index";
import type { Counts } from "../../core/model/counts";
import type { Phase } from "../../core/model/phase";
import type { Session } from "../../core/model/session";
import { PHASE_TYPES, STAGE_TYPES, type PhaseType, type StageStatus, type StageType } from "../../core/model/status";
import type { Logger } from "../../core/ports/logger";
import { PhaseManager } from "../../core/session/phase-manager";
import { SESSION_ROOT } from "../../core/session/paths";
import { SessionManager, type BrokenSession } from "../../core/session/session-manager";
import { COMMON_OPTIONS, parseCommandArgs } from "../args";
import { ExitCode } from "../exit-codes";
import { NodeStagingStore } from "../node-staging-store";
import { CliError, printJson, reportError, say, UsageError, type CliIo } from "../output";
import { resolveVaultDir } from "../vault-dir";
import type { CliCommand } from "./command";

import { findInterruptedSessions } from "../../core/status/session-liveness";
import { lockShowsRunGone } from "../../core/session/vault-lock";
import { cliIdentity } from "../host-identity";

export const STATUS_USAGE = `Usage: knowledge-etl status [--session ID | --all] [--json] [--vault DIR]

Shows a session: its status, counts per phase and per stage, and the failed items with their reasons.
  --session ID  the session to show (default: the latest)
  --all         list every session, and the broken ones (unreadable session.json) by path
  --json        print one JSON object on stdout instead of text on stderr
  --vault DIR   the vault folder (default: the current directory)
Exit codes: 0 ok, 1 unexpected error, 2 session not found or unreadable.`;

/** Failures shown to people before "... and N more" (the JSON output has all of them). */
const MAX_FAILURES_SHOWN = 20;

export interface StageStatusReport {
	status: StageStatus;
	items_count: number;
	/** Latest status per item in this stage, from pipeline_stages.jsonl. */
	counts: Counts;
}

export interface PhaseStatusReport {
	status: Phase["status"] | "unknown";
	started_at: string | null;
	completed_at: string | null;
	counts: Counts | null;
	stages: Partial<Record<StageType, StageStatusReport>>;
	failures: ItemFailure[];
	/** Log lines that could not be read (e.g. a partial last line after a crash). */
	skipped_log_lines: number;
	/** phase.json could not be read. */
	error?: string;
}

/** A session as status shows it: `interrupted` when it says running but its run is gone (as the panel shows it). */
export type ShownSession = Omit<Session, "status"> & { status: Session["status"] | "interrupted" };

export interface SessionStatusReport {
	session: ShownSession;
	/** Bytes the session's folder takes under `.staging/@session/` (issue 16.1). */
	size_bytes: number;
	phases: Partial<Record<PhaseType, PhaseStatusReport>>;
}

/** Everything `status` knows about one session: session.json, each phase.json, and the item logs. */
export async function buildSessionReport(store: NodeStagingStore, session: ShownSession, logger: Logger): Promise<SessionStatusReport> {
	const phases = new PhaseManager(store, systemClock);
	const report: SessionStatusReport = { session, size_bytes: await sessionBytes(store, session.session_id).catch(() => 0), phases: {} };
	for (const phaseType of PHASE_TYPES) {
		const hasPhase = await phases.exists(session.session_id, phaseType);
		if (!hasPhase && !session.phases[phaseType]) continue;
		const index = await ItemStatusIndex.read(store, session.session_id, phaseType, logger);
		const entry: PhaseStatusReport = {
			status: session.phases[phaseType]?.status ?? "unknown",
			started_at: null,
			completed_at: session.phases[phaseType]?.completed_at ?? null,
			counts: session.phases[phaseType]?.counts ?? null,
			stages: {},
			failures: index.failures(),
			skipped_log_lines: index.skippedLines,
		};
		try {
			const phase = hasPhase ? await phases.load(session.session_id, phaseType) : null;
			if (phase) {
				entry.status = phase.status;
				entry.started_at = phase.started_at;
				entry.completed_at = phase.completed_at;
				entry.counts = phase.counts;
				for (const stage of STAGE_TYPES) {
					const s = phase.stages[stage];
					entry.stages[stage] = { status: s.status, items_count: s.items_count, counts: index.counts(stage) };
				}
			}
		} catch (e) {
			entry.error = e instanceof Error ? e.message : String(e);
			for (const stage of STAGE_TYPES) {
				const counts = index.counts(stage);
				if (counts.total > 0) entry.stages[stage] = { status: "pending", items_count: counts.total, counts };
			}
		}
		report.phases[phaseType] = entry;
	}
	return report;
}

function countsText(c: Counts): string {
	const review = c.review ? `, review ${c.review}` : "";
	return `total ${c.total}, success ${c.success}, failed ${c.failed}, skipped ${c.skipped}${review}`;
}

function printSessionReport(io: CliIo, report: SessionStatusReport): void {
	const s = report.session;
	say(io, `Session ${s.session_id}: ${s.status}`);
	say(io, `  created ${s.created_at}, updated ${s.updated_at}${s.resumed_at ? `, resumed ${s.resumed_at}` : ""}`);
	say(io, `  debug mode ${s.debug_mode ? "on" : "off"}${s.provider ? `, provider ${s.provider}` : ""}`);
	say(io, `  size ${formatBytes(report.size_bytes)} in ${SESSION_ROOT}/${s.session_id}`);
	const entries = Object.entries(report.phases) as [PhaseType, PhaseStatusReport][];
	if (entries.length === 0) say(io, "  no phase has run yet");
	for (const [phaseType, phase] of entries) {
		say(io, `${phaseType}: ${phase.status}${phase.counts ? ` (${countsText(phase.counts)})` : ""}`);
		if (phase.error) say(io, `  cannot read phase.json: ${phase.error}`);
		const sessionError = s.phases[phaseType]?.error;
		if (sessionError) say(io, `  error: ${sessionError}`);
		for (const [stage, st] of Object.entries(phase.stages)) {
			say(io, `  ${stage.padEnd(9)} ${st.status.padEnd(9)} ${countsText(st.counts)}`);
		}
		if (phase.skipped_log_lines > 0) say(io, `  ${phase.skipped_log_lines} unreadable log line(s) skipped`);
		if (phase.failures.length > 0) {
			say(io, `  failures (${phase.failures.length}):`);
			for (const f of phase.failures.slice(0, MAX_FAILURES_SHOWN)) {
				say(io, `    [${f.stage}] ${f.item_id}${f.title ? ` "${f.title}"` : ""}: ${f.reason}`);
			}
			if (phase.failures.length > MAX_FAILURES_SHOWN) say(io, `    ... and ${phase.failures.length - MAX_FAILURES_SHOWN} more (see --json)`);
		}
	}
}

function printList(io: CliIo, sessions: ShownSession[], broken: BrokenSession[]): void {
	if (sessions.length === 0 && broken.length === 0) say(io, `No sessions in ${SESSION_ROOT}`);
	for (const s of sessions) {
		const phases = (Object.entries(s.phases) as [PhaseType, NonNullable<Session["phases"][PhaseType]>][])
			.map(([name, p]) => `${name} ${p.status} (${p.counts.success}/${p.counts.total} ok, ${p.counts.failed} failed)`)
			.join("; ");
		say(io, `${s.session_id}  ${s.status.padEnd(9)} ${phases || "no phases"}`);
	}
	for (const b of broken) say(io, `${b.id}  broken    ${b.error}`);
}

/** `knowledge-etl status`; returns the exit code. */
export async function runStatus(argv: readonly string[], io: CliIo): Promise<number> {
	let json = argv.includes("--json");
	try {
		const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, session: { type: "string" }, all: { type: "boolean", default: false } });
		json = values.json;
		if (values.help) {
			say(io, STATUS_USAGE);
			return ExitCode.OK;
		}
		if (values.all && values.session !== undefined) throw new UsageError("Use either --session ID or --all, not both");
		const store = new NodeStagingStore(await resolveVaultDir(values.vault, io));
		const sessions = new SessionManager(store, io.clock ?? systemClock);
		const warnings: Logger = {
			debug: () => undefined,
			info: () => undefined,
			warn: (m) => say(io, `Warning: ${m}`),
			error: (m) => say(io, `Error: ${m}`),
		};

		const clock = io.clock ?? systemClock;
		/** A session that says running but whose run is gone is shown as interrupted, as the panel does. */
		const withLiveness = async (list: readonly Session[]): Promise<ShownSession[]> => {
			const gone = await findInterruptedSessions(store, clock, list);
			const out: ShownSession[] = [];
			for (const s of list) {
				const dead = s.status === "running" && (gone.has(s.session_id) || (await lockShowsRunGone(store, clock, s.session_id, cliIdentity())));
				out.push(dead ? { ...s, status: "interrupted" } : s);
			}
			return out;
		};

		if (values.all) {
			const found = await sessions.list();
			const list = { ...found, sessions: await withLiveness(found.sessions) };
			if (json) printJson(io, list);
			else printList(io, list.sessions, list.broken);
			return ExitCode.OK;
		}

		if (values.session !== undefined) {
			const [one] = await withLiveness([await sessions.load(values.session)]);
			const report = await buildSessionReport(store, one!, warnings);
			if (json) printJson(io, report);
			else printSessionReport(io, report);
			return ExitCode.OK;
		}

		// The latest session in detail, and the list beside it (so one call also reports broken sessions).
		const found = await sessions.list();
		const list = { ...found, sessions: await withLiveness(found.sessions) };
		const latest = list.sessions[0];
		if (!latest) {
			for (const b of list.broken) say(io, `Broken session ${b.id}: ${b.error}`);
			throw new CliError(`No readable session in ${store.root}/${SESSION_ROOT}`, ExitCode.NOT_FOUND);
		}
		const report = await buildSessionReport(store, latest, warnings);
		if (json) {
			printJson(io, { ...report, sessions: list.sessions, broken: list.broken });
		} else {
			printSessionReport(io, report);
			if (list.sessions.length > 1) say(io, `(${list.sessions.length - 1} older session(s); see --all)`);
			for (const b of list.broken) say(io, `Broken session ${b.id}: ${b.error}`);
		}
		return ExitCode.OK;
	} catch (e) {
		if (e instanceof UsageError) say(io, STATUS_USAGE);
		return reportError(io, e, json);
	}
}

export const statusCommand: CliCommand = {
	name: "status",
	summary: "show a session's status, counts and failures (or --all sessions)",
	usage: STATUS_USAGE,
	run: runStatus,
};
