import type { RunHooks, RunProgress } from "../core/app/host";
import type { ImportSummary, StageProgress, Clock, StagingStore } from "../core/app/types";
import { estimateItems } from "../core/app/views";
import { t } from "./i18n";

/** What the controller needs from the plugin (an interface, so tests can watch it). */
export interface RunHost {
	store: StagingStore;
	clock: Clock;
	setStatusText(text: string): void;
	refreshSessionViews(): void;
	/** A Notice in the plugin; a list in tests. */
	notify(message: string, level?: NoticeLevel): void;
	logDebug(message: string, detail?: unknown): void;
	/** After a run ended (whatever the outcome), once the controller is idle again. */
	onRunEnd?(): void;
	/** How many items a session's phase goes through (a resumed run skips extract, which counts them); null: unknown. */
	itemTotal?(sessionId: string, kind: RunKind): Promise<number | null>;
}

export type RunKind = "import" | "organize";

/** "error": the Notice stays until dismissed and offers to open the panel. */
export type NoticeLevel = "info" | "error";

/** What every run returns: at least the session it ran in. */
export interface RunResult {
	session_id: string;
}

export type { RunProgress };

/** A run: one call of the application service with these hooks (its signal, progress and session). */
export type RunJob<T extends RunResult> = (hooks: Required<RunHooks>) => Promise<T>;

interface ActiveRun {
	kind: RunKind;
	sessionId: string | null;
	controller: AbortController;
	startedAt: number;
	/** Conversations in the session (extract's count), once known. */
	total: number | null;
	/** True while `total` is estimated from how much of the export extract has read. */
	estimated: boolean;
	done: Promise<RunResult | null>;
	/** The furthest stage that reported progress (STAGE_RANK). */
	furthest: number;
	/** When the status bar's text was last set, and the update waiting for its turn (see STATUS_MS). */
	statusAt: number;
	statusTimer: number | null;
	statusText: () => string;
}

/**
 * The status bar's text changes at most this often: each item of each stage reports progress, and formatting and
 * setting the text for each was a good part of some of the UI thread's long tasks (issue 17). The first and the
 * last count are shown at once, the latest one otherwise within this time.
 */
const STATUS_MS = 100;

const STAGE_RANK: Record<StageProgress["stage"], number> = { extract: 0, transform: 1, load: 2 };

/** "Import completed: 5 notes (3 created, 2 updated, 0 unchanged), 1 failed, 0 skipped." */
export function summaryText(kind: RunKind, s: ImportSummary): string {
	const label = t(`phase.${kind}`);
	const vars = {
		label,
		notes: t("count.notes", { count: s.counts.success }),
		created: s.notes.created,
		updated: s.notes.updated,
		unchanged: s.notes.unchanged,
		failed: s.counts.failed,
		skipped: s.counts.skipped,
	};
	if (s.error) return t("notice.runStopped", { ...vars, error: s.error });
	if (s.message) return t("notice.runMessage", { label, message: s.message });
	if (s.status === "completed") return t("notice.runDone", vars);
	if (s.status === "partial") return t("notice.runPartial", vars);
	return t("notice.runEnded", { ...vars, status: s.status });
}

/** An end that needs the user (an error, failed items) stays on screen; a clean end is an ordinary Notice. */
function endLevel(result: RunResult): NoticeLevel {
	const r = result as RunResult & { error?: unknown; status?: unknown; counts?: { failed?: number } };
	if (r.error) return "error";
	if (r.status === "failed" || r.status === "partial") return "error";
	return (r.counts?.failed ?? 0) > 0 ? "error" : "info";
}

/**
 * Holds at most one running session: starts it with an AbortController (cancel), mirrors its progress in the
 * status bar ("Import: 120/2000") and the session panels, and reports the end in a Notice. The run itself is the
 * application service's (it beats the session's heartbeat and tells the session id through `onSession`; it
 * yields between items, so Obsidian stays responsive).
 */
export class RunController {
	private current: ActiveRun | null = null;

	constructor(private readonly host: RunHost) {}

	get isRunning(): boolean {
		return this.current !== null;
	}

	get runningKind(): RunKind | null {
		return this.current?.kind ?? null;
	}

	/** The running session's id, once known (a new session gets its id when the core creates it). */
	get runningSessionId(): string | null {
		return this.current?.sessionId ?? null;
	}

	/** For the panel: sessions this process runs right now. */
	liveIds(): ReadonlySet<string> {
		return new Set(this.current?.sessionId ? [this.current.sessionId] : []);
	}

	/**
	 * Starts a run. `sessionId`: known for resume and retry; a new session's comes through the job's `onSession`.
	 * `describe` turns the result into the end Notice. Returns null (and says why) when a run is going.
	 */
	start<T extends RunResult>(
		kind: RunKind,
		sessionId: string | null,
		job: RunJob<T>,
		describe: (result: T) => string,
	): Promise<T | null> | null {
		if (this.refuseWhileBusy()) return null;
		const run: ActiveRun = {
			kind,
			sessionId,
			controller: new AbortController(),
			startedAt: this.host.clock.now().getTime(),
			total: null,
			estimated: false,
			furthest: 0,
			statusAt: 0,
			statusTimer: null,
			statusText: () => "",
			done: Promise.resolve(null),
		};
		this.current = run;
		this.host.setStatusText(t("statusBar.starting", { label: t(`phase.${kind}`) }));
		const done = this.execute(run, job, describe);
		run.done = done;
		return done;
	}

	/** True (and the user is told what runs) while a run is going: a second one is not started. */
	refuseWhileBusy(): boolean {
		if (!this.current) return false;
		this.host.notify(t("notice.alreadyRunning", { label: t(`phase.${this.current.kind}`) }));
		return true;
	}

	/** A Notice about runs that did not start (e.g. a resume whose file was not picked). */
	say(message: string): void {
		this.host.notify(message);
	}

	/** Resolves when no run is going (at once when idle). */
	async whenIdle(): Promise<void> {
		while (this.current) await this.current.done.catch(() => null);
	}

	/** Asks the running session to stop after the item in hand. False when nothing runs. */
	cancel(): boolean {
		if (!this.current) return false;
		this.current.controller.abort(new Error("Cancelled by the user"));
		this.host.setStatusText(t("statusBar.stopping", { label: t(`phase.${this.current.kind}`) }));
		return true;
	}

	/** Cancels and waits for the run to wind down (plugin unload). */
	async dispose(): Promise<void> {
		const run = this.current;
		if (!run) return;
		run.controller.abort(new Error("Obsidian closed the plugin"));
		await run.done.catch(() => null);
	}

	private async execute<T extends RunResult>(run: ActiveRun, job: RunJob<T>, describe: (result: T) => string): Promise<T | null> {
		const label = t(`phase.${run.kind}`);
		try {
			const summary = await job({
				signal: run.controller.signal,
				onProgress: (p) => this.onProgress(run, p),
				onSession: (id) => {
					if (this.current === run) run.sessionId = id;
					this.host.refreshSessionViews();
				},
			});
			run.sessionId ??= summary.session_id;
			this.host.notify(describe(summary), endLevel(summary));
			return summary;
		} catch (e) {
			const message = e instanceof Error ? e.message : String(e);
			this.host.notify(t("notice.runFailed", { label, error: message }), "error");
			this.host.logDebug(`${label} failed`, e);
			return null;
		} finally {
			if (this.current === run) this.current = null;
			if (run.statusTimer !== null) window.clearTimeout(run.statusTimer);
			this.host.setStatusText("");
			this.host.refreshSessionViews();
			this.host.onRunEnd?.();
		}
	}

	private onProgress(run: ActiveRun, p: RunProgress): void {
		if (this.current !== run) return;
		const processed = p.done + p.resumed;
		if (p.total !== undefined) run.total = p.total;
		else if (p.stage === "extract") {
			const seen = p.counts.total + p.resumed;
			const read = p.input && p.input.bytes_total > 0 ? p.input.bytes_read / p.input.bytes_total : null;
			// While the export is being read, the total is what has been seen scaled by how much was read.
			run.estimated = read !== null && read < 1;
			if (read === null) run.total = Math.max(run.total ?? 0, seen);
			else if (read >= 1)
				run.total = seen; // read to the end: the count is exact
			else run.total = estimateItems(seen, read);
		} else if (run.total === null && run.sessionId) void this.loadTotal(run);
		// An import's stages run at the same time: the status bar follows the furthest one (notes written).
		const rank = STAGE_RANK[p.stage];
		if (rank < run.furthest) {
			this.host.refreshSessionViews();
			return;
		}
		run.furthest = rank;
		const total = p.stage !== "extract" && !run.estimated ? run.total : null;
		// The estimate of an export still being read is not shown: it moves until the export is read.
		run.statusText = () => {
			const label = t(`phase.${run.kind}`);
			return total !== null ? t("statusBar.progress", { label, done: processed, total }) : t("statusBar.soFar", { label, done: processed });
		};
		const now = Date.now();
		if (now - run.statusAt >= STATUS_MS || processed === total) this.showStatus(run);
		else
			run.statusTimer ??= window.setTimeout(
				() => {
					run.statusTimer = null;
					if (this.current === run) this.showStatus(run);
				},
				STATUS_MS - (now - run.statusAt),
			);
		this.host.refreshSessionViews();
	}

	private showStatus(run: ActiveRun): void {
		run.statusAt = Date.now();
		this.host.setStatusText(run.statusText());
	}

	private loadingTotal = false;

	/** A resumed run skips extract: its total comes from phase.json. */
	private async loadTotal(run: ActiveRun): Promise<void> {
		if (this.loadingTotal || !run.sessionId) return;
		this.loadingTotal = true;
		try {
			// Unknown (null), the count stays unknown and the status bar shows the stage instead.
			const total = (await this.host.itemTotal?.(run.sessionId, run.kind).catch(() => null)) ?? null;
			if (total !== null) run.total ??= total;
		} finally {
			this.loadingTotal = false;
		}
	}
}
