import { phaseToContinue, type ContinueResult } from "../core/app/app";
import { RetentionModal } from "./modals/retention-modal";
import { Notice } from "obsidian";
import type {
	Settings,
	ImportLlmOptions,
	ImportOptionsInput,
	ImportSummary,
	LlmClient,
	Session,
	ByteSource,
	PreparedInputs,
} from "../core/app/types";
import { isKnownTimeZone, providerLabel, isProvider } from "../core/app/catalog";
import { createLlmClient, inputDifference, recordedImportOptions, recordedInputs, PhaseManager } from "../core/app/services";
import { organizeOutputPaths, sessionTimeLabel } from "../core/app/views";
import type { PluginServices } from "./services";
import { continueNotice } from "./notices";
import { nodeFs, PathByteSource } from "./desktop-files";
import { pickInputAgain } from "./modals/repick-input-modal";
import { RequestUrlHttpClient } from "./request-url-http-client";
import { summaryText } from "./run-controller";
import { t, type MessageKey } from "./i18n";
import { readApiKey } from "./secret-key";

const STATUS_KEYS: Partial<Record<string, MessageKey>> = {
	pending: "status.pending",
	running: "status.running",
	completed: "status.completed",
	failed: "status.failed",
	partial: "status.partial",
	interrupted: "status.interrupted",
};

export { phaseToContinue, type ContinueResult };

/**
 * What the commands, the import modal and the panel's buttons do: every import run goes through the plugin's
 * RunController (one at a time) and the plugin's own ports (adapter staging store, Vault note store).
 */

/** True when the settings name an LLM server and a model (the import modal's LLM switch is enabled then). */
export function llmConfigured(settings: Settings): boolean {
	return settings.llm.provider !== "none" && settings.llm.model.trim() !== "";
}

/** The LLM options recorded in a new session (never the key). */
export function importLlmOptions(settings: Settings): ImportLlmOptions | undefined {
	const llm = settings.llm;
	if (llm.provider === "none" || !llmConfigured(settings)) return undefined;
	return {
		provider: llm.provider,
		url: llm.url,
		model: llm.model.trim(),
		language: llm.outputLanguage,
		contextChars: llm.contextChars,
		onTooLarge: "split",
		includeTranscript: settings.includeTranscript,
		concurrency: llm.concurrency,
	};
}

/** The configured model's client (through requestUrl), or undefined when no LLM is set up. */
export function llmClient(plugin: PluginServices): LlmClient | undefined {
	const llm = plugin.settings.llm;
	if (!llmConfigured(plugin.settings)) return undefined;
	return createLlmClient(
		{
			provider: llm.provider,
			url: llm.url,
			model: llm.model.trim(),
			apiKey: readApiKey(plugin.app, plugin.settings),
			timeoutSeconds: llm.timeoutSeconds,
			retries: llm.retries,
		},
		new RequestUrlHttpClient(),
	);
}

export interface NewImport {
	sources: ByteSource[];
	options: ImportOptionsInput;
	useLlm: boolean;
	/** What a preview of the same files read (the import then does not read the export again). */
	prepared?: PreparedInputs;
}

/**
 * The export files of sessions started in this Obsidian window (the plugin's `openedInputs`), so a resume before
 * extract finished can read them again (a browser File cannot be reopened from a recorded name after a restart).
 */
function inputsOf(plugin: PluginServices): Map<string, ByteSource[]> {
	return plugin.openedInputs;
}

/** This computer's time zone (the default of the "Time zone" setting), or UTC when the runtime cannot tell. */
export function localTimeZone(): string {
	const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	return zone && isKnownTimeZone(zone) ? zone : "UTC";
}

/** The settings that shape notes, as import options (a session records them, so resume keeps them). */
export function noteChoices(
	settings: Settings,
): Pick<ImportOptionsInput, "includeThinking" | "timeZone" | "byProject" | "datePrefix" | "editedNotes"> {
	return {
		includeThinking: settings.includeThinking,
		timeZone: settings.timeZone || localTimeZone(),
		byProject: settings.byProject,
		datePrefix: settings.datePrefix,
		editedNotes: settings.appendToEditedNotes ? "append" : "preserve",
	};
}

/**
 * True when every input can be opened again after a restart without the user: each has its path on disk (desktop,
 * Electron's webUtils) and the host has Node's fs to open it by. Such an import runs as the CLI's does: extract keeps
 * no copy of the conversations in the session (ImportOptions.keepConversations false), and a resume or a retry
 * reopens the export by its recorded path, checked unchanged (size, first and last MiB), or asks for it again when the
 * path is gone. The copies (`extract/output/`, as large as the export) cost a JSON line per conversation in the
 * reader's worker, its structured clone to the UI thread and its appends there: about half of what the browser
 * spent beyond the CLI (issue 17). Without paths (mobile, a File made in memory) the copies stay, so that a resume
 * never needs the export again once extract has read it.
 */
export function reopenableByPath(sources: readonly ByteSource[]): boolean {
	return sources.length > 0 && sources.every((s) => typeof s.path === "string" && s.path !== "") && nodeFs() !== null;
}

/** Starts a new import session; null when another run is going (the user was told). */
export function startImport(plugin: PluginServices, request: NewImport): Promise<ImportSummary | null> | null {
	const llm = request.useLlm ? importLlmOptions(plugin.settings) : undefined;
	const client = llm ? llmClient(plugin) : undefined;
	const byPath = reopenableByPath(request.sources);
	return plugin.runs.start(
		"import",
		null,
		async (hooks) => {
			const summary = await plugin.etl.import(
				{
					sources: request.sources,
					options: {
						...noteChoices(plugin.settings),
						...request.options,
						...(llm ? { llm } : {}),
						...(byPath ? { keepConversations: false } : {}),
					},
					...(request.prepared ? { prepared: request.prepared } : {}),
					...(client ? { llmClient: client } : {}),
					debugMode: plugin.settings.debugMode,
					// Without a path, extract reads the File to its end as fast as it can (into its copies): after a restart
					// the File is gone, the session is not. With paths there are no copies to run ahead into.
					extractAhead: !byPath,
				},
				hooks,
			);
			inputsOf(plugin).set(summary.session_id, request.sources);
			return summary;
		},
		(summary) => summaryText("import", summary),
	);
}

/** Remembers sessions just read (the plugin's `knownSessions`), so "Resume" / "Retry" can name the run (import or organize) at once. */
export function rememberSessions(plugin: PluginServices, sessions: readonly Session[]): void {
	for (const s of sessions) plugin.knownSessions.set(s.session_id, s);
}

/**
 * Resumes (goes on with) or retries (redoes the failed items of) an existing session: its import, or its
 * organize phase (the service decides, on the session as read when the run starts). The run starts at once
 * (null when another run is going; the user was told); it is labelled by the session as last seen.
 */
export async function continueSession(plugin: PluginServices, mode: "resume" | "retry", sessionId: string): Promise<ContinueResult | null> {
	const seen = plugin.knownSessions.get(sessionId);
	const kind = seen ? phaseToContinue(seen, mode) : "import";
	if (plugin.runs.refuseWhileBusy()) return null;
	// An import that must read its export again gets it first: reopened by its recorded path, or picked again.
	let known: ByteSource[] | undefined;
	if (kind === "import") {
		const found = await importInputs(plugin, sessionId, mode);
		if (found === "refused") return null;
		if (found === "cancelled") {
			plugin.runs.say(`Resume of session ${sessionTimeLabel(sessionId)} cancelled: its export was not picked again.`);
			return null;
		}
		known = found;
	}
	const client = llmClient(plugin);
	// A session that kept no copies reads its export in step with the stages, as it began (see reopenableByPath).
	const copies = kind !== "import" || (await keepsCopies(plugin, sessionId));
	const openSources = async (names: string[]): Promise<ByteSource[]> => {
		await Promise.resolve();
		if (known) return known;
		throw new Error(t("error.inputsGone", { time: sessionTimeLabel(sessionId), files: names.join(", ") || t("import.unknownProvider") }));
	};
	const run = plugin.runs.start(
		kind,
		sessionId,
		async (hooks) => {
			try {
				return await plugin.etl[mode](
					{
						sessionId,
						openSources,
						extractAhead: copies,
						...(client ? { llmClient: client } : {}),
						genres: plugin.settings.genres,
						debugMode: plugin.settings.debugMode,
					},
					hooks,
				);
			} finally {
				for (const source of known ?? []) if (source instanceof PathByteSource) await source.close();
			}
		},
		(result) => (result.kind === "organize" ? continueNotice(result) : summaryText("import", result)),
	);
	if (!run) {
		// Another run started while the export was being picked again: nothing reads what was reopened.
		for (const source of known ?? []) if (source instanceof PathByteSource) await source.close();
		return null;
	}
	return await run;
}

/**
 * The export files a resume or retry of `sessionId` reads: those of this window, else the recorded ones reopened
 * by their path (desktop), else (only when extract has not finished, so the session needs them) the user picks
 * each missing one again, told which file is expected; a picked file is checked like a reopened one (size, first
 * and last MiB). Undefined when there is nothing to reopen (the core then says what it misses, if anything).
 */
async function importInputs(
	plugin: PluginServices,
	sessionId: string,
	mode: "resume" | "retry",
): Promise<ByteSource[] | undefined | "cancelled" | "refused"> {
	const known = inputsOf(plugin).get(sessionId);
	if (known) return known;
	const recorded = await recordedInputs(plugin.stagingStore, sessionId);
	if (recorded.length === 0) return undefined;
	const phase = await new PhaseManager(plugin.stagingStore, plugin.clock).load(sessionId, "import").catch(() => null);
	// When the core reads the inputs again (planImportRun's runExtract): while extract has not finished; for a retry
	// of items extract failed; and, for a session that kept no copy of the conversations, whenever it has work left
	// (a resume of an unfinished run; a retry, of failed items or of items sent to review, in a run that completed).
	const needed =
		phase !== null &&
		(phase.stages.extract.status !== "completed" ||
			(mode === "retry" && (phase.stages.extract.counts?.failed ?? 0) > 0) ||
			(!(await keepsCopies(plugin, sessionId)) && (phase.status !== "completed" || mode === "retry")));
	const opened: ByteSource[] = [];
	for (const input of recorded) {
		const source = input.path ? await PathByteSource.open(input.path, input.name) : null;
		if (source) {
			// Checked before the run starts: a changed file is refused and the session stays as it was.
			const why = needed ? await inputDifference(input, source) : null;
			if (why !== null) {
				await source.close();
				for (const o of opened) if (o instanceof PathByteSource) await o.close();
				plugin.runs.say(
					`Cannot resume session ${sessionTimeLabel(sessionId)}: the input "${input.name}" ${why} since the session began. Put the original file back, or start a new import of the new file.`,
				);
				return "refused";
			}
			opened.push(source);
			continue;
		}
		// Not needed (extract finished): the run goes on without it (only a zip's images would come from it).
		if (!needed) continue;
		const picked = await pickInputAgain(plugin.app, sessionId, input);
		if (!picked) {
			for (const o of opened) if (o instanceof PathByteSource) await o.close();
			return "cancelled";
		}
		opened.push(picked);
	}
	return opened.length > 0 ? opened : undefined;
}

/** False when the session's import kept no copy of the conversations (ImportOptions.keepConversations). */
async function keepsCopies(plugin: PluginServices, sessionId: string): Promise<boolean> {
	const options = await recordedImportOptions({ store: plugin.stagingStore, clock: plugin.clock }, sessionId).catch(() => null);
	return options?.keepConversations !== false;
}

export interface SessionChoice {
	session: Session;
	/** What the list shows: "2025-03-13 22:40:05 · interrupted · chatgpt". */
	label: string;
}

function label(s: Session, status: string): string {
	const time = sessionTimeLabel(s.session_id);
	const failed = (s.phases.import?.counts.failed ?? 0) + (s.phases.organize?.counts.failed ?? 0);
	const organizeOnly = s.phases.organize !== undefined && s.phases.import === undefined;
	const statusText = STATUS_KEYS[status] ? t(STATUS_KEYS[status]) : status;
	const provider = s.provider
		? s.provider
				.split(",")
				.map((p) => (isProvider(p) ? providerLabel(p) : p))
				.join(", ")
		: null;
	return [time, statusText, organizeOnly ? t("phase.organize") : provider, failed > 0 ? t("panel.failed", { count: failed }) : null]
		.filter(Boolean)
		.join(" · ");
}

/**
 * Sessions a command can act on, newest first. resume: interrupted (running, but its run is gone), failed, or
 * pending; retry: finished with failed items (partial or failed). Import and organize sessions alike (an
 * organize run that was undone is not offered). The session running here is never offered.
 */
export async function sessionChoices(plugin: PluginServices, mode: "resume" | "retry"): Promise<SessionChoice[]> {
	const { sessions, interrupted } = await plugin.etl.sessions();
	rememberSessions(plugin, sessions);
	const live = plugin.runs.liveIds();
	const out: SessionChoice[] = [];
	for (const s of sessions) {
		if ((!s.phases.import && !s.phases.organize) || live.has(s.session_id)) continue;
		const status = interrupted.has(s.session_id) ? "interrupted" : s.status;
		const phase = phaseToContinue(s, mode);
		const failed = s.phases[phase]?.counts.failed ?? 0;
		if (phase === "organize" && (await plugin.stagingStore.exists(organizeOutputPaths(s.session_id).undo))) continue;
		const ok =
			mode === "resume"
				? status === "interrupted" || status === "failed" || status === "pending"
				: (status === "partial" || status === "failed") && failed > 0;
		if (ok) out.push({ session: s, label: label(s, status) });
	}
	return out;
}

export interface CleanResult {
	removed: string[];
	kept: number;
}

/**
 * Removes sessions created more than `retentionDays` ago (the service's retention: by created_at, unreadable
 * sessions by the time in their id; never a session running here or elsewhere, never one holding the undo data
 * of an organize apply: undo it, or delete it by hand, first).
 */
/**
 * Retention that happens (issue 16.2), run once some time after Obsidian starts: sessions older than the setting go,
 * with their saved model replies; never while a run goes on. Old sessions whose organize run can still be undone
 * are kept and named in a modal that asks before deleting them. Returns what was removed (null: did not run).
 */
export async function retainSessions(plugin: PluginServices): Promise<{ removed: string[]; asked: string[] } | null> {
	if (plugin.runs?.isRunning) return null;
	const days = plugin.settings.retentionDays;
	const result = await plugin.etl.retain(days);
	if (!result) return null;
	if (result.candidates.length > 0) plugin.refreshSessionViews();
	// Sessions the user chose to keep are not asked about again; one that is gone drops off the list.
	const kept = plugin.settings.retentionKept.filter((id) => result.undoable.includes(id));
	const ask = result.undoable.filter((id) => !kept.includes(id));
	if (kept.length !== plugin.settings.retentionKept.length) {
		plugin.settings.retentionKept = kept;
		await plugin.saveSettings();
	}
	if (ask.length > 0) {
		new RetentionModal(plugin.app, {
			days,
			sessions: ask.map(sessionTimeLabel),
			onKeep: () => {
				plugin.settings.retentionKept = [...kept, ...ask];
				void plugin.saveSettings();
			},
			onDelete: () =>
				void plugin.etl
					.clean({ days, includeUndo: true })
					.then((done) => {
						new Notice(t("notice.retentionRemoved", { count: done.candidates.length }));
						plugin.refreshSessionViews();
					})
					.catch((e: unknown) => new Notice(t("notice.retentionFailed", { error: e instanceof Error ? e.message : String(e) }))),
		}).open();
	}
	return { removed: result.candidates.map((c) => c.id), asked: ask };
}

export async function cleanOldSessions(plugin: PluginServices): Promise<CleanResult> {
	const result = await plugin.etl.clean({ days: plugin.settings.retentionDays });
	return { removed: result.candidates.map((c) => c.id), kept: result.kept };
}
