import * as z from "../model/zod";
import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import type { Phase } from "../model/phase";
import { PHASE_TYPES, type PhaseType } from "../model/status";
import { JsonlFollower } from "../logs/jsonl-follower";
import { PipelineStageRecordSchema } from "../logs/pipeline-stages";
import { pipelineStagesFile, stageOutputDir } from "../session/paths";
import { manifestEntries, sessionBytes } from "../import/pipeline/compact-session";
import { LOAD_MANIFEST_FILE } from "../import/pipeline/load-stage";
import { yieldWhenSliceOverOnUi } from "../util/timers";
import { foldedItemsFile } from "../logs/pipeline-stages";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager } from "../session/session-manager";
import { AppliedRecordSchema } from "../organize/apply-plan";
import { journalPaths, parseApplyJournal } from "../organize/apply-journal";
import { organizeOutputPaths, type OrganizeState } from "../organize/organize-session";
import { PlanSchema, type Plan } from "../organize/plan";
import {
	organizeStateOf,
	summarizeApplied,
	summarizeUndo,
	type AppliedSummary,
	type OrganizeFiles,
	type UndoSummary,
} from "./organize-view";
import { manifestPath } from "../import/pipeline/input-manifest";
import { buildPanelModel, type PanelInput, type PanelModel, type PipelineRecordLike, type SessionInputView } from "./panel-model";
import { findInterruptedSessions, type LivenessOptions } from "./session-liveness";
import { PhaseLog } from "./phase-log";

/**
 * Reads everything the panel shows from the session files (so sessions run by the CLI show too): the session
 * list through SessionManager, and for the selected session its phase.json files and stage records.
 * Never throws for one bad file: a broken session is listed as broken, a bad phase.json shows its error.
 */
export async function loadPanelInput(
	store: StagingStore,
	clock: Clock,
	selectedId: string | null,
	liveness: PanelLoadOptions = {},
): Promise<PanelInput> {
	const cache = liveness.cache ?? new PanelFileCache();
	const sessions = new SessionManager(store, clock);
	const phaseManager = new PhaseManager(store, clock, sessions);
	const list = await sessions.list();
	const interrupted = await findInterruptedSessions(store, clock, list.sessions, liveness);
	const chosen =
		(selectedId && list.sessions.find((s) => s.session_id === selectedId)) ||
		list.sessions.find((s) => s.status === "running" && !interrupted.has(s.session_id)) ||
		list.sessions[0];
	const organizeStates: Record<string, OrganizeState> = {};
	const organizeFiles = new Map<string, OrganizeFiles>();
	for (const s of list.sessions) {
		if (!s.phases.organize) continue;
		// The list needs only the state; the plan itself is read for the selected session alone.
		const files = await readOrganizeFiles(store, cache, s.session_id, s.session_id === chosen?.session_id);
		organizeStates[s.session_id] = organizeStateOf(files);
		organizeFiles.set(s.session_id, files);
	}
	// What each import read, for its row: a stat per session a refresh (the parsed manifest is kept in the cache).
	const inputs: Record<string, readonly SessionInputView[]> = {};
	for (const s of list.sessions) {
		if (!s.phases.import) continue;
		const recorded = await cache.read(store, manifestPath(s.session_id), parseInputs).catch(() => null);
		if (recorded && recorded.length > 0) inputs[s.session_id] = recorded;
	}
	const phases: Partial<Record<PhaseType, Phase | { error: string }>> = {};
	const logs: Partial<Record<PhaseType, PhaseLog>> = {};
	if (chosen) {
		const id = chosen.session_id;
		for (const p of PHASE_TYPES) {
			if (!(await phaseManager.exists(id, p))) continue;
			try {
				phases[p] = await phaseManager.load(id, p);
			} catch (e) {
				phases[p] = { error: e instanceof Error ? e.message : String(e) };
			}
			try {
				// Followed from where the last refresh stopped: only appended records are read and parsed (a partial
				// last line waits until whole; a truncated or replaced log is read afresh).
				logs[p] = await cache.log(store, pipelineStagesFile(id, p));
			} catch {
				logs[p] = new PhaseLog();
			}
		}
	}
	// A finished import folded its records into a count: the notes it wrote are named by its load manifest.
	let writtenNotes: { path: string; outcome: string }[] | undefined;
	if (chosen && (await store.exists(foldedItemsFile(chosen.session_id, "import")))) {
		const manifest = `${stageOutputDir(chosen.session_id, "import", "load")}/${LOAD_MANIFEST_FILE}`;
		writtenNotes =
			(await cache
				.read(store, manifest, (text) =>
					manifestEntries(text).map((m) => ({ path: m.p, outcome: m.d === "updated" ? "updated" : "created" })),
				)
				.catch(() => null)) ?? undefined;
	}
	// The size of a session at rest (a running one grows by the second, and walking it would cost every refresh).
	const size = chosen && chosen.status !== "running" ? await sessionBytes(store, chosen.session_id).catch(() => undefined) : undefined;
	return {
		...(size !== undefined ? { sessionBytes: size } : {}),
		...(writtenNotes ? { writtenNotes } : {}),
		sessions: list.sessions,
		broken: list.broken,
		selectedId: chosen?.session_id ?? null,
		interrupted: [...interrupted],
		phases,
		logs,
		now: clock.now(),
		organizeStates,
		inputs,
		...(chosen && organizeFiles.has(chosen.session_id) ? { organize: organizeFiles.get(chosen.session_id)! } : {}),
	};
}

/**
 * Parsed organize files and stage logs, kept while their size and mtime stay the same: the panel re-reads every
 * couple of seconds, and plan.json / applied.json / pipeline_stages.jsonl can be large (applied.json holds every
 * edited note's text for undo; only its summary is kept here). Owned by whoever re-reads (one per session view),
 * so two vaults never share entries; a load without one reads everything afresh.
 */
export class PanelFileCache {
	private readonly entries = new Map<string, { store: StagingStore; size: number; mtime: number; value: unknown }>();
	private readonly logs = new Map<string, { store: StagingStore; follower: JsonlFollower<PipelineRecordLike>; log: PhaseLog }>();

	constructor(private readonly limit = 64) {}

	/**
	 * A stage log summed up so far, brought up to date with what was appended since the last call (see
	 * JsonlFollower): the panel's work per refresh follows what the run did since, not the size of the session.
	 */
	async log(store: StagingStore, path: string): Promise<PhaseLog> {
		let entry = this.logs.get(path);
		if (!entry || entry.store !== store) {
			entry = { store, follower: new JsonlFollower<PipelineRecordLike>(store, path, PipelineStageRecordSchema()), log: new PhaseLog() };
			this.logs.set(path, entry);
			if (this.logs.size > 8) this.logs.delete(this.logs.keys().next().value!);
		}
		const { records, reset } = await entry.follower.read();
		if (reset) entry.log = new PhaseLog();
		// In pieces on a UI thread: a log read again whole (the run's end rewrites it) is tens of thousands of records,
		// one task of ~50 ms at 10,000 items in the browser profile (issue 17) when summed in one go.
		const log = entry.log;
		for (let i = 0; i < records.length; i += 2048) {
			if (i > 0) await yieldWhenSliceOverOnUi(10);
			log.add(records.length <= 2048 ? records : records.slice(i, i + 2048));
		}
		return log;
	}

	async read<T>(store: StagingStore, path: string, parse: (text: string) => T): Promise<T | null> {
		const stat = await store.stat(path);
		if (!stat) {
			this.entries.delete(path);
			return null;
		}
		const hit = this.entries.get(path);
		if (hit && hit.store === store && hit.size === stat.size && hit.mtime === stat.mtime) return hit.value as T;
		const value = parse(await store.read(path));
		this.entries.delete(path);
		this.entries.set(path, { store, size: stat.size, mtime: stat.mtime, value });
		if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
		return value;
	}
}

export interface PanelLoadOptions extends LivenessOptions {
	/** Keeps parsed files between loads (the session view passes its own). */
	cache?: PanelFileCache;
}

async function readOrganizeFiles(store: StagingStore, cache: PanelFileCache, sessionId: string, withPlan: boolean): Promise<OrganizeFiles> {
	const out = organizeOutputPaths(sessionId);
	const files: OrganizeFiles = { plan: null, applied: null, undo: null, error: null };
	const errors: string[] = [];
	const read = async <T>(path: string, parse: (text: string) => T): Promise<T | null> => {
		try {
			return await cache.read(store, path, parse);
		} catch (e) {
			errors.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
			return null;
		}
	};
	files.undo = await read<UndoSummary>(out.undo, (text) => summarizeUndo(UndoFileSchema().parse(JSON.parse(text))));
	// The journal when there is one (the whole story, even of a run killed part way), else an older applied.json.
	const journal = journalPaths(sessionId).journal;
	files.applied = (await store.exists(journal))
		? await read<AppliedSummary | null>(journal, (text) => {
				const state = parseApplyJournal(text, journal);
				return state ? summarizeApplied(state.record) : null;
			})
		: await read<AppliedSummary>(out.applied, (text) => summarizeApplied(AppliedRecordSchema().parse(JSON.parse(text))));
	if (withPlan) files.plan = await read<Plan>(out.plan, (text) => PlanSchema().parse(JSON.parse(text)));
	else if (await store.exists(out.plan)) files.plan = PLACEHOLDER_PLAN;
	if (errors.length > 0) files.error = errors.join("; ");
	return files;
}

/** Stands for "plan.json exists" in the list, where only the state is needed. */
const PLACEHOLDER_PLAN: Plan = { version: 1, createdAt: "", folder: "", force: false, conflictPolicy: "rename", items: [] };

const UndoFileSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		undoneAt: z.optional(z.string()),
		restored: z.number(),
		conflicts: z.array(z.object({ path: z.string(), message: z.string() })),
	}),
);

/** loadPanelInput + buildPanelModel. `liveness.liveIds`: the sessions this process is running right now. */
export async function loadPanelModel(
	store: StagingStore,
	clock: Clock,
	selectedId: string | null,
	liveness: PanelLoadOptions = {},
): Promise<PanelModel> {
	return buildPanelModel(await loadPanelInput(store, clock, selectedId, liveness));
}

/** The name and size of each input an import's manifest fingerprinted (nothing for an older or unreadable one). */
function parseInputs(text: string): SessionInputView[] {
	const value = JSON.parse(text) as { fingerprints?: unknown };
	if (!Array.isArray(value.fingerprints)) return [];
	return value.fingerprints.flatMap((f: unknown) => {
		const { name, size } = (f ?? {}) as { name?: unknown; size?: unknown };
		return typeof name === "string" && typeof size === "number" ? [{ name, size }] : [];
	});
}
