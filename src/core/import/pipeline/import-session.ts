import { ItemStatusIndex } from "../../logs/item-status-index";
import type { Counts } from "../../model/counts";
import type { StageProgress } from "../../pipeline/stage-runner";
import { Channel } from "../../pipeline/channel";
import type { Conversation } from "../../model/conversation";
import type { ByteSource } from "../../ports/byte-source";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { NoteVault } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import type { StagingStore } from "../../ports/staging-store";
import { extractInputDir, pipelineStagesFile } from "../../session/paths";
import { ensureJsonlLineStart } from "../../logs/jsonl";
import { PhaseManager } from "../../session/phase-manager";
import { SessionManager } from "../../session/session-manager";
import { openExport as openExportHere, type ExportReader, type OpenExportOptions } from "../extract";
import { ImportIndex } from "../load/import-index";
import { readExtractedConversations, runExtractStage } from "./extract-stage";
import { ImportOptionsSchema, type ImportOptions, type ImportOptionsInput } from "./import-options";
import { NEW_MESSAGES_APPENDED, runLoadStage } from "./load-stage";
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
import type { PhaseStatus } from "../../model/status";

import { withVaultLock, type HostIdentity, type VaultLock } from "../../session/vault-lock";

import { checkInputsUnchanged, writeManifest } from "./input-manifest";
import { ImportSessionError } from "./import-errors";
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
}

export interface ImportSummary {
	session_id: string;
	status: PhaseStatus;
	/** `pending`: items read but not finished when the run stopped early (a resume does them). */
	counts: { total: number; success: number; failed: number; skipped: number; pending?: number };
	notes: { created: number; updated: number; unchanged: number; preserved: number; review: number };
	failures: { item_id: string; title: string | null; stage: string; reason: string }[];
	/** Set when the run stopped early: cancelled, or the input broke off. */
	error?: string;
	/** For people: what retry found to do ("nothing to retry"). */
	message?: string;
	/** Of `notes.updated`, how many were re-rendered although unchanged at the source (options changed, `rerender`). */
	rerendered?: number;
	/** Of `notes.updated`: notes the user had edited that got the conversation's new messages below their text. */
	appended?: number;
}

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

async function runImportSessionLocked(deps: ImportDeps, request: ImportRequest, lock: VaultLock): Promise<ImportSummary> {
	const { store, clock, logger } = deps;
	const openExport = deps.openExport ?? openExportHere;
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);

	let session: Session;
	let options: ImportOptions;
	let reader: ExportReader | null = null;
	if (request.mode === "new") {
		options = ImportOptionsSchema.parse(request.options ?? {});
		if (!request.sources || request.sources.length === 0)
			throw new ImportSessionError("No input was given: pass an export (.zip or conversations.json) or a folder holding one");
		if (options.llm && !request.llmClient) throw new ImportSessionError("An LLM transform was asked for, but no LLM client was given");
		// Open and check the inputs (and the model server) before a session exists: a bad input leaves nothing behind.
		reader = await openExport(request.sources, { provider: options.provider });
		if (request.llmClient)
			await request.llmClient.preflight().catch(async (e: unknown) => {
				await reader?.close();
				throw e;
			});
		const providers = [...new Set(reader.inputs.flatMap((i) => (i.provider ? [i.provider] : [])))];
		session = await sessions.create({
			debugMode: request.debugMode ?? false,
			...(providers.length > 0 ? { provider: providers.join(",") } : {}),
		});
		await lock.attach(session.session_id);
		await phases.create(session.session_id, "import");
		await store.writeAtomic(optionsPath(session.session_id), `${JSON.stringify(options, null, "\t")}\n`);
		await writeManifest(store, session.session_id, reader, request.sources);
	} else {
		const latest = request.sessionId ?? (await sessions.latest())?.session_id;
		if (!latest) throw new ImportSessionError("There is no session to resume");
		session = await sessions.load(latest);
		if (!request.sessionId) await lock.attach(session.session_id);
		if (!(await phases.exists(session.session_id, "import")))
			throw new ImportSessionError(`Session ${session.session_id} has no import phase`);
		options = ImportOptionsSchema.parse(JSON.parse(await store.read(optionsPath(session.session_id))));
		if (options.llm && !request.llmClient) {
			throw new ImportSessionError(
				`Session ${session.session_id} used the LLM ${options.llm.provider} (${options.llm.model}); give the LLM settings again to ${request.mode} it`,
			);
		}
		if (request.llmClient) await request.llmClient.preflight();
		await sessions.markResumed(session.session_id);
	}
	const sessionId = session.session_id;
	request.onSession?.(sessionId);
	const ctx = { sessionId, phaseType: "import" as const, store, clock, logger, phases };

	const phase = await phases.load(sessionId, "import");
	const status = await ItemStatusIndex.read(store, sessionId, "import", logger);
	// A retry redoes failed items and sends review items to the model again.
	const retransform =
		request.mode === "retry"
			? new Set([...status.idsWithStatus("transform", "review"), ...status.idsWithStatus("load", "review")])
			: new Set<string>();
	if (request.mode === "retry" && status.failures().length === 0 && retransform.size === 0 && phase.status !== "running") {
		return { ...(await summarize(store, sessionId, logger, phase.status)), message: "No failed items to retry" };
	}

	await phases.startPhase(sessionId, "import");
	// One signal stops every stage: the user's cancel, or one stage breaking down (the others then stop taking items).
	const stop = new AbortController();
	const cancel = (): void => stop.abort();
	if (request.signal?.aborted) stop.abort();
	request.signal?.addEventListener("abort", cancel, { once: true });
	const common = { signal: stop.signal, ...(request.onProgress ? { onProgress: request.onProgress } : {}) };
	// The stages started, so that a failure waits for all of them before the run ends (no stage left writing).
	const started: Promise<unknown>[] = [];
	/** What extract writes, id by id (the compaction at the end removes those files without reading them). */
	const shardLedger: ShardLedger = new Map();
	try {
		// The three stages run at the same time, each conversation handed on as soon as the stage before is done
		// with it: the export is read once, and nothing is read back from the session in a normal run.
		// Work left is what load has not finished (a retry also sends review items to the model again).
		const loaded = status.succeeded("load");
		// An item folded out of a finished session's log went through for good, as one whose load succeeded.
		const needsWork = (id: string): boolean => (!loaded.has(id) && !status.isFolded(id)) || retransform.has(id);

		// ---- everything that can fail before an item moves: inputs, the model's saved replies, the index ----
		const extractDone = phase.stages.extract.status === "completed";
		const extractFailures = status.failures("extract").length > 0;
		const runExtract = !extractDone || (request.mode === "retry" && extractFailures);
		if (runExtract && !reader) {
			const sources = request.sources ?? (request.openSources ? await request.openSources(options.inputs) : []);
			if (sources.length === 0)
				throw new ImportSessionError(
					`Session ${sessionId} needs its inputs again (${options.inputs.join(", ") || "none recorded"}), but they were not given`,
				);
			// The same files as the session began with, or nothing: extract is never marked done from another file.
			await checkInputsUnchanged(store, sessionId, sources);
			reader = await openExport(sources, { provider: options.provider });
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
						debugMode: session.debug_mode || (request.debugMode ?? false),
						logger,
						index,
						...(request.llmRefresh ? { refresh: true } : {}),
						now: () => clock.now(),
					})
				: undefined;
		// The stages share pipeline_stages.jsonl: a line cut off by a crash is ended once, before any of them appends.
		if (await ensureJsonlLineStart(store, pipelineStagesFile(sessionId, "import")))
			logger.warn(`${pipelineStagesFile(sessionId, "import")}: the last line was cut off by an interruption; it will be skipped`);

		// A fresh extract may run ahead of the stages after it (their conversations then come back from its output).
		const ahead =
			request.extractAhead && runExtract && !extractDone ? new RunAheadHandOff(store, sessionId, logger, HAND_OFF_CAPACITY) : null;
		const toTransform = ahead ?? new Channel<Extracted>(HAND_OFF_CAPACITY);
		const toLoad = new Channel<NoteDraft>(HAND_OFF_CAPACITY);
		const stopHandOffs = (): void => {
			toTransform.abort();
			toLoad.abort();
		};
		if (stop.signal.aborted) stopHandOffs();
		else stop.signal.addEventListener("abort", stopHandOffs, { once: true });
		const guard = (run: Promise<unknown>): void => {
			started.push(
				run.catch((e: unknown) => {
					stop.abort(); // a stage that broke down stops the others
					throw e;
				}),
			);
		};

		// ---- extract (or what it wrote before) ----
		let conversations: AsyncIterable<Extracted>;
		if (runExtract && reader) {
			const done = status.idsWithStatus("extract", "success", "skipped", "review");
			const openReader = reader;
			reader = null; // closed when extract ends
			guard(
				runExtractStage({
					ctx,
					reader: openReader,
					options,
					fresh: !extractDone,
					...(extractDone ? { skip: (id: string) => done.has(id) || status.isFolded(id), handOnSkipped: needsWork } : {}),
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
									},
								},
							}),
					sharedLogReady: true,
					ledger: shardLedger,
					...(ahead ? { onWritten: (n: number) => ahead.written(n) } : {}),
					...common,
				}).finally(async () => {
					toTransform.close();
					await openReader.close();
				}),
			);
			conversations = toTransform;
		} else {
			conversations = wrapped(readExtractedConversations(store, sessionId, logger));
		}

		// ---- transform ----
		guard(
			runTransformStage({
				ctx,
				conversations,
				options,
				skip: (id) => !needsWork(id),
				handOff: (d) => toLoad.push(d),
				...(knowledge ? { knowledge, concurrency: options.llm?.concurrency ?? 1, fresh: retransform } : {}),
				index,
				sharedLogReady: true,
				...common,
			}).finally(() => toLoad.close()),
		);

		// ---- load ----
		const files = new DraftFileWriter({
			vault: deps.vault,
			index: await AttachmentIndex.open(store, logger),
			exportFiles: () => openExportFiles(request, options, logger),
			folder: options.attachmentsFolder ?? (deps.vault.availablePathForAttachment ? null : joinFolder(options.outFolder, "attachments")),
			sessionId,
			dryRun: options.dryRun,
			logger,
		});
		guard(
			runLoadStage({
				ctx,
				vault: deps.vault,
				index,
				drafts: toLoad,
				options,
				files,
				keepCopies: session.debug_mode || (request.debugMode ?? false),
				...(deps.sha256 ? { sha256: deps.sha256 } : {}),
				sharedLogReady: true,
				...common,
			}),
		);

		// The first stage to break down is the run's error.
		const settled = await Promise.allSettled(started);
		const broken = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
		if (broken) throw broken.reason;
		if (request.signal?.aborted) return await finish("cancelled");
		return await finish();
	} catch (error) {
		stop.abort();
		await Promise.allSettled(started);
		const message = error instanceof Error ? error.message : String(error);
		await finish(message).catch(() => undefined);
		throw error;
	} finally {
		request.signal?.removeEventListener("abort", cancel);
		await reader?.close();
	}

	async function finish(error?: string): Promise<ImportSummary> {
		const stopped = error === "cancelled";
		const errorText = stopped ? "Cancelled; resume the session to go on" : error;
		// A run that ended early leaves the items it had not finished pending (a resume does them), not failed.
		// Read once for the summary and the compaction (nothing is logged in between).
		const itemStatus = await ItemStatusIndex.read(store, sessionId, "import", logger);
		const summary = await summarize(store, sessionId, logger, "pending", {
			unfinished: error === undefined ? "failed" : "pending",
			index: itemStatus,
		});
		const counts: Counts = { ...summary.counts, review: summary.notes.review };
		// Ended on its own: the session keeps only what a retry can still need (see compactImportSession).
		if (errorText === undefined && !options.dryRun) {
			try {
				const compacted = await compactImportSession(store, sessionId, {
					debugMode: session.debug_mode || (request.debugMode ?? false),
					logger,
					status: itemStatus,
					ledger: shardLedger,
				});
				logger.info(
					`Session ${sessionId} compacted: ${compacted.before} → ${compacted.after} bytes (${compacted.kept} conversations kept for a retry)`,
				);
			} catch (e) {
				logger.warn(`Session ${sessionId}: could not compact (${e instanceof Error ? e.message : String(e)}); it keeps everything`);
			}
		}
		const finished = await phases.finishPhase(sessionId, "import", counts, errorText, stopped);
		return { ...summary, status: finished.status, ...(errorText !== undefined ? { error: errorText } : {}) };
	}
}

/**
 * The files of the run's export zips, for the notes that refer to them: the inputs given, or (a resume) the recorded
 * ones opened again. Inputs that cannot be opened leave an empty lookup (the notes then say the file was not found).
 */
async function openExportFiles(request: ImportRequest, options: ImportOptions, logger: Logger): Promise<ExportFiles> {
	try {
		const sources = request.sources ?? (request.openSources && options.inputs.length > 0 ? await request.openSources(options.inputs) : []);
		return await ExportFiles.open(sources);
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

/**
 * A load record written before records carried a typed `outcome`: "updated: path", "updated (options changed):
 * path", "preserved: path: why" (the first word is the outcome).
 */
function outcomeFromReason(reason: string | undefined): { outcome: string; rerendered: boolean } {
	const label = (reason ?? "").split(":")[0] ?? "";
	const outcome = label.split(" ")[0] ?? "";
	return { outcome, rerendered: label === "updated (options changed)" || label === "updated (re-render asked)" };
}

/**
 * The session's result from its log, over every run of it (a resume or retry included): each conversation
 * counted once, by its latest record in each stage.
 */
export async function summarize(
	store: StagingStore,
	sessionId: string,
	logger?: Logger,
	status: PhaseStatus = "pending",
	how: { unfinished?: "failed" | "pending"; /** The session's item status, read already. */ index?: ItemStatusIndex } = {},
): Promise<ImportSummary> {
	const index = how.index ?? (await ItemStatusIndex.read(store, sessionId, "import", logger));
	const counts: ImportSummary["counts"] = { total: 0, success: 0, failed: 0, skipped: 0 };
	const notes = { created: 0, updated: 0, unchanged: 0, preserved: 0, review: 0 };
	let rerendered = 0;
	let appended = 0;
	// Items folded out of the log when the session completed (see compactImportSession): counted from their summary.
	if (index.folded) {
		counts.total += index.folded.items;
		counts.success += index.folded.items;
		for (const [label, n] of Object.entries(index.folded.outcomes)) {
			const outcome = label.split(" ")[0] ?? "";
			if (outcome === "created" || outcome === "updated" || outcome === "unchanged" || outcome === "preserved") notes[outcome] += n;
			if (label === "updated (options changed)" || label === "updated (re-render asked)") rerendered += n;
			if (label === `updated (${NEW_MESSAGES_APPENDED})`) appended += n;
		}
	}
	const failures: ImportSummary["failures"] = [];
	const fail = (id: string, title: string | undefined, stage: string, reason: string): void => {
		counts.failed++;
		failures.push({ item_id: id, title: title ?? null, stage, reason });
	};
	for (const extract of index.each("extract")) {
		const id = extract.item_id;
		counts.total++;
		if (extract.status === "failed") {
			fail(id, extract.title, "extract", extract.error ?? extract.reason ?? "unknown error");
			continue;
		}
		if (extract.status === "skipped") {
			counts.skipped++;
			continue;
		}
		const transform = index.get("transform", id);
		const load = index.get("load", id);
		// A note load wrote after the item's latest transform is the proof of the item, even when that transform's
		// record was lost (the stages log in batches of their own: a crash can keep load's and lose transform's).
		const loadedLast = (load?.status === "success" || load?.status === "review") && (!transform || transform.timestamp <= load.timestamp);
		if (transform?.status === "failed" && !loadedLast) {
			fail(id, extract.title, "transform", transform.error ?? "unknown error");
			continue;
		}
		if (transform?.status === "skipped" && !loadedLast) {
			counts.skipped++;
			continue;
		}
		if (!load || (!transform && !loadedLast)) {
			// In flight or not reached when the run stopped: a resume does it (a failure only if a whole run missed it).
			if (how.unfinished === "pending") counts.pending = (counts.pending ?? 0) + 1;
			else
				fail(
					id,
					extract.title,
					transform ? "load" : "transform",
					"not processed yet (the run stopped before this item); resume the session",
				);
			continue;
		}
		if (load.status === "failed") {
			fail(id, extract.title, "load", load.error ?? "unknown error");
			continue;
		}
		counts.success++;
		if (load.status === "review") notes.review++;
		const { outcome, rerendered: again } =
			load.outcome !== undefined ? { outcome: load.outcome, rerendered: load.rerendered === true } : outcomeFromReason(load.reason);
		if (outcome === "created" || outcome === "updated" || outcome === "unchanged" || outcome === "preserved") notes[outcome]++;
		if (outcome === "updated" && again) rerendered++;
		// New messages appended below a note the user edited: an update, told apart by its reason (not re-rendered).
		if ((load.reason ?? "").startsWith(`updated (${NEW_MESSAGES_APPENDED})`)) appended++;
	}
	// The index keeps no title of a record that went through: the failures' titles are read again, only theirs.
	const untitled = new Set(failures.filter((f) => f.title === null).map((f) => f.item_id));
	if (untitled.size > 0) {
		const titles = await ItemStatusIndex.titles(store, sessionId, "import", untitled);
		for (const f of failures) if (f.title === null) f.title = titles.get(f.item_id) ?? null;
	}
	return {
		session_id: sessionId,
		status,
		counts,
		notes,
		failures,
		...(rerendered > 0 ? { rerendered } : {}),
		...(appended > 0 ? { appended } : {}),
	};
}
