import type {
	BrokenSession,
	Counts,
	Logger,
	PhaseStatusReport,
	PhaseType,
	Session,
	SessionStatusReport,
	ShownSession,
	StageStatusReport,
} from "../../core/app/types";
import { formatBytes, SESSION_ROOT } from "../../core/app/views";
import { COMMON_OPTIONS, parseCommandArgs } from "../args";
import { cliApp } from "../cli-app";
import { NotFoundError, UsageError } from "../errors";
import { EXIT_CODES_HELP, ExitCode } from "../exit-codes";
import { printJson, reportError, say, type CliIo } from "../output";
import { resolveVaultDir } from "../vault-dir";
import type { CliCommand } from "./command";

export const STATUS_USAGE = `Usage: knowledge-etl status [--session ID | --all] [--json] [--vault DIR]

Shows a session: its status, counts per phase and per stage, and the failed items with their reasons.
  --session ID  the session to show (default: the latest)
  --all         list every session, and the broken ones (unreadable session.json) by path
  --json        print one JSON object on stdout instead of text on stderr
  --vault DIR   the vault folder (default: the current directory)
${EXIT_CODES_HELP}`;

/** Failures shown to people before "... and N more" (the JSON output has all of them). */
const MAX_FAILURES_SHOWN = 20;

export type { PhaseStatusReport, SessionStatusReport, ShownSession, StageStatusReport };

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
			if (phase.failures.length > MAX_FAILURES_SHOWN)
				say(io, `    ... and ${phase.failures.length - MAX_FAILURES_SHOWN} more (see --json)`);
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
		const vaultDir = await resolveVaultDir(values.vault, io);
		const { status } = cliApp(vaultDir, io);
		const warnings: Logger = {
			debug: () => undefined,
			info: () => undefined,
			warn: (m) => say(io, `Warning: ${m}`),
			error: (m) => say(io, `Error: ${m}`),
		};

		if (values.all) {
			const { sessions, broken } = await status({ all: true, logger: warnings });
			if (json) printJson(io, { sessions, broken });
			else printList(io, sessions, broken);
			return ExitCode.OK;
		}

		if (values.session !== undefined) {
			const { report } = await status({ sessionId: values.session, logger: warnings });
			if (json) printJson(io, report);
			else if (report) printSessionReport(io, report);
			return ExitCode.OK;
		}

		// The latest session in detail, and the list beside it (so one call also reports broken sessions).
		const list = await status({ logger: warnings });
		const report = list.report;
		if (!report) {
			for (const b of list.broken) say(io, `Broken session ${b.id}: ${b.error}`);
			throw new NotFoundError(`No readable session in ${vaultDir}/${SESSION_ROOT}`);
		}
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
