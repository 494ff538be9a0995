import { ItemStatusIndex } from "../../logs/item-status-index";
import { readUnchangedItems, type PipelineStageRecord } from "../../logs/pipeline-stages";
import type { Counts } from "../../model/counts";
import type { StageContext, StageProgress } from "../../pipeline/stage-runner";
import { Channel } from "../../pipeline/channel";
import type { Conversation, Provider } from "../../model/conversation";
import type { ConversationFacts } from "../../model/conversation-facts";
import type { ByteSource } from "../../ports/byte-source";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { NoteVault } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import type { StagingStore } from "../../ports/staging-store";
import { extractInputDir, pipelineStagesFile } from "../../session/paths";
import { ensureJsonlLineStart } from "../../logs/jsonl";
import { yieldWhenSliceOverOnUi } from "../../util/timers";
import { PhaseManager } from "../../session/phase-manager";
import { SessionManager } from "../../session/session-manager";
import { openExport as openExportHere, type ExportReader, type OpenExportOptions } from "../extract";
import { ImportIndex } from "../load/import-index";
import { noteAsWritten, sourceTimesAsRendered, type AsWrittenRules, type SourceTimeHints } from "../load/as-written";
import { reviewFolderOf } from "../load/note-loader";
import { readExtractedConversations, runExtractStage } from "./extract-stage";
import { ImportOptionsSchema, type ImportOptions, type ImportOptionsInput } from "./import-options";
import { runLoadStage } from "./load-stage";
import { summarize, type ImportSummary } from "./import-summary";
import { RunAheadHandOff } from "./run-ahead";
import { AttachmentIndex } from "../attachments/attachment-index";
import { ExportFiles } from "../attachments/export-files";
import { DraftFileWriter } from "../attachments/resolve-draft-files";
import { runTransformStage, type Extracted, type NoteDraft } from "./transform-stage";
import { KnowledgeTransform } from "./knowledge-transform";
import { compactImportSession } from "./compact-session";
import type { ShardLedger } from "./jsonl-shards";
import type { LlmClient } from "../../llm/llm-client";
import type { Session } from "../../model/session";
import type { Phase } from "../../model/phase";

import { withVaultLock, type HostIdentity, type VaultLock } from "../../session/vault-lock";

import { checkInputsUnchanged, writeManifest } from "./input-manifest";
import { ImportSessionError } from "./import-errors";
import type { PreparedInputs } from "./preview-reading";
export interface ImportDeps {
	store: StagingStore;
	vault: NoteVault;
	clock: Clock;
	logger: Logger;
	/**
	 * Opens the inputs (default: `openExport`, reading in this thread). The CLI passes one that reads in a worker
	 * thread, so that parsing the export and writing the notes use two cores.
	 */
	openExport?: (sources: readonly ByteSource[], options: OpenExportOptions) => Promise<ExportReader>;
	/** Hashes each note's `file_id` (see the port; default Web Crypto or JavaScript). */
	sha256?: Sha256Text;
	/** Who runs (pid, host), for the vault lock; a host that can tell whether a pid is alive says so. */
	identity?: HostIdentity;
}

export interface ImportRequest {
	/** new: a new session; resume: go on with an interrupted one; retry: redo only the failed items. */
	mode: "new" | "resume" | "retry";
	/** For resume and retry (default: the latest session). */
	sessionId?: string;
	/** The inputs (a new run). Resume and retry need them only when extract never finished (see openSources). */
	sources?: ByteSource[];
	/** Reopens the recorded inputs when a resume or retry needs them again (CLI: from the recorded paths). */
	openSources?: (inputs: string[]) => Promise<ByteSource[]>;
	options?: ImportOptionsInput;
	/**
	 * The model for the knowledge transform (options.llm says how to use it). Checked before any item: an
	 * unreachable server or a missing model stops the run with LlmUnavailableError.
	 */
	llmClient?: LlmClient;
	debugMode?: boolean;
	/** `--llm-refresh`: call the model again for every conversation, ignoring replies saved by other sessions. */
	llmRefresh?: boolean;
	signal?: AbortSignal;
	onProgress?: (progress: StageProgress) => void;
	/** Told the session id as soon as the session exists or is loaded (for a heartbeat, a panel, a log line). */
	onSession?: (sessionId: string) => void;
	/**
	 * Extract reads the whole export as fast as it can, not paced by transform and load (see RunAheadHandOff), so
	 * that the session soon no longer needs the export: the plugin's, whose File cannot be reopened after a restart.
	 */
	extractAhead?: boolean;
	/**
	 * A new run's inputs as a preview of the same files read them (PreviewReading): extract takes its results instead of
	 * reading the export again. `sources` are still the export (recorded in the manifest; a zip's images come from them).
	 */
	prepared?: PreparedInputs;
}

export type { ImportSummary };
export { summarize };
export { ImportSessionError };

const OPTIONS_FILE = "options.json";
/** Conversations (and drafts) waiting between two stages at most: enough to smooth their pace, little memory. */
const HAND_OFF_CAPACITY = 32;

function optionsPath(sessionId: string): string {
	return `${extractInputDir(sessionId, "import")}/${OPTIONS_FILE}`;
}

/**
 * Runs (or resumes, or retries) an import session: extract → transform → load, each item logged per stage, the
 * phase and session status kept in their JSON files. Whole-input errors (InputError) are thrown before anything
 * is written when they can be found up front (a bare file cut short is: see openExport). One found only when the
reading reaches it (a file broken inside, or cut right after an inner `}]`) stops the run there: the stages run
together, so the conversations before the break are already notes (a later import of the fixed file finds them).
 */
export async function runImportSession(deps: ImportDeps, request: ImportRequest): Promise<ImportSummary> {
	// One run at a time changes a vault: a second import, or a resume of a session still running, is refused.
	return withVaultLock(
		deps.store,
		deps.clock,
		{
			operation: request.mode === "new" ? "import" : `import ${request.mode}`,
			session: request.sessionId ?? null,
			identity: deps.identity,
		},
		(lock) => runImportSessionLocked(deps, request, lock),
	);
}

/** The session a run works on: created (a new run, its inputs open in `reader`) or loaded (resume, retry). */
interface OpenedSession {
	session: Session;
	options: ImportOptions;
	reader: ExportReader | null;
	phases: PhaseManager;
	/** A new session's inputs' checksums, being taken and written to its manifest (never rejects). */
	inputsChecksummed?: Promise<void>;
}

/** One run of an import session, planned: what its stages and its finish share. */
interface ImportRun extends OpenedSession {
	deps: ImportDeps;
	request: ImportRequest;
	sessionId: string;
	ctx: StageContext & { phases: PhaseManager };
	phase: Phase;
	/** The session's items as logged before this run. */
	status: ItemStatusIndex;
	/**
	 * For a session whose log held nothing when the run began (a new one): each record this run appends, as it is
	 * appended (null otherwise). What the log says at the end of a run that ended on its own, without reading the log
	 * back (30,000 records at 10,000 conversations, each parsed and checked again).
	 */
	logged: ItemStatusIndex | null;
	/** A retry redoes failed items and sends review items to the model again. */
	retransform: Set<string>;
	/** Whether an item is work for this run: load has not finished it (or a retry sends it to the model again). */
	needsWork: (id: string) => boolean;
	/** An item an earlier run's extract found unchanged as written (no record; see UnchangedItems). */
	unchangedEarly: (id: string) => boolean;
	extractDone: boolean;
	/** Extract runs: never finished, or a retry of its failures. */
	runExtract: boolean;
	debugMode: boolean;
	/** What extract writes, id by id (the compaction at the end removes those files without reading them). */
	shardLedger: ShardLedger;
}

/** open → plan → wire the stages → finish; the stages' failures and a cancel end in finish too. */
async function runImportSessionLocked(deps: ImportDeps, request: ImportRequest, lock: VaultLock): Promise<ImportSummary> {
	// On a UI thread the start goes in the shared 10 ms slices like the rest of the run (the click that started it,
	// opening the inputs, the session's files and the plan were one task of 80-90 ms in the browser, issue 17).
	await yieldWhenSliceOverOnUi(10);
	const opened = await openImportSession(deps, request, lock);
	try {
		return await runOpenedImport(deps, request, opened);
	} finally {
		// The inputs' checksums in the manifest before the run ends, however it ends (a finish, a cancel, a failure):
		// nothing of it goes on once it has, the host closes the inputs then, and the vault lock is still held.
		await opened.inputsChecksummed;
	}
}

/** runImportSessionLocked once the session is open. */
async function runOpenedImport(deps: ImportDeps, request: ImportRequest, opened: OpenedSession): Promise<ImportSummary> {
	request.onSession?.(opened.session.session_id);
	await yieldWhenSliceOverOnUi(10);
	const run = await planImportRun(deps, request, opened);
	await yieldWhenSliceOverOnUi(10);
	const { status, retransform, phase } = run;
	if (request.mode === "retry" && status.failures().length === 0 && retransform.size === 0 && phase.status !== "running") {
		return { ...(await summarize(deps.store, run.sessionId, deps.logger, phase.status)), message: "No failed items to retry" };
	}

	await run.phases.startPhase(run.sessionId, "import");
	// One signal stops every stage: the user's cancel, or one stage breaking down (the others then stop taking items).
	const stop = new AbortController();
	const cancel = (): void => stop.abort();
	if (request.signal?.aborted) stop.abort();
	request.signal?.addEventListener("abort", cancel, { once: true });
	// The stages started, so that a failure waits for all of them before the run ends (no stage left writing).
	const started: Promise<unknown>[] = [];
	try {
		await wireStages(run, stop, started);
		// The first stage to break down is the run's error.
		const settled = await Promise.allSettled(started);
		const broken = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
		if (broken) throw broken.reason;
		if (request.signal?.aborted) return await finishImport(run, "cancelled");
		return await finishImport(run);
	} catch (error) {
		stop.abort();
		await Promise.allSettled(started);
		const message = error instanceof Error ? error.message : String(error);
		await finishImport(run, message).catch(() => undefined);
		throw error;
	} finally {
		request.signal?.removeEventListener("abort", cancel);
		await run.reader?.close();
	}
}

/**
 * A new session (the inputs and the model server checked first, so that a bad input leaves nothing behind), or the
 * one to resume or retry with its recorded options.
 */
async function openImportSession(deps: ImportDeps, request: ImportRequest, lock: VaultLock): Promise<OpenedSession> {
	const { store, clock } = deps;
	const openExport = deps.openExport ?? openExportHere;
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);
	if (request.mode === "new") {
		const options = ImportOptionsSchema().parse(request.options ?? {});
		if (!request.sources || request.sources.length === 0)
			throw new ImportSessionError("No input was given: pass an export (.zip or conversations.json) or a folder holding one");
		if (options.llm && !request.llmClient) throw new ImportSessionError("An LLM transform was asked for, but no LLM client was given");
		// Open and check the inputs (and the model server) before a session exists: a bad input leaves nothing behind.
		const reader = request.prepared?.reader ?? (await openExport(request.sources, { provider: options.provider }));
		if (request.llmClient)
			await request.llmClient.preflight().catch(async (e: unknown) => {
				await reader.close();
				throw e;
			});
		await yieldWhenSliceOverOnUi(10);
		const providers = [...new Set(reader.inputs.flatMap((i) => (i.provider ? [i.provider] : [])))];
		const session = await sessions.create({
			debugMode: request.debugMode ?? false,
			...(providers.length > 0 ? { provider: providers.join(",") } : {}),
		});
		await lock.attach(session.session_id);
		await phases.create(session.session_id, "import");
		await store.writeAtomic(optionsPath(session.session_id), `${JSON.stringify(options, null, "\t")}\n`);
		await yieldWhenSliceOverOnUi(10);
		// The inputs' checksums are taken while the import runs (see writeManifest); its end waits for them.
		const { checksummed } = await writeManifest(store, session.session_id, reader, request.sources, request.prepared?.fingerprints, (e) =>
			deps.logger.warn(
				`The inputs' checksums were not recorded (a resume will compare their size and ends only): ${e instanceof Error ? e.message : String(e)}`,
			),
		);
		return { session, options, reader, phases, inputsChecksummed: checksummed };
	}
	const latest = request.sessionId ?? (await sessions.latest())?.session_id;
	if (!latest) throw new ImportSessionError("There is no session to resume");
	const session = await sessions.load(latest);
	if (!request.sessionId) await lock.attach(session.session_id);
	if (!(await phases.exists(session.session_id, "import")))
		throw new ImportSessionError(`Session ${session.session_id} has no import phase`);
	const options = ImportOptionsSchema().parse(JSON.parse(await store.read(optionsPath(session.session_id))));
	if (options.llm && !request.llmClient) {
		throw new ImportSessionError(
			`Session ${session.session_id} used the LLM ${options.llm.provider} (${options.llm.model}); give the LLM settings again to ${request.mode} it`,
		);
	}
	if (request.llmClient) await request.llmClient.preflight();
	await sessions.markResumed(session.session_id);
	return { session, options, reader: null, phases };
}

/** What this run has to do, from the session's phase and log: which items, and whether extract runs. */
async function planImportRun(deps: ImportDeps, request: ImportRequest, opened: OpenedSession): Promise<ImportRun> {
	const { store, clock, logger } = deps;
	const { session, phases } = opened;
	const sessionId = session.session_id;
	const phase = await phases.load(sessionId, "import");
	// Without the ids of items that went through (see ItemStatusReadOptions): a resume of a million costs no million strings.
	const status = await ItemStatusIndex.read(store, sessionId, "import", logger, { ids: false });
	// A log with nothing in it yet (a new session): what it will say at the end is what this run appends (ImportRun.logged).
	const logged =
		status.items === 0 && status.skippedLines === 0 && status.folded === null ? new ItemStatusIndex([], 0, null, { ids: false }) : null;
	const ctx = {
		sessionId,
		phaseType: "import" as const,
		store,
		clock,
		logger,
		phases,
		...(logged
			? { onStageRecords: (records: readonly PipelineStageRecord[], times?: readonly number[]) => logged.addRecords(records, times) }
			: {}),
	};
	const retransform =
		request.mode === "retry"
			? new Set([...status.idsWithStatus("transform", "review"), ...status.idsWithStatus("load", "review")])
			: new Set<string>();
	// Work left is what load has not finished (a retry also sends review items to the model again). An item folded
	// out of a finished session's log went through for good, as one whose load succeeded.
	const extractDone = phase.stages.extract.status === "completed";
	// Once extract has completed, an item with no record that it did not fold is one it found unchanged as written.
	const unchangedEarly = (id: string): boolean => extractDone && status.unchangedEarly > 0 && !status.has(id);
	const needsWork = (id: string): boolean =>
		(!status.isDone("load", id) && !status.isFolded(id) && !unchangedEarly(id)) || retransform.has(id);
	const extractFailures = status.failures("extract").length > 0;
	return {
		...opened,
		deps,
		request,
		sessionId,
		ctx,
		phase,
		status,
		logged,
		retransform,
		needsWork,
		unchangedEarly,
		extractDone,
		// A session that kept no copy of the conversations (ImportOptions.keepConversations) reads its inputs again
		// when it has work left.
		runExtract:
			!extractDone ||
			(request.mode === "retry" && extractFailures) ||
			(opened.options.keepConversations === false && (phase.status !== "completed" || retransform.size > 0)),
		debugMode: session.debug_mode || (request.debugMode ?? false),
		shardLedger: new Map(),
	};
}

/**
 * Everything that can fail before an item moves: the inputs opened again (a resume whose extract never finished),
 * the model's saved replies, the import index, a log line cut by a crash.
 */
async function openStageInputs(run: ImportRun): Promise<{ index: ImportIndex; knowledge: KnowledgeTransform | undefined }> {
	const { deps, request, options, sessionId } = run;
	const { store, logger, clock } = deps;
	if (run.runExtract && !run.reader) {
		const sources = request.sources ?? (request.openSources ? await request.openSources(options.inputs) : []);
		if (sources.length === 0)
			throw new ImportSessionError(
				`Session ${sessionId} needs its inputs again (${options.inputs.join(", ") || "none recorded"}), but they were not given`,
			);
		// The same files as the session began with, or nothing: extract is never marked done from another file.
		await checkInputsUnchanged(store, sessionId, sources);
		run.reader = await (deps.openExport ?? openExportHere)(sources, { provider: options.provider });
	}
	const index = await ImportIndex.open(store, logger);
	const knowledge =
		options.llm && request.llmClient
			? await KnowledgeTransform.open({
					store,
					sessionId,
					client: request.llmClient,
					llm: options.llm,
					options,
					debugMode: run.debugMode,
					logger,
					index,
					...(request.llmRefresh ? { refresh: true } : {}),
					now: () => clock.now(),
				})
			: undefined;
	// The stages share pipeline_stages.jsonl: a line cut off by a crash is ended once, before any of them appends.
	if (await ensureJsonlLineStart(store, pipelineStagesFile(sessionId, "import")))
		logger.warn(`${pipelineStagesFile(sessionId, "import")}: the last line was cut off by an interruption; it will be skipped`);
	return { index, knowledge };
}

/**
 * Starts the three stages at the same time, each conversation handed on as soon as the stage before is done with
 * it: the export is read once, and nothing is read back from the session in a normal run. Each stage's promise goes
 * into `started`; one that breaks down stops the others.
 */
// Long on purpose: the three stages and the two hand-offs between them share the run's stop, guard and the early "unchanged" set; wired in one place, their order and what each passes on read top to bottom.
async function wireStages(run: ImportRun, stop: AbortController, started: Promise<unknown>[]): Promise<void> {
	const { deps, request, sessionId } = run;
	const { index, knowledge } = await openStageInputs(run);
	// A re-import decides "unchanged" before rendering (as-written.ts): the deterministic note only.
	const rules: AsWrittenRules = {
		render: {
			includeThinking: run.options.includeThinking,
			...(run.options.timeZone !== undefined ? { timeZone: run.options.timeZone } : {}),
		},
		reviewFolder: reviewFolderOf(run.options.outFolder),
		rerender: run.options.rerender,
	};
	const common = { signal: stop.signal, ...(request.onProgress ? { onProgress: request.onProgress } : {}) };
	// A fresh extract may run ahead of the stages after it (their conversations then come back from its output).
	const ahead =
		request.extractAhead && run.runExtract && !run.extractDone
			? new RunAheadHandOff(deps.store, sessionId, deps.logger, HAND_OFF_CAPACITY)
			: null;
	const toTransform: HandOff<Extracted> = ahead ?? new Channel<Extracted>(HAND_OFF_CAPACITY);
	const toLoad = new Channel<NoteDraft>(HAND_OFF_CAPACITY);
	const stopHandOffs = (): void => {
		toTransform.abort();
		toLoad.abort();
	};
	if (stop.signal.aborted) stopHandOffs();
	else stop.signal.addEventListener("abort", stopHandOffs, { once: true });
	const guard = (stage: Promise<unknown>): void => {
		started.push(
			stage.catch((e: unknown) => {
				stop.abort(); // a stage that broke down stops the others
				throw e;
			}),
		);
	};

	// Extract, or what it wrote before.
	let conversations: AsyncIterable<Extracted>;
	// A fresh extract of a deterministic import outside debug mode finds unchanged notes as it reads: no copy of their
	// conversations, no record of them (not with the run-ahead hand-off, which reads back what extract wrote).
	const quiet = !run.options.llm && !run.debugMode && !run.extractDone && !ahead ? new WeakSet<NoteDraft>() : undefined;
	if (run.runExtract && run.reader) {
		const early = quiet
			? (facts: ConversationFacts): Promise<string | null> =>
					facts.provider === undefined || facts.updated === undefined || facts.attachments !== false || run.status.has(facts.id)
						? Promise.resolve(null)
						: noteAsWritten({ index, vault: deps.vault }, rules, { provider: facts.provider, id: facts.id, updated: facts.updated })
			: undefined;
		// Without copies kept, the reader sends a drafted conversation's JSON only where a re-import may append to its note.
		const linesOnlyFor = run.options.keepConversations === false && !ahead;
		const hints = run.options.llm ? undefined : await sourceTimesAsRendered(index, rules, { known: linesOnlyFor });
		guard(startExtract(run, toTransform, ahead, common, hints, early, linesOnlyFor));
		conversations = toTransform;
	} else {
		conversations = wrapped(readExtractedConversations(deps.store, sessionId, deps.logger));
	}
	guard(
		runTransformStage({
			ctx: run.ctx,
			conversations,
			options: run.options,
			skip: (id) => !run.needsWork(id),
			handOff: (d) => toLoad.push(d),
			...(knowledge
				? { knowledge, concurrency: run.options.llm?.concurrency ?? 1, fresh: run.retransform }
				: {
						asWritten: (c: { provider: Provider; id: string; updated: string | null }) =>
							noteAsWritten({ index, vault: deps.vault }, rules, c),
					}),
			index,
			...(quiet ? { quiet } : {}),
			sharedLogReady: true,
			stepLog: run.debugMode ? "all" : "failed",
			...common,
		}).finally(() => toLoad.close()),
	);
	const files = await draftFileWriter(run);
	guard(
		runLoadStage({
			ctx: run.ctx,
			vault: deps.vault,
			index,
			drafts: toLoad,
			options: run.options,
			files,
			keepCopies: run.debugMode,
			...(quiet ? { quiet } : {}),
			...(deps.sha256 ? { sha256: deps.sha256 } : {}),
			sharedLogReady: true,
			stepLog: run.debugMode ? "all" : "failed",
			...common,
		}),
	);
}

/** Where extract hands its conversations on: a channel, or the run-ahead hand-off. */
type HandOff<T> = AsyncIterable<T> & { push(item: T): Promise<void>; close(): void; abort(): void };

/** Extract over the open inputs (taken from the run: closed when extract ends), handing each conversation on. */
function startExtract(
	run: ImportRun,
	toTransform: HandOff<Extracted>,
	ahead: RunAheadHandOff | null,
	common: { signal: AbortSignal; onProgress?: (p: StageProgress) => void },
	unchangedIf?: SourceTimeHints,
	unchanged?: (facts: ConversationFacts) => Promise<string | null>,
	linesOnlyFor = false,
): Promise<unknown> {
	const { status, options, extractDone, sessionId } = run;
	const done = (id: string): boolean => {
		const s = status.statusOf("extract", id);
		return s === "success" || s === "skipped" || s === "review";
	};
	const openReader = run.reader as ExportReader;
	run.reader = null; // closed when extract ends
	return runExtractStage({
		ctx: run.ctx,
		reader: openReader,
		options,
		fresh: !extractDone,
		...(extractDone
			? { skip: (id: string) => done(id) || status.isFolded(id) || run.unchangedEarly(id), handOnSkipped: run.needsWork }
			: {}),
		...(unchanged ? { unchanged } : {}),
		...(options.keepConversations === false && !ahead ? { keepCopies: false } : {}),
		handOff: (c) => toTransform.push(c),
		// The deterministic note may be rendered by the reader (the CLI's reads in a second thread).
		...(options.llm
			? {}
			: {
					read: {
						draft: {
							sessionId,
							includeThinking: options.includeThinking,
							...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
							...(unchangedIf && unchangedIf.h1.length > 0 ? { unchangedIf } : {}),
							// Decided here from their facts: a reader in another thread need not send their lines.
							...(unchangedIf && unchangedIf.h1.length > 0 && unchanged ? { holdUnchanged: true } : {}),
							// …and may decide them from a look at their elements, not parsed (a look cannot count messages).
							...(unchangedIf && unchangedIf.h1.length > 0 && unchanged && options.minMessages <= 1 ? { quickLook: true } : {}),
							...(linesOnlyFor && unchangedIf ? { linesOnlyFor: unchangedIf } : {}),
							premake: { outFolder: options.outFolder, byProject: options.byProject, datePrefix: options.datePrefix },
						},
					},
				}),
		sharedLogReady: true,
		stepLog: run.debugMode ? "all" : "failed",
		ledger: run.shardLedger,
		...(ahead ? { onWritten: (n: number) => ahead.written(n) } : {}),
		...common,
	}).finally(async () => {
		toTransform.close();
		await openReader.close();
	});
}

/** Brings the files notes refer to into the vault: where the options say, else the vault's own attachment folder. */
async function draftFileWriter(run: ImportRun): Promise<DraftFileWriter> {
	const { deps, options } = run;
	return new DraftFileWriter({
		vault: deps.vault,
		index: await AttachmentIndex.open(deps.store, deps.logger),
		exportFiles: () => openExportFiles(run.request, options, deps.logger),
		folder: options.attachmentsFolder ?? (deps.vault.availablePathForAttachment ? null : joinFolder(options.outFolder, "attachments")),
		sessionId: run.sessionId,
		dryRun: options.dryRun,
		logger: deps.logger,
	});
}

/**
 * Ends the run: the summary from the log (items a run that ended early had not finished stay pending, for a resume),
 * the session compacted when the run ended on its own, the phase's status and counts written.
 */
async function finishImport(run: ImportRun, error?: string): Promise<ImportSummary> {
	const { store, logger } = run.deps;
	const { sessionId } = run;
	const stopped = error === "cancelled";
	const errorText = stopped ? "Cancelled; resume the session to go on" : error;
	// Once for the summary and the compaction (nothing is logged in between). A new session's run that ended on its own
	// appended every record it told of (run.logged); one that broke or was cancelled may not have: its log is read, as
	// a resumed or retried session's is.
	const live = error === undefined ? run.logged : null;
	const itemStatus = live ?? (await ItemStatusIndex.read(store, sessionId, "import", logger, { ids: false }));
	// Written while the run went (extract's items found unchanged as written): its count as the file has it now.
	if (live) live.unchangedEarly = await readUnchangedItems(store, sessionId, "import", logger);
	await yieldWhenSliceOverOnUi(10);
	const summary = await summarize(store, sessionId, logger, "pending", {
		unfinished: error === undefined ? "failed" : "pending",
		index: itemStatus,
	});
	const counts: Counts = { ...summary.counts, review: summary.notes.review };
	// Ended on its own: the session keeps only what a retry can still need (see compactImportSession).
	if (errorText === undefined && !run.options.dryRun) {
		try {
			const compacted = await compactImportSession(store, sessionId, {
				debugMode: run.debugMode,
				logger,
				status: itemStatus,
				ledger: run.shardLedger,
			});
			logger.info(
				`Session ${sessionId} compacted: ${compacted.before} → ${compacted.after} bytes (${compacted.kept} conversations kept for a retry)`,
			);
		} catch (e) {
			logger.warn(`Session ${sessionId}: could not compact (${e instanceof Error ? e.message : String(e)}); it keeps everything`);
		}
	}
	const finished = await run.phases.finishPhase(sessionId, "import", counts, errorText, stopped);
	return { ...summary, status: finished.status, ...(errorText !== undefined ? { error: errorText } : {}) };
}

/**
 * The files of the run's export zips, for the notes that refer to them: the inputs given, or (a resume) the recorded
 * ones opened again. Inputs that cannot be opened leave an empty lookup (the notes then say the file was not found).
 */
async function openExportFiles(request: ImportRequest, options: ImportOptions, logger: Logger): Promise<ExportFiles> {
	try {
		const sources = request.sources ?? (request.openSources && options.inputs.length > 0 ? await request.openSources(options.inputs) : []);
		// A preview's reading says which inputs are zips: a bare JSON is not opened again to learn it holds no files.
		const zips = request.prepared ? new Set(request.prepared.reader.inputs.filter((i) => i.kind === "zip").map((i) => i.name)) : null;
		return await ExportFiles.open(zips ? sources.filter((s) => zips.has(s.name)) : sources);
	} catch (e) {
		logger.warn(
			`The export's files (images, uploads) cannot be read, so notes link none of them: ${e instanceof Error ? e.message : String(e)}`,
		);
		return ExportFiles.none();
	}
}

function joinFolder(...parts: string[]): string {
	return parts
		.flatMap((p) => p.split("/"))
		.filter((p) => p !== "" && p !== ".")
		.join("/");
}

async function* wrapped(conversations: AsyncIterable<Conversation>): AsyncGenerator<Extracted> {
	for await (const conversation of conversations) yield { conversation };
}
