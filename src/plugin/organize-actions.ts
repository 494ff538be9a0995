import { NO_ORGANIZE_TARGETS, type OrganizeTargets } from "./organize-targets";
import type { UndoResult, ApplyOrganizeResult, OrganizeSessionResult, Plan, PanelModel } from "../core/app/types";
import { organizeOutputPaths, readOrganizeState, countPlan, PlanSchema } from "../core/app/views";
import type { PluginServices } from "./services";
import { applyNotice, planNotice, undoNotice } from "./notices";
import { llmClient, rememberSessions } from "./session-actions";

export { applyNotice, continueNotice, planNotice, undoNotice } from "./notices";

/**
 * What "Start organize session", "Apply organize plan", "Undo organize session" and the panel's Apply / Undo
 * buttons do: one call of the application service each, through the plugin's RunController (one at a time:
 * status bar, cancel, end Notice). Notes move with FileManager.renameFile, which updates links the way the user
 * set Obsidian up to (the vault port says so, and the service leaves links to it).
 */

/** Starts an organize session on `folder` ("" for the whole vault): a plan only, shown in the panel. */
export function startOrganize(
	plugin: PluginServices,
	folder: string,
): Promise<(OrganizeSessionResult & { session_id: string }) | null> | null {
	const genres = plugin.settings.genres;
	const client = llmClient(plugin);
	const run = plugin.runs.start(
		"organize",
		null,
		async (hooks) => {
			const s = plugin.settings;
			const result = await plugin.etl.organize(
				{
					folder,
					genres,
					apply: false,
					setup: {
						configDir: plugin.app.vault.configDir,
						exclude: s.organizeExclude,
						userNoteRules: s.organizeNormalize,
						genreParent: s.organizeGenreParent === "" ? null : s.organizeGenreParent === "/" ? "." : s.organizeGenreParent,
						outFolder: s.outputFolder,
					},
					...(client ? { llmClient: client } : {}),
					debugMode: s.debugMode,
				},
				hooks,
			);
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
export function applyOrganize(
	plugin: PluginServices,
	sessionId: string,
): Promise<(ApplyOrganizeResult & { session_id: string }) | null> | null {
	return plugin.runs.start(
		"organize",
		sessionId,
		async (hooks) => ({ ...(await plugin.etl.apply(sessionId, hooks)), session_id: sessionId }),
		(result) => applyNotice(result),
	);
}

/** Reverses a session's applied organize run. */
export function undoOrganize(plugin: PluginServices, sessionId: string): Promise<(UndoResult & { session_id: string }) | null> | null {
	return plugin.runs.start(
		"organize",
		sessionId,
		async (hooks) => ({ ...(await plugin.etl.undo(sessionId, hooks)), session_id: sessionId }),
		(result) => undoNotice(result),
	);
}

/** The plan saved in a session (for the confirmation). */
export async function readPlan(plugin: PluginServices, sessionId: string): Promise<Plan> {
	return PlanSchema().parse(JSON.parse(await plugin.stagingStore.read(organizeOutputPaths(sessionId).plan)));
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
export async function scanOrganizeTargets(plugin: PluginServices): Promise<OrganizeTargets> {
	const { sessions } = await plugin.etl.sessions();
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
