import { NO_ORGANIZE_TARGETS, type OrganizeTargets } from "./organize-targets";
import { createLogger } from "../core/logging/logger";
import type { AppliedRecord, UndoResult } from "../core/organize/apply-plan";
import {
	applyOrganizeSession,
	organizeOutputPaths,
	readOrganizeState,
	runOrganizeSession,
	type ApplyOrganizeResult,
	undoOrganizeSession,
	type OrganizeSessionResult,
} from "../core/organize/organize-session";
import { countPlan, PlanSchema, type Plan, type PlanCounts } from "../core/organize/plan";
import type { PanelModel } from "../core/status/panel-model";
import { SessionManager } from "../core/session/session-manager";
import type KnowledgeEtlPlugin from "./main";
import { llmClassifier } from "../core/organize/classify-genre-llm";
import type { GenreClassifier } from "../core/organize/classify-genre";
import { llmClient, rememberSessions } from "./session-actions";
import type { RunJob, RunProgress } from "./run-controller";
import { continueOrganizeSession, type ContinueMode, type ContinueOrganizeResult } from "../core/organize/continue-organize-session";
import { readOrganizeRunOptions } from "../core/organize/organize-run-options";
import { organizeSetup } from "../core/organize/organize-setup";

/**
 * What "Start organize session", "Apply organize plan", "Undo organize session" and the panel's Apply / Undo
 * buttons do. Every run goes through the plugin's RunController (one at a time: status bar, heartbeat, cancel,
 * end Notice) and the plugin's ports. Notes move with FileManager.renameFile, which updates links the way the
 * user set Obsidian up to, so the core never rewrites links here (`rewriteLinks: false`).
 */

function deps(plugin: KnowledgeEtlPlugin) {
	const logger = createLogger({ debugMode: plugin.settings.debugMode, store: plugin.stagingStore });
	return { store: plugin.stagingStore, vault: plugin.noteVault, clock: plugin.clock, logger };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Organize plan ready: 12 moves, 3 edits, 2 to review, 1 dust, 1 failed. Review it in the session panel, then apply it." */
export function planNotice(counts: PlanCounts): string {
	const failed = counts.failed > 0 ? `, ${counts.failed} failed` : "";
	if (counts.moves + counts.edits === 0) return `Organize plan ready: nothing to change in ${plural(counts.total, "note", "notes")}${failed}.`;
	return (
		`Organize plan ready: ${plural(counts.moves, "move", "moves")}, ${plural(counts.edits, "edit", "edits")}, ` +
		`${counts.review} to review, ${counts.dust} dust${failed}. Review it in the session panel, then apply it.`
	);
}

function movedCount(record: AppliedRecord): number {
	return record.operations.filter((o) => o.type === "move").length;
}

export function applyNotice(result: ApplyOrganizeResult): string {
	const moved = movedCount(result.record);
	const edited = new Set(result.record.operations.flatMap((o) => (o.type === "modify" ? [o.path] : []))).size;
	const failed = result.record.failures.length;
	const done = `${plural(moved, "note", "notes")} moved, ${edited} edited${failed > 0 ? `, ${failed} not applied (see the session panel)` : ""}`;
	if (result.cancelled) return `Organize apply stopped: ${done}. Run "Undo organize session" to reverse it.`;
	return `Organize applied: ${done}. Run "Undo organize session" to reverse it.`;
}

export function undoNotice(result: UndoResult): string {
	const head = `Organize undone: ${plural(result.restored, "change", "changes")} reversed`;
	if (result.conflicts.length === 0) return `${head}.`;
	const shown = result.conflicts.slice(0, 3).map((c) => `${c.path}: ${c.message}`);
	const more = result.conflicts.length > 3 ? ` (and ${result.conflicts.length - 3} more)` : "";
	return `${head}; ${plural(result.conflicts.length, "conflict", "conflicts")} left as they are: ${shown.join("; ")}${more}.`;
}

/** Starts an organize session on `folder` ("" for the whole vault): a plan only, shown in the panel. */
export function startOrganize(plugin: KnowledgeEtlPlugin, folder: string): Promise<(OrganizeSessionResult & { session_id: string }) | null> | null {
	const genres = plugin.settings.genres;
	const run = plugin.runs.start(
		"organize",
		null,
		async (signal, onProgress) => {
			const classifier = await genreClassifier(plugin, signal);
			const s = plugin.settings;
			const setup = await organizeSetup({
				store: plugin.stagingStore,
				configDir: plugin.app.vault.configDir,
				exclude: s.organizeExclude,
				userNoteRules: s.organizeNormalize,
				genreParent: s.organizeGenreParent === "" ? null : s.organizeGenreParent === "/" ? "." : s.organizeGenreParent,
				outFolder: s.outputFolder,
			});
			const result = await runOrganizeSession(deps(plugin), {
				...setup,
				...(classifier ? { classifier } : {}),
				folder,
				genres,
				apply: false,
				rewriteLinks: false,
				debugMode: plugin.settings.debugMode,
				signal,
				onProgress,
			});
			return { ...result, session_id: result.sessionId };
		},
		(result) => planNotice(countPlan(result.plan)),
	);
	if (!run) return null;
	return run.then(async (result) => {
		if (result) await plugin.showSession(result.session_id);
		return result;
	});
}

/** Applies a session's saved plan (call after the user confirmed). */
export function applyOrganize(plugin: KnowledgeEtlPlugin, sessionId: string): Promise<(ApplyOrganizeResult & { session_id: string }) | null> | null {
	return plugin.runs.start(
		"organize",
		sessionId,
		async (signal, onProgress) => {
			const started = Date.now();
			const result = await applyOrganizeSession(deps(plugin), sessionId, {
				rewriteLinks: false,
				signal,
				onProgress: applyProgress(onProgress, started),
			});
			return { ...result, session_id: sessionId };
		},
		(result) => applyNotice(result),
	);
}

/** Reverses a session's applied organize run. */
export function undoOrganize(plugin: KnowledgeEtlPlugin, sessionId: string): Promise<(UndoResult & { session_id: string }) | null> | null {
	return plugin.runs.start(
		"organize",
		sessionId,
		async () => ({ ...(await undoOrganizeSession(deps(plugin), sessionId)), session_id: sessionId }),
		(result) => undoNotice(result),
	);
}

/** The end Notice of an organize resume or retry. */
export function continueNotice(result: ContinueOrganizeResult): string {
	const label = result.mode === "resume" ? "Organize resume" : "Organize retry";
	if (result.message) return `${label}: ${result.message}.`;
	if (result.cancelled) return `${label} stopped: resume the session to go on.`;
	if (result.record) {
		const moved = movedCount(result.record);
		const failed = result.record.failures.length;
		const planFailed = result.plan?.items.filter((item) => item.status === "failed").length ?? 0;
		const stillFailed = failed + planFailed > 0 ? `, ${failed + planFailed} still failed (see the session panel)` : "";
		return `${label} done: ${plural(moved, "note", "notes")} moved in all${stillFailed}. Run "Undo organize session" to reverse it.`;
	}
	return result.plan ? planNotice(countPlan(result.plan)) : `${label} done.`;
}

/**
 * The job that resumes (goes on with planning or applying) or retries (plans again the notes that failed, applies
 * again the ones that failed to apply) an organize session; run by session-actions' continueSession. Notes move
 * with FileManager.renameFile, as in a first apply.
 */
export function continueOrganizeJob(plugin: KnowledgeEtlPlugin, mode: ContinueMode, sessionId: string): RunJob<ContinueOrganizeResult & { session_id: string }> {
	return async (signal, onProgress) => {
		// A session classified by the model is continued by the model (the core says so when none is set up).
		const recorded = await readOrganizeRunOptions(plugin.stagingStore, sessionId);
		const classifier = recorded?.classifier === "custom" ? await genreClassifier(plugin, signal) : undefined;
		const started = Date.now();
		const result = await continueOrganizeSession(deps(plugin), sessionId, mode, {
			rewriteLinks: false,
			genres: plugin.settings.genres,
			...(classifier ? { classifier } : {}),
			signal,
			onProgress,
			onApplyProgress: applyProgress(onProgress, started),
		});
		return { ...result, session_id: sessionId };
	};
}

/** The plan saved in a session (for the confirmation). */
export async function readPlan(plugin: KnowledgeEtlPlugin, sessionId: string): Promise<Plan> {
	return PlanSchema.parse(JSON.parse(await plugin.stagingStore.read(organizeOutputPaths(sessionId).plan)));
}

export { NO_ORGANIZE_TARGETS, type OrganizeTargets };

/** From the panel: its selected session, when that has an organize phase; null otherwise. */
export function targetsFromModel(model: PanelModel): OrganizeTargets | null {
	const selected = model.selected;
	if (!selected?.organize) return null;
	return { apply: selected.organize.canApply ? selected.id : null, undo: selected.organize.canUndo ? selected.id : null };
}

/**
 * From the session files: the newest session with an organize phase (used when no panel shows one). A session
 * running here or elsewhere is never a target.
 */
export async function scanOrganizeTargets(plugin: KnowledgeEtlPlugin): Promise<OrganizeTargets> {
	const { sessions } = await new SessionManager(plugin.stagingStore, plugin.clock).list();
	rememberSessions(plugin, sessions);
	const newest = sessions.find((s) => s.phases.organize !== undefined);
	if (!newest || newest.status === "running" || plugin.runs.liveIds().has(newest.session_id)) return NO_ORGANIZE_TARGETS;
	const id = newest.session_id;
	const state = await readOrganizeState(plugin.stagingStore, id);
	if (state === "planned") {
		const counts = countPlan(await readPlan(plugin, id));
		return { apply: counts.moves + counts.edits > 0 ? id : null, undo: null };
	}
	return { apply: null, undo: state === "applied" || state === "partially-applied" ? id : null };
}

/**
 * With an LLM configured, notes are classified by the model (checked first, so a stopped server ends the run
 * before any note with its advice); otherwise by the genre table's keywords.
 */
async function genreClassifier(plugin: KnowledgeEtlPlugin, signal: AbortSignal): Promise<GenreClassifier | undefined> {
	const client = llmClient(plugin);
	if (!client) return undefined;
	await client.preflight();
	return llmClassifier(async (prompt) => (await client.chat([{ role: "user", content: prompt }], { signal })).content);
}

/** Apply progress (steps done of total) as the load-stage progress the run controller shows. */
function applyProgress(onProgress: (p: RunProgress) => void, started: number): (p: { done: number; total: number }) => void {
	return (p) =>
		onProgress({
			stage: "load",
			done: p.done,
			resumed: 0,
			total: p.total,
			counts: { total: p.done, success: p.done, failed: 0, skipped: 0 },
			elapsedMs: Date.now() - started,
		});
}
