import { ItemView, type WorkspaceLeaf } from "obsidian";
import type { Clock, StagingStore, PanelModel, PanelFileCache } from "../../core/app/types";
import type { PanelHandlers } from "./panel-handlers";
import { VIEW_TYPE_SESSIONS } from "./view-type";
import { t } from "../i18n";

/** What the view needs of the plugin's lazily loaded engine (see plugin/engine.ts). */
export interface SessionViewEngine {
	loadPanelModel: typeof import("../../core/app/views").loadPanelModel;
	PanelFileCache: typeof import("../../core/app/views").PanelFileCache;
	renderSessionPanel: typeof import("./render-session-panel").renderSessionPanel;
}

export interface SessionViewDeps {
	store: StagingStore;
	clock: Clock;
	/**
	 * The engine, loaded on the first refresh (the view itself is registered before it is evaluated). The plugin
	 * passes its own `engine()`, which also wires the handlers; default: the engine module alone.
	 */
	engine?: () => Promise<SessionViewEngine>;
	/** Read on every click, so the plugin can rewire the handlers while the view is open. */
	handlers: () => PanelHandlers;
	/** At most one redraw per this many ms (default 500). */
	throttleMs?: number;
	/** Re-read the session files this often, to follow runs started elsewhere (e.g. the CLI). Default 2000. */
	pollMs?: number;
	/** Sessions this plugin is running right now (never shown as interrupted). Default: none. */
	liveIds?: () => ReadonlySet<string>;
	/** The tab title, e.g. "<plugin name> sessions" (the plugin name comes from the manifest). */
	displayText: string;
	/** Debug mode: the panel shows stage and step names and raw errors. Read on every redraw. Default: off. */
	debug?: () => boolean;
	/** Errors reading the files (never thrown into Obsidian). */
	onError?: (error: unknown) => void;
	/** Told after every read of the session files (the plugin keeps what its commands offer up to date). */
	onModel?: (model: PanelModel) => void;
}

/**
 * The "Knowledge ETL sessions" side panel. It keeps no pipeline state: every refresh reads the session files
 * through the core (so closing and reopening it mid-run loses nothing), and redraws only when the model
 * changed, at most once per `throttleMs`.
 */
export class SessionView extends ItemView {
	private selectedId: string | null = null;
	private lastModelJson = "";
	private lastRefreshAt = 0;
	private timer: number | null = null;
	private refreshing: Promise<void> | null = null;
	/** The refresh after the one running, shared by every call made while it runs (see refresh). */
	private again: Promise<void> | null = null;
	private lastModel: PanelModel | null = null;
	/** Parsed session files kept between refreshes (this view's own: never shared with another vault's view). */
	private fileCache: PanelFileCache | null = null;
	/** The engine, from the first refresh on (drawing is synchronous). */
	private engine: SessionViewEngine | null = null;
	/** Sessions whose whole list of moves is shown. */
	private readonly expandedMoves = new Set<string>();
	/** How many times the session files were read, and the panel DOM redrawn (for tests and debugging). */
	loadCount = 0;
	renderCount = 0;

	constructor(
		leaf: WorkspaceLeaf,
		private readonly deps: SessionViewDeps,
	) {
		super(leaf);
		this.icon = "list-checks";
	}

	getViewType(): string {
		return VIEW_TYPE_SESSIONS;
	}

	getDisplayText(): string {
		return this.deps.displayText;
	}

	override async onOpen(): Promise<void> {
		this.contentEl.addClass("knowledge-etl-view");
		this.contentEl.createDiv({ cls: "knowledge-etl-empty", text: t("panel.loading") });
		// Timed re-reads only while they can show something new: the panel is visible and a run goes (here, or one
		// seen running, e.g. the CLI's). An idle or hidden panel reads nothing; it catches up when shown again.
		this.registerInterval(
			window.setInterval(() => {
				if (this.isVisible() && this.somethingRuns()) this.requestRefresh();
			}, this.deps.pollMs ?? 2000),
		);
		this.registerDomEvent(document, "visibilitychange", () => this.catchUp());
		this.registerEvent(this.app.workspace.on("layout-change", () => this.catchUp()));
		await this.refresh();
	}

	override async onClose(): Promise<void> {
		this.cancelTimer();
		this.contentEl.empty();
		await Promise.resolve();
	}

	override onunload(): void {
		this.cancelTimer();
	}

	private cancelTimer(): void {
		if (this.timer !== null) window.clearTimeout(this.timer);
		this.timer = null;
	}

	/** Requests made while the panel was hidden: one refresh when it is shown again. */
	private missed = false;
	/** How many timed or requested refreshes were skipped because the panel was hidden (for tests). */
	skippedWhileHidden = 0;

	/** The panel can be seen: its window is not hidden and its leaf is shown (not a background tab, not collapsed). */
	private isVisible(): boolean {
		if (typeof document !== "undefined" && document.hidden) return false;
		// Obsidian's DOM extension: false in a collapsed sidebar or a background tab.
		const el = this.containerEl as HTMLElement & { isShown?: () => boolean };
		return typeof el.isShown === "function" ? el.isShown() : true;
	}

	private somethingRuns(): boolean {
		if ((this.deps.liveIds?.().size ?? 0) > 0) return true;
		return this.lastModel?.sessions.some((s) => s.status === "running") ?? false;
	}

	private catchUp(): void {
		if (this.missed && this.isVisible()) {
			this.missed = false;
			this.requestRefresh();
		}
	}

	override onResize(): void {
		this.catchUp();
	}

	/** Asks for a refresh; calls within the throttle window collapse into one. Cheap to call per item. */
	requestRefresh(): void {
		if (!this.isVisible()) {
			this.missed = true;
			this.skippedWhileHidden++;
			return;
		}
		if (this.timer !== null) return;
		const wait = Math.max(0, this.lastRefreshAt + (this.deps.throttleMs ?? 500) - Date.now());
		this.timer = window.setTimeout(() => {
			this.timer = null;
			void this.refresh();
		}, wait);
	}

	/** The session the panel details (the clicked one, else a running one, else the newest). */
	get selectedSessionId(): string | null {
		return this.selectedId;
	}

	/** Selects a session and redraws now. */
	async select(sessionId: string): Promise<void> {
		this.selectedId = sessionId;
		await this.refresh();
	}

	/**
	 * Reads the files and redraws if anything changed. Overlapping calls run one after the other: a call made while a
	 * refresh runs resolves after the next one (shared by every call made meanwhile), which reads what it asked for.
	 * Before, it resolved with the running one, which had read the files (and the selection) before the call.
	 */
	refresh(): Promise<void> {
		if (this.refreshing) {
			const next = () => {
				this.again = null;
				return this.refresh();
			};
			return (this.again ??= this.refreshing.then(next, next));
		}
		this.refreshing = this.doRefresh().finally(() => {
			this.refreshing = null;
		});
		return this.refreshing;
	}

	private async doRefresh(): Promise<void> {
		this.lastRefreshAt = Date.now();
		this.loadCount++;
		const asked = this.selectedId;
		try {
			const engine = (this.engine ??= await (this.deps.engine ?? (() => import("../engine")))());
			const model = await engine.loadPanelModel(this.deps.store, this.deps.clock, this.selectedId, {
				liveIds: this.deps.liveIds?.() ?? new Set<string>(),
				cache: (this.fileCache ??= new engine.PanelFileCache()),
			});
			// A session selected while this read ran stays selected (the next refresh reads it).
			if (this.selectedId === asked) this.selectedId = model.selected?.id ?? null;
			this.deps.onModel?.(model);
			const json = JSON.stringify(model);
			if (json === this.lastModelJson) return;
			this.lastModelJson = json;
			this.lastModel = model;
			this.draw(model);
		} catch (e) {
			this.deps.onError?.(e);
		}
	}

	/**
	 * The handlers the panel's buttons call: each looks up the plugin's handlers at click time (`deps.handlers()`),
	 * so handlers rewired while the view is open are the ones that run. Drawing never copies them.
	 */
	private readonly liveHandlers: PanelHandlers = {
		onResume: (id) => this.deps.handlers().onResume(id),
		onRetry: (id) => this.deps.handlers().onRetry(id),
		onCancel: (id) => this.deps.handlers().onCancel(id),
		onOpenNote: (path) => this.deps.handlers().onOpenNote(path),
		onCopyError: (text) => this.deps.handlers().onCopyError(text),
		onApplyOrganize: (id) => this.deps.handlers().onApplyOrganize(id),
		onUndoOrganize: (id) => this.deps.handlers().onUndoOrganize(id),
		onImport: () => this.deps.handlers().onImport(),
		onOrganize: () => this.deps.handlers().onOrganize(),
		onClean: () => this.deps.handlers().onClean(),
		onSelect: async (id) => {
			await this.select(id);
			await this.deps.handlers().onSelect(id);
		},
		onShowAllMoves: async (id) => {
			this.expandedMoves.add(id);
			if (this.lastModel) this.draw(this.lastModel);
			await this.deps.handlers().onShowAllMoves(id);
		},
	};

	private draw(model: PanelModel): void {
		if (!this.engine) return; // a model comes only from the engine
		this.engine.renderSessionPanel(this.contentEl, model, this.liveHandlers, {
			expandedMoves: this.expandedMoves,
			debug: this.deps.debug?.() ?? false,
		});
		this.renderCount++;
	}
}
