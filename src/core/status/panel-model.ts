import { providerLabel } from "../import/extract/normalize/registry";
import { isProvider } from "../model/providers";
import { addCounts, emptyCounts, type Counts } from "../model/counts";
import type { Phase, Stage } from "../model/phase";
import type { Session } from "../model/session";
import {
	PHASE_TYPES,
	STAGE_TYPES,
	type PhaseStatus,
	type PhaseType,
	type SessionStatus,
	type StageStatus,
	type StageType,
	type StepStatus,
} from "../model/status";
import type { OrganizeState } from "../organize/organize-session";
import { buildOrganizeView, type OrganizeFiles, type OrganizeView } from "./organize-view";
import { PhaseLog, type LoggedNote } from "./phase-log";

/**
 * The side panel's view model: plain data, built from the session files by `buildPanelModel` and drawn by
 * the plugin's `renderSessionPanel`. Everything here is JSON-able, so two models can be compared to skip a
 * redraw when nothing changed.
 */

/** One record of `pipeline_stages.jsonl` as far as the panel needs it. */
export interface PipelineRecordLike {
	timestamp: string;
	item_id: string;
	/** The conversation or note title, when the record has one. */
	title?: string | null;
	stage: StageType;
	step?: string | null;
	status: "success" | "skipped" | "failed" | "review";
	timing_ms?: number | null;
	error?: string | null;
	/** The note the item wrote or was writing, when the record names it. */
	note_path?: string | null;
	/** Why it was skipped, or what load did (`created: <path>`, …). */
	reason?: string | null;
}

/**
 * What the panel shows for a session: its status from session.json, except that a `running` session whose run
 * is gone (see session-liveness.ts) shows as `interrupted`.
 */
export type DisplayStatus = SessionStatus | "interrupted";

export interface BrokenSessionLike {
	id: string;
	path: string;
	error: string;
}

/** A session's providers (`claude,chatgpt`) as shown: `Claude, ChatGPT`. */
function providerNames(ids: string | undefined): string | null {
	if (!ids) return null;
	return ids
		.split(",")
		.map((id) => (isProvider(id) ? providerLabel(id) : id))
		.join(", ");
}

export interface SessionRow {
	id: string;
	/** Local time from the id: `2025-01-31 14:05:09`. */
	time: string;
	status: DisplayStatus;
	provider: string | null;
	phases: PhaseType[];
	counts: Counts;
	selected: boolean;
	/** For a session with an organize phase: where its plan stands (planned, applied, undone...); else null. */
	organize: OrganizeState | null;
	/** The export files an import read (name and size, from its input manifest); empty when not recorded. */
	inputs: readonly SessionInputView[];
}

/** One export file of an import session, as its input manifest recorded it. */
export interface SessionInputView {
	name: string;
	/** Bytes. */
	size: number;
}

export interface StageCountsView {
	/** Items the stage will see: an estimate while the export is still being read (see `estimated`). */
	total: number;
	/** True while `total` is estimated from how far extract has read the export (shown as "~"). */
	estimated: boolean;
	done: number;
	skipped: number;
	failed: number;
	review: number;
}

export interface StepView {
	name: string;
	status: StepStatus;
	durationMs: number;
	itemsProcessed: number;
	itemsFailed: number;
	error: string | null;
}

export interface StageView {
	type: StageType;
	/** `interrupted`: phase.json says running, but the session's run is gone. */
	status: StageStatus | "interrupted";
	counts: StageCountsView;
	/** 0..1, or null when the total is not known yet. */
	progress: number | null;
	durationMs: number | null;
	/** Items per second while running (or over the whole run once finished); null when unknown. */
	ratePerSecond: number | null;
	/** Estimated time left while running; null when unknown or not running. */
	etaMs: number | null;
	steps: StepView[];
}

export interface FailureView {
	itemId: string;
	title: string | null;
	stage: StageType;
	step: string | null;
	error: string;
	timestamp: string;
	notePath: string | null;
}

/** A note the phase wrote (created or updated), for a link in the panel. */
export interface NoteLinkView {
	path: string;
	title: string | null;
	/** created | updated | unchanged | preserved (the load record's first word). */
	outcome: string;
}

/** Notes listed per phase in the panel; the rest are counted. */
const MAX_NOTES = 30;

export interface PhaseView {
	type: PhaseType;
	status: PhaseStatus | "interrupted";
	startedAt: string | null;
	completedAt: string | null;
	durationMs: number | null;
	counts: Counts;
	stages: StageView[];
	failures: FailureView[];
	/** Failures beyond the ones listed (the list is capped). */
	moreFailures: number;
	/** Notes created or updated by the phase's load stage, latest first (capped). */
	notes: NoteLinkView[];
	/** Notes beyond the ones listed. */
	moreNotes: number;
	/** Set when phase.json could not be read (the session is shown anyway). */
	error: string | null;
}

export interface SelectedSessionView {
	id: string;
	time: string;
	status: DisplayStatus;
	provider: string | null;
	debugMode: boolean;
	createdAt: string;
	updatedAt: string;
	resumedAt: string | null;
	phases: PhaseView[];
	/** Actions that make sense for this session's state. */
	canResume: boolean;
	canRetry: boolean;
	canCancel: boolean;
	/** The organize plan (moves, counts, apply / undo), when the session has an organize phase. */
	organize: OrganizeView | null;
	/** Bytes the session's folder takes under `.staging` (not measured while it runs: null). */
	sizeBytes: number | null;
	/** The export files its import read (see SessionRow.inputs). */
	inputs: readonly SessionInputView[];
}

export interface PanelModel {
	sessions: SessionRow[];
	broken: BrokenSessionLike[];
	selected: SelectedSessionView | null;
}

/** What the builder reads: the session list, and for the selected session its phases and stage records. */
export interface PanelInput {
	sessions: readonly Session[];
	broken: readonly BrokenSessionLike[];
	/** The session to detail; defaults to a running one, else the newest. */
	selectedId?: string | null;
	/** Phases of the selected session (a value or a read error per phase type that exists). */
	phases?: Partial<Record<PhaseType, Phase | { error: string }>>;
	/** `pipeline_stages.jsonl` records of the selected session, per phase. */
	records?: Partial<Record<PhaseType, readonly PipelineRecordLike[]>>;
	/** The same, already summed up (kept between refreshes and fed only new records: see PhaseLog); wins over `records`. */
	logs?: Partial<Record<PhaseType, PhaseLog>>;
	now: Date;
	/** Ids of `running` sessions whose run is gone (shown as interrupted; see session-liveness.ts). */
	interrupted?: readonly string[];
	/** At most this many failures per phase are listed (default 50). */
	maxFailures?: number;
	/** The selected session's organize files (plan.json, applied.json, undo.json), when it has an organize phase. */
	organize?: OrganizeFiles;
	/** Per session id with an organize phase: where its plan stands. */
	organizeStates?: Readonly<Record<string, OrganizeState>>;
	/** Bytes the selected session takes on disk, when measured. */
	sessionBytes?: number;
	/** Per session id: the export files its import read (from `extract/input/manifest.json`). */
	inputs?: Readonly<Record<string, readonly SessionInputView[]>>;
	/**
	 * Notes a finished import wrote whose records were folded into a count (see compactImportSession), from its load
	 * manifest: listed with the notes of the records that remain.
	 */
	writtenNotes?: readonly { path: string; outcome: string }[];
}

/** `20250131_140509` → `2025-01-31 14:05:09`; anything else unchanged. */
export function sessionTimeLabel(id: string): string {
	const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(id);
	return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : id;
}

function ms(iso: string | null | undefined): number | null {
	if (!iso) return null;
	const t = Date.parse(iso);
	return Number.isNaN(t) ? null : t;
}

function span(start: string | null, end: string | null, now: Date): number | null {
	const s = ms(start);
	if (s === null) return null;
	const e = ms(end) ?? now.getTime();
	return Math.max(0, e - s);
}

function sessionCounts(session: Session): Counts {
	const all = PHASE_TYPES.map((p) => session.phases[p]?.counts).filter((c): c is Counts => c !== undefined);
	return all.length > 0 ? addCounts(...all) : emptyCounts();
}

function defaultSelection(sessions: readonly Session[], interrupted: ReadonlySet<string>): string | null {
	return (sessions.find((s) => s.status === "running" && !interrupted.has(s.session_id)) ?? sessions[0])?.session_id ?? null;
}

function displayStatus(session: Session, interrupted: ReadonlySet<string>): DisplayStatus {
	return session.status === "running" && interrupted.has(session.session_id) ? "interrupted" : session.status;
}

/** When an interrupted phase last did something: its latest record or stage time (never "now"). */
function lastSignOfLife(phase: Phase, log: PhaseLog): string | null {
	const times: string[] = [];
	if (log.lastRecordAt !== null) times.push(log.lastRecordAt);
	for (const t of STAGE_TYPES) {
		const st = phase.stages[t];
		if (st.started_at) times.push(st.started_at);
		if (st.completed_at) times.push(st.completed_at);
	}
	let best: number | null = null;
	for (const t of times) {
		const v = ms(t);
		if (v !== null && (best === null || v > best)) best = v;
	}
	return best === null ? phase.started_at : new Date(best).toISOString();
}

/** Below this much of the export read, an estimate of the total would be mostly noise. */
const MIN_READ_FRACTION = 0.01;

/**
 * How many items an input holds, from `seen` items in the first `readFraction` (0..1) of its bytes; `seen` itself
 * while too little is read to tell (see MIN_READ_FRACTION).
 */
export function estimateItems(seen: number, readFraction: number): number {
	return readFraction >= MIN_READ_FRACTION ? Math.max(seen, Math.round(seen / readFraction)) : seen;
}

function buildStage(
	stage: Stage,
	phase: Phase,
	log: PhaseLog,
	previous: StageView | null,
	now: Date,
	interrupted: boolean,
	countedInPhase = false,
): StageView {
	// Per item its latest record (a retried item counts once, with its last outcome).
	let fromRecords = log.stageCounts(stage.stage_type);
	let seen = fromRecords.done + fromRecords.skipped + fromRecords.failed + fromRecords.review;
	// Organize records only the notes that fail (issue 20): while it plans, the others are counted in phase.json.
	const saved = countedInPhase ? stage.counts : undefined;
	if (saved && saved.success + saved.skipped + saved.failed + (saved.review ?? 0) > seen) {
		fromRecords = { done: saved.success, skipped: saved.skipped, failed: saved.failed, review: saved.review ?? 0 };
		seen = saved.success + saved.skipped + saved.failed + (saved.review ?? 0);
	}
	// Extract streams the export: while it reads, how far it is (bytes) is the progress, and the items it has
	// seen scaled by that fraction estimate how many there are. The stages after it run at the same time.
	const input = stage.status === "running" && stage.input && stage.input.bytes_total > 0 ? stage.input : null;
	const readFraction = input ? Math.min(1, input.bytes_read / input.bytes_total) : null;
	let counts: StageCountsView;
	if (stage.counts && stage.status !== "running") {
		const c = stage.counts;
		counts = { total: c.total, estimated: false, done: c.success, skipped: c.skipped, failed: c.failed, review: c.review ?? 0 };
	} else if (!previous && readFraction !== null && readFraction >= MIN_READ_FRACTION && seen > 0) {
		counts = { total: estimateItems(seen, readFraction), estimated: true, ...fromRecords };
	} else if (previous && previous.status !== "completed" && previous.counts.estimated) {
		// What the stage before will pass on, at the rate it passes items on so far.
		const before = previous.counts.done + previous.counts.skipped + previous.counts.failed + previous.counts.review;
		const passedOn = before > 0 ? (previous.counts.done + previous.counts.review) / before : 1;
		counts = { total: Math.max(seen, Math.round(previous.counts.total * passedOn)), estimated: true, ...fromRecords };
	} else {
		// The total a stage can reach: what its predecessor passed on, or (extract) what the phase knows.
		// (A running organize stage's counts are those of the notes done so far, not its total.)
		let total = saved && stage.status === "running" ? 0 : (stage.counts?.total ?? 0);
		if (total === 0 && previous) total = previous.counts.done + previous.counts.review;
		if (total === 0 && !previous) total = Math.max(phase.counts.total, stage.items_count);
		counts = { total: Math.max(total, seen), estimated: false, ...fromRecords };
	}
	const processed = counts.done + counts.skipped + counts.failed + counts.review;
	const stopped = interrupted && stage.status === "running";
	// An interrupted stage stopped at its last record, not now: no ever-growing duration.
	const lastRecord = stopped ? log.lastTimestamp(stage.stage_type) : null;
	const durationMs = span(stage.started_at, stopped ? lastRecord : stage.completed_at, now);
	let progress: number | null = null;
	if (stage.status === "completed") progress = 1;
	else if (!previous && readFraction !== null) progress = readFraction;
	else if (counts.total > 0) progress = Math.min(1, processed / counts.total);
	else if (stage.status === "pending") progress = 0;
	const ratePerSecond = durationMs !== null && durationMs > 0 && processed > 0 ? processed / (durationMs / 1000) : null;
	let etaMs: number | null = null;
	if (stage.status === "running" && !stopped && durationMs !== null && durationMs > 0) {
		if (!previous && readFraction !== null && readFraction >= MIN_READ_FRACTION)
			etaMs = Math.round((durationMs * (1 - readFraction)) / readFraction);
		else if (ratePerSecond !== null && counts.total > processed) etaMs = Math.round(((counts.total - processed) / ratePerSecond) * 1000);
	}
	return {
		type: stage.stage_type,
		status: stopped ? "interrupted" : stage.status,
		counts,
		progress,
		durationMs,
		ratePerSecond,
		etaMs,
		steps: stage.steps.map((s) => ({
			name: s.step_name,
			status: s.status,
			durationMs: s.duration_ms,
			itemsProcessed: s.items_processed,
			itemsFailed: s.items_failed,
			error: s.error,
		})),
	};
}

/** How many times each path is in a load manifest's list, made once per list (the panel's cache keeps the list). */
const pathCounts = new WeakMap<readonly { path: string }[], Map<string, number>>();

function countsOfPaths(written: readonly { path: string }[]): Map<string, number> {
	let counts = pathCounts.get(written);
	if (!counts) {
		counts = new Map();
		for (const w of written) counts.set(w.path, (counts.get(w.path) ?? 0) + 1);
		pathCounts.set(written, counts);
	}
	return counts;
}

/**
 * The notes a phase shows: those its log names, then those whose records were folded away, named by the load
 * manifest (`written`, newest last there, so first here) and titled by file name, up to `max`; `total` counts every
 * manifest entry the log did not list. Its work per refresh is that of the list shown, not of the manifest: the
 * entries the log listed are counted out through a count of each path, made once per manifest (issue 17: a refresh
 * at 22,896 notes walked them all, 2.2x the work of one at 2,000).
 */
export function mergeWrittenNotes(
	fromLog: { list: readonly LoggedNote[]; total: number },
	written: readonly { path: string; outcome: string }[],
	max: number,
): { list: LoggedNote[]; total: number } {
	const list = [...fromLog.list];
	const listed = new Set(list.map((n) => n.path));
	let total = fromLog.total + written.length;
	if (written.length > 0) {
		const counts = countsOfPaths(written);
		for (const path of listed) total -= counts.get(path) ?? 0;
	}
	for (let i = written.length - 1; i >= 0 && list.length < max; i--) {
		const w = written[i]!;
		if (listed.has(w.path)) continue;
		list.push({ path: w.path, title: w.path.slice(w.path.lastIndexOf("/") + 1).replace(/\.md$/i, ""), outcome: w.outcome });
	}
	return { list, total };
}

function buildPhase(
	type: PhaseType,
	source: Phase | { error: string },
	log: PhaseLog,
	now: Date,
	maxFailures: number,
	interrupted: boolean,
	written: readonly { path: string; outcome: string }[] = [],
): PhaseView {
	if ("error" in source) {
		return {
			type,
			status: "failed",
			startedAt: null,
			completedAt: null,
			durationMs: null,
			counts: emptyCounts(),
			stages: [],
			failures: [],
			moreFailures: 0,
			notes: [],
			moreNotes: 0,
			error: source.error,
		};
	}
	const stages: StageView[] = [];
	let previous: StageView | null = null;
	for (const t of STAGE_TYPES) {
		const view = buildStage(source.stages[t], source, log, previous, now, interrupted, type === "organize");
		stages.push(view);
		previous = view;
	}
	const failed = log.failures(maxFailures);
	const failures: FailureView[] = failed.list.map(({ stage, record: r }) => ({
		itemId: r.item_id,
		title: r.title ?? null,
		stage,
		step: r.step ?? null,
		error: r.error ?? "Unknown error",
		timestamp: r.timestamp,
		notePath: r.note_path ?? null,
	}));
	const notes = mergeWrittenNotes(log.notes(MAX_NOTES), written, MAX_NOTES);
	return {
		type,
		notes: notes.list,
		moreNotes: Math.max(0, notes.total - notes.list.length),
		status: interrupted && source.status === "running" ? "interrupted" : source.status,
		startedAt: source.started_at,
		completedAt: source.completed_at,
		durationMs: span(
			source.started_at,
			interrupted && source.status === "running" ? lastSignOfLife(source, log) : source.completed_at,
			now,
		),
		counts: source.counts,
		stages,
		failures,
		moreFailures: Math.max(0, failed.total - failures.length),
		error: null,
	};
}

export function buildPanelModel(input: PanelInput): PanelModel {
	const interrupted = new Set(input.interrupted ?? []);
	const selectedId =
		input.selectedId && input.sessions.some((s) => s.session_id === input.selectedId)
			? input.selectedId
			: defaultSelection(input.sessions, interrupted);
	const sessions: SessionRow[] = input.sessions.map((s) => ({
		id: s.session_id,
		time: sessionTimeLabel(s.session_id),
		status: displayStatus(s, interrupted),
		provider: providerNames(s.provider),
		phases: PHASE_TYPES.filter((p) => s.phases[p] !== undefined),
		counts: sessionCounts(s),
		selected: s.session_id === selectedId,
		organize: s.phases.organize ? (input.organizeStates?.[s.session_id] ?? "none") : null,
		inputs: input.inputs?.[s.session_id] ?? [],
	}));
	const session = input.sessions.find((s) => s.session_id === selectedId);
	let selected: SelectedSessionView | null = null;
	if (session) {
		const phases: PhaseView[] = [];
		const stopped = interrupted.has(session.session_id) && session.status === "running";
		for (const p of PHASE_TYPES) {
			const source = input.phases?.[p];
			if (!source) continue;
			const log = input.logs?.[p] ?? PhaseLog.from(input.records?.[p] ?? []);
			phases.push(
				buildPhase(p, source, log, input.now, input.maxFailures ?? 50, stopped, p === "import" ? (input.writtenNotes ?? []) : []),
			);
		}
		const failed = phases.some((p) => p.counts.failed > 0 || p.failures.length > 0);
		const status = displayStatus(session, interrupted);
		const organizeOnly = session.phases.organize !== undefined && session.phases.import === undefined;
		const organizeState = input.organizeStates?.[session.session_id] ?? "none";
		selected = {
			id: session.session_id,
			time: sessionTimeLabel(session.session_id),
			status,
			provider: providerNames(session.provider),
			debugMode: session.debug_mode,
			createdAt: session.created_at,
			updatedAt: session.updated_at,
			resumedAt: session.resumed_at ?? null,
			phases,
			// A partial session went through every item: its failed items are retried, there is nothing to resume.
			canResume: organizeOnly
				? canResumeOrganize(status, organizeState)
				: status === "failed" || status === "pending" || status === "interrupted" || status === "stopped",
			canRetry: organizeOnly ? canRetryOrganize(status, organizeState, failed) : failed && status !== "running",
			canCancel: status === "running",
			organize: session.phases.organize && input.organize ? buildOrganizeView(input.organize, { running: status === "running" }) : null,
			sizeBytes: input.sessionBytes ?? null,
			inputs: input.inputs?.[session.session_id] ?? [],
		};
	}
	return { sessions, broken: [...input.broken], selected };
}

/**
 * An organize session is resumed when it stopped (a cancel) or broke off while planning (no plan yet) or while
 * applying (applied.json incomplete), or was interrupted right after its plan (a run asked to apply).
 */
function canResumeOrganize(status: DisplayStatus, state: OrganizeState): boolean {
	if (status !== "failed" && status !== "pending" && status !== "interrupted" && status !== "stopped") return false;
	return state === "none" || state === "partially-applied" || (state === "planned" && status === "interrupted");
}

/**
 * Failed notes of an organize session are retried once its plan was applied (a new session cannot add to that
 * run, and undo must reverse it all); a plan not applied yet is simply made again by a new organize session.
 */
function canRetryOrganize(status: DisplayStatus, state: OrganizeState, failed: boolean): boolean {
	return failed && status !== "running" && (state === "applied" || state === "partially-applied");
}

/** `812 B`, `14.2 KB`, `3.1 MB` (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
	if (bytes < 1000) return `${bytes} B`;
	if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
	return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `1234` → `1.2 s`, `65000` → `1 min 5 s`, `3_700_000` → `1 h 1 min`. */
export function formatDuration(msValue: number | null): string {
	if (msValue === null) return "–";
	if (msValue < 1000) return `${Math.round(msValue)} ms`;
	const s = msValue / 1000;
	if (s < 60) return `${s.toFixed(1)} s`;
	const totalSeconds = Math.round(s);
	const h = Math.floor(totalSeconds / 3600);
	const m = Math.floor((totalSeconds % 3600) / 60);
	const sec = totalSeconds % 60;
	return h > 0 ? `${h} h ${m} min` : `${m} min ${sec} s`;
}
