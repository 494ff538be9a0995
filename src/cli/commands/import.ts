import { cliApp, type CliApp } from "../cli-app";
import * as nodePath from "node:path";
import { VaultLockedError } from "../../core/app/errors";
import type { ByteSource, ImportRequest, ImportSummary, Logger, StageProgress } from "../../core/app/types";
import { DEFAULT_OUT_FOLDER, isProvider, PROVIDER_IDS, PROVIDER_MODULES } from "../../core/app/catalog";
import { LLM_OPTIONS, llmClientFor, parseLlmFlags } from "../llm-flags";
import { COMMON_OPTIONS, parseCommandArgs, parseNonNegativeInt, parseOutFolder, parsePositiveInt } from "../args";
import { discoverInputs } from "../discover-inputs";
import { EXIT_CODES_HELP, ExitCode } from "../exit-codes";
import { UsageError } from "../errors";
import { printJson, reportError, say, type CliIo } from "../output";
import { resolveVaultDir } from "../vault-dir";
import { removeStaleTempFiles, STAGING_FOLDER } from "../stale-temp-files";
import { announceSession } from "../session-announce";
import type { CliCommand } from "./command";
import { IMPORT_CHOICE_OPTIONS, IMPORT_CHOICE_USAGE, parseImportChoiceFlags } from "../import-choice-flags";

/** Sessions older than this are removed after an import (the plugin's "Session retention" default too). */
const DEFAULT_RETENTION_DAYS = 30;

export const IMPORT_USAGE = `Usage: knowledge-etl import <input...> [--vault DIR] [--provider auto|${PROVIDER_IDS.join("|")}] [--out FOLDER]
                            [--limit N] [--min-messages N] [--include-thinking] [--dry-run] [--debug] [--json]
                            [--time-zone ZONE] [--by-project] [--date-prefix] [--rerender] [--edited append|preserve] [--select FILE] [--since DATE]
       knowledge-etl import --session ID [--vault DIR] [--json]     (same as resume)

Imports AI conversation exports (${PROVIDER_MODULES.map((m) => m.label).join(", ")}) into the vault as one note per conversation, in a new session.
  <input...>          export .zip files, conversations.json / conversations-NNN.json files, or folders holding them
  --provider P        auto (default: detected from the content), or one of ${PROVIDER_IDS.join(", ")} (a wrong one is an error)
  --out FOLDER        vault folder for notes (default "${DEFAULT_OUT_FOLDER}"; a subfolder per provider)
  --attachments FOLDER  vault folder for the images and files notes refer to (default "<out>/attachments")
  --limit N           import at most N conversations
  --min-messages N    skip conversations with fewer messages (default 1)
  --include-thinking  keep the model's thinking blocks (collapsed) in notes
  --dry-run           decide everything, write nothing into the vault
  --debug             debug mode: per-stage log files in the session folder
  --json              one JSON object on stdout when the run ends
  --retention-days N  after the import, remove sessions older than N days (default ${DEFAULT_RETENTION_DAYS}; 0: keep all), never one
                      running or one whose organize run can still be undone (see knowledge-etl clean)
${IMPORT_CHOICE_USAGE}
LLM knowledge transform (off by default; the note is then the cleaned-up conversation):
  --llm none|ollama|openai   the server kind (openai = any OpenAI-compatible server: LM Studio, llama.cpp, vLLM)
  --llm-url URL       server URL (default http://127.0.0.1:11434 for Ollama, http://127.0.0.1:1234/v1 for openai)
  --model NAME        the model (required with --llm)
  --api-key-env VAR   read the API key from this environment variable (never pass a key on the command line)
  --concurrency N     model calls in flight (default 1)
  --output-language L auto (the conversation's own language, default) or a language name, e.g. Japanese
  --context-chars N   transcript characters per call (default 24000); longer conversations are split
  --too-large split|skip   split long conversations and merge (default), or skip them as too_large
  --no-transcript     leave the conversation out of knowledge notes (review notes always keep it)
  --llm-refresh       call the model again for every conversation: no saved reply (.staging/@cache/llm/) is reused,
                      and an unchanged conversation is not skipped
  --timeout SECONDS   per call (default 300); --retries N (default 3)
${EXIT_CODES_HELP}`;

export const RESUME_USAGE = `Usage: knowledge-etl resume [--session ID] [--vault DIR] [--debug] [--json]

Continues an import session that was interrupted (default: the latest session). Items already done are not
processed again; the export is only needed again when extract had not finished.
${EXIT_CODES_HELP}`;

export const RETRY_USAGE = `Usage: knowledge-etl retry [--session ID] [--vault DIR] [--debug] [--json]

Reprocesses only the failed items of an import session (default: the latest), in any stage, and updates its counts.
${EXIT_CODES_HELP}`;

/** The exit code for a finished run. */
export function exitCodeForSummary(summary: ImportSummary): number {
	if (summary.error !== undefined && summary.counts.failed === 0) return ExitCode.PARTIAL;
	if (summary.counts.failed === 0) return ExitCode.OK;
	const good = summary.counts.success;
	return good > 0 || summary.counts.skipped > 0 ? ExitCode.PARTIAL : ExitCode.ALL_FAILED;
}

/**
 * The live line on a TTY. The stages run at the same time, so it shows each one's count, the last stage's
 * outcomes, and the rate of notes through load.
 */
function progressPrinter(io: CliIo): { onProgress: (p: StageProgress) => void; end: () => void } {
	let last = 0;
	let shown = false;
	const latest = new Map<StageProgress["stage"], StageProgress>();
	return {
		onProgress: (p) => {
			if (!io.isTTY) return;
			latest.set(p.stage, p);
			const now = Date.now();
			if (now - last < 100) return;
			last = now;
			const parts = (["extract", "transform", "load"] as const).flatMap((stage) => {
				const s = latest.get(stage);
				if (!s) return [];
				const read =
					stage === "extract" && s.input && s.input.bytes_total > 0
						? ` (${Math.floor((100 * s.input.bytes_read) / s.input.bytes_total)}% read)`
						: "";
				return [`${stage} ${(s.done + s.resumed).toLocaleString("en-US")}${read}`];
			});
			const tail = latest.get("load") ?? p;
			const c = tail.counts;
			const rate = tail.done / Math.max(tail.elapsedMs / 1000, 0.001);
			io.stderr(
				`\r\u001b[2K${parts.join(" · ")} (${c.success} ok, ${c.skipped} skipped, ${c.failed} failed${tail.resumed ? `, ${tail.resumed} from before` : ""}) · ${rate.toFixed(0)}/s`,
			);
			shown = true;
		},
		end: () => {
			if (shown) io.stderr("\r\u001b[2K");
		},
	};
}

export function printSummary(io: CliIo, summary: ImportSummary, vaultDir: string, outFolder?: string): void {
	const c = summary.counts;
	const n = summary.notes;
	say(io, `Session ${summary.session_id}: ${summary.status}`);
	say(io, `  conversations: ${c.total} (${c.success} imported, ${c.skipped} skipped, ${c.failed} failed)`);
	const why = [
		...(summary.rerendered ? [`${summary.rerendered} re-rendered: options changed or --rerender`] : []),
		...(summary.appended ? [`${summary.appended} edited by you, new messages added below your text`] : []),
	];
	const rerendered = why.length > 0 ? ` (${why.join("; ")})` : "";
	say(
		io,
		`  notes: ${n.created} created, ${n.updated} updated${rerendered}, ${n.unchanged} unchanged, ${n.preserved} preserved (edited by you)${n.review ? `, ${n.review} to review` : ""}`,
	);
	if (outFolder) say(io, `  in: ${nodePath.join(vaultDir, outFolder)}`);
	if (summary.error) say(io, `  stopped: ${summary.error}`);
	for (const f of summary.failures.slice(0, 20)) say(io, `  failed [${f.stage}] ${f.title ?? f.item_id}: ${f.reason}`);
	if (summary.failures.length > 20)
		say(io, `  … and ${summary.failures.length - 20} more (knowledge-etl status --session ${summary.session_id} --json)`);
	if (summary.message) say(io, summary.message);
	if (summary.status === "stopped")
		say(io, `Resume with: knowledge-etl resume --session ${summary.session_id} --vault ${JSON.stringify(vaultDir)}`);
}

/**
 * The `--json` object: exactly the contract's keys (`session_id, status, counts, notes, failures`). What is only
 * for people (`message`, `error`) goes to stderr with the summary.
 */
export function contractOf(summary: ImportSummary): Pick<ImportSummary, "session_id" | "status" | "counts" | "notes" | "failures"> {
	const { session_id, status, counts, notes, failures } = summary;
	return { session_id, status, counts, notes, failures };
}

/** Removes the temp files (`*.tmp-<hex>`) older than `asked` in .staging and the run's note folder. */
async function cleanStaleTempFiles(
	app: CliApp,
	vaultDir: string,
	outFolder: string | undefined,
	sessionId: string | undefined,
	asked: number,
	logger: Logger,
): Promise<void> {
	try {
		// No --out: the session's (a new run's is the latest session, as is a resume's without --session).
		const recorded = outFolder ?? (await app.recordedImportOptions(sessionId))?.outFolder;
		const noteFolder = typeof recorded === "string" && recorded !== "" ? recorded : DEFAULT_OUT_FOLDER;
		const removed = await removeStaleTempFiles(vaultDir, [STAGING_FOLDER, noteFolder], asked);
		if (removed.length > 0) logger.info(`Removed ${removed.length} temp file(s) left by an interrupted run`);
	} catch (e) {
		logger.warn(`Could not look for temp files left by an interrupted run: ${e instanceof Error ? e.message : String(e)}`);
	}
}

/**
 * A run that was killed may have left temp files of atomic writes (a note's `<name>.md.tmp-<hex>` in the output
 * folder, a staging file's in the session); a resume or retry removes them once it has finished.
 */
async function cleanAfterCrash(app: CliApp, vaultDir: string, sessionId: string, logger: Logger): Promise<void> {
	try {
		const removed = await removeStaleTempFiles(vaultDir, await app.leftoverFolders(sessionId));
		if (removed.length > 0) logger.info(`Removed ${removed.length} temp file(s) left by the interrupted run`);
	} catch (e) {
		logger.warn(`Could not look for temp files left by the interrupted run: ${e instanceof Error ? e.message : String(e)}`);
	}
}

async function runImport(argv: readonly string[], io: CliIo, mode: ImportRequest["mode"]): Promise<number> {
	const { values, positionals } = parseCommandArgs(
		argv,
		{
			...COMMON_OPTIONS,
			session: { type: "string" },
			provider: { type: "string", default: "auto" },
			out: { type: "string" },
			attachments: { type: "string" },
			limit: { type: "string" },
			"min-messages": { type: "string" },
			"include-thinking": { type: "boolean", default: false },
			"dry-run": { type: "boolean", default: false },
			debug: { type: "boolean", default: false },
			...LLM_OPTIONS,
			concurrency: { type: "string" },
			"output-language": { type: "string" },
			"context-chars": { type: "string" },
			"too-large": { type: "string" },
			"no-transcript": { type: "boolean", default: false },
			"llm-refresh": { type: "boolean", default: false },
			"retention-days": { type: "string" },
			...IMPORT_CHOICE_OPTIONS,
		},
		mode === "new",
	);
	const json = values.json === true;
	const usage = mode === "new" ? IMPORT_USAGE : mode === "resume" ? RESUME_USAGE : RETRY_USAGE;
	if (values.help) {
		say(io, usage);
		return ExitCode.OK;
	}
	let close = async (): Promise<void> => undefined;
	try {
		const vaultDir = await resolveVaultDir(values.vault, io);
		let effectiveMode = mode;
		if (mode === "new" && values.session !== undefined) {
			if (positionals.length > 0) throw new UsageError("Give either inputs (a new import) or --session ID (resume), not both");
			effectiveMode = "resume";
		}
		if (effectiveMode === "new" && positionals.length === 0) throw new UsageError(`No input given.\n\n${IMPORT_USAGE}`);
		const provider = values.provider;
		if (provider !== "auto" && !isProvider(provider))
			throw new UsageError(`--provider must be auto, ${PROVIDER_IDS.join(", ")}, not "${provider}"`);
		const cli = cliApp(vaultDir, io);
		const { app, logger: loggerFor } = cli;
		const debugMode = values.debug === true;
		const logger = loggerFor(debugMode);
		const cwd = io.cwd ?? process.cwd();
		const inputs = positionals.map((p) => nodePath.resolve(cwd, p));
		const open = async (paths: string[]): Promise<ByteSource[]> => {
			const discovered = await discoverInputs(paths);
			const previous = close;
			close = async () => {
				await previous();
				await discovered.close();
			};
			return discovered.sources;
		};
		const llmChoice = parseLlmFlags(values);
		const llmClient = llmClientFor(
			llmChoice,
			effectiveMode === "new" ? undefined : (await cli.recordedImportOptions(values.session))?.llm,
			values,
			logger,
		);
		const choices = effectiveMode === "new" ? await parseImportChoiceFlags(values, cwd) : {};
		const progress = progressPrinter(io);
		const outFolder = values.out !== undefined ? parseOutFolder(values.out, vaultDir) : undefined;
		const limit = parsePositiveInt("limit", values.limit);
		const llmRefresh = values["llm-refresh"] === true ? { llmRefresh: true } : {};
		let summary: ImportSummary;
		// Temp files older than this are stale once the run has had the vault lock (see removeStaleTempFiles).
		const asked = Date.now();
		let locked = false;
		try {
			if (effectiveMode === "new") {
				summary = await app.import(
					{
						sources: await open(inputs),
						options: {
							provider,
							...(outFolder !== undefined ? { outFolder } : {}),
							...(values.attachments !== undefined ? { attachmentsFolder: values.attachments } : {}),
							...(limit !== undefined ? { limit } : {}),
							minMessages: parseNonNegativeInt("min-messages", values["min-messages"], 1),
							includeThinking: values["include-thinking"] === true,
							dryRun: values["dry-run"] === true,
							inputs,
							// The CLI reopens its inputs by path: the session keeps no copy of the conversations.
							keepConversations: false,
							...choices,
							...(llmChoice ? { llm: llmChoice } : {}),
						},
						...(llmClient ? { llmClient } : {}),
						...llmRefresh,
						debugMode,
					},
					{
						// Only where a line is shown: otherwise each stage would make a progress object per item for nothing.
						...(io.isTTY ? { onProgress: progress.onProgress } : {}),
						onSession: (id) => announceSession(id, vaultDir),
						...(io.signal ? { signal: io.signal } : {}),
					},
				);
			} else {
				const continued = await app[effectiveMode](
					{
						phase: "import",
						...(values.session !== undefined ? { sessionId: values.session } : {}),
						openSources: open,
						...(llmClient ? { llmClient } : {}),
						...llmRefresh,
						debugMode,
					},
					{
						// Only where a line is shown: otherwise each stage would make a progress object per item for nothing.
						...(io.isTTY ? { onProgress: progress.onProgress } : {}),
						onSession: (id) => announceSession(id, vaultDir),
						...(io.signal ? { signal: io.signal } : {}),
					},
				);
				if (continued.kind !== "import") throw new Error(`Session ${continued.session_id} was continued as ${continued.kind}`);
				summary = continued;
			}
		} catch (error) {
			locked = error instanceof VaultLockedError;
			throw error;
		} finally {
			progress.end();
			// No temp file of a killed earlier run survives this one: in .staging and beside the notes (not when the
			// vault was locked by another run, which may be writing them).
			if (!locked) await cleanStaleTempFiles(cli, vaultDir, outFolder, values.session, asked, logger);
		}
		if (effectiveMode !== "new") await cleanAfterCrash(cli, vaultDir, summary.session_id, logger);
		if (json) printJson(io, contractOf(summary));
		printSummary(io, summary, vaultDir, effectiveMode === "new" ? (outFolder ?? DEFAULT_OUT_FOLDER) : undefined);
		// Stopped by Ctrl-C or SIGTERM: the summary and the --json object are out; nothing else runs.
		if (summary.status === "stopped") return ExitCode.INTERRUPTED;
		// Retention that happens (issue 16.2): sessions older than the retention go after an import, with their replies.
		const retentionDays = parseNonNegativeInt("retention-days", values["retention-days"], DEFAULT_RETENTION_DAYS);
		if (retentionDays > 0 && values["dry-run"] !== true) {
			const retained = await app.retain(retentionDays).catch((e: unknown) => {
				say(io, `Could not remove old sessions: ${e instanceof Error ? e.message : String(e)}`);
				return null;
			});
			if (retained && retained.candidates.length > 0)
				say(io, `  removed ${retained.candidates.length} session(s) older than ${retentionDays} days (--retention-days)`);
			if (retained && retained.undoable.length > 0) {
				say(
					io,
					`  kept ${retained.undoable.length} old session(s) whose organize run can still be undone: knowledge-etl clean --include-undo removes them`,
				);
			}
		}
		return exitCodeForSummary(summary);
	} catch (error) {
		if (error instanceof UsageError) say(io, usage);
		return reportError(io, error, json);
	} finally {
		await close();
	}
}

export const importCommand: CliCommand = {
	name: "import",
	summary: "import AI conversation exports (Claude, ChatGPT, …) as notes (a new session)",
	usage: IMPORT_USAGE,
	run: (argv, io) => runImport(argv, io, "new"),
};

export const resumeCommand: CliCommand = {
	name: "resume",
	summary: "continue an interrupted import session",
	usage: RESUME_USAGE,
	run: (argv, io) => runImport(argv, io, "resume"),
};

export const retryCommand: CliCommand = {
	name: "retry",
	summary: "reprocess only the failed items of an import session",
	usage: RETRY_USAGE,
	run: (argv, io) => runImport(argv, io, "retry"),
};
