import { Notice, Plugin, type WorkspaceLeaf } from "obsidian";
import type { App as EtlApp } from "../core/app/app";
import type { Settings, Session, ByteSource, ExportReader, OpenExportOptions } from "../core/app/types";
import { systemClock, type Clock } from "../core/app/ports";
import { AdapterStagingStore } from "./adapter-staging-store";
import { registerCommands, type CommandId } from "./commands/palette";
import { ObsidianNoteVault } from "./obsidian-note-vault";
import type { NoticeLevel, RunController } from "./run-controller";
import { initLocale, t } from "./i18n";
import { NO_ORGANIZE_TARGETS, type OrganizeTargets } from "./organize-targets";
import { KnowledgeEtlSettingTab } from "./settings-tab";
import { noopPanelHandlers, type PanelHandlers } from "./view/panel-handlers";
import type { PluginServices } from "./services";
import { SessionView } from "./view/session-view";
import { VIEW_TYPE_SESSIONS } from "./view/view-type";

/** The lazily loaded part of the plugin (engine.ts): the core, the actions, the panel's model and drawing. */
export type Engine = typeof import("./engine");

/**
 * The entry of the export reader's Web Worker, which runs main.js itself (see reader-worker.ts): Obsidian never calls
 * it. It loads only the reader, lazily, as the engine is.
 */
export function startReaderWorker(): void {
	void import("./reader-worker").then((m) => m.serveInWorker());
}

/** How long after the layout is ready retention runs (see retainOnce). */
const RETENTION_DELAY_MS = 2 * 60 * 1000;

/** Runs `work` once the UI thread is idle (within 10 s at the latest); returns what cancels it (on unload). */
function whenIdle(work: () => void): () => void {
	if (typeof window.requestIdleCallback === "function") {
		let cancelled = false;
		const handle = window.requestIdleCallback(() => cancelled || work(), { timeout: 10_000 });
		return () => {
			cancelled = true;
			if (typeof window.cancelIdleCallback === "function") window.cancelIdleCallback(handle);
		};
	}
	const timer = window.setTimeout(work, 2_000);
	return () => window.clearTimeout(timer);
}

/**
 * The page's first `Intl.DateTimeFormat()` loads ICU's calendar and time zone data: 8-66 ms in one task on the UI
 * thread in headless Chromium (the first Intl use of any kind 30-130 ms), later ones under 1 ms. An import asks for
 * this computer's zone as it starts (the "Time zone" setting's default, see localTimeZone), which made it one of
 * the import's long tasks (issue 17); done here once Obsidian is idle, that data is loaded before any import. The
 * zone is not kept: each import still asks (the computer's zone may change while Obsidian runs).
 */
function warmTimeZone(): void {
	try {
		const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
		if (zone) new Intl.DateTimeFormat("en-US", { timeZone: zone });
	} catch {
		// nothing to warm: localTimeZone falls back to UTC the same way
	}
}

export default class KnowledgeEtlPlugin extends Plugin {
	/**
	 * The user settings. Parsed (zod) when the engine loads, from the data read at load: nothing reads them
	 * before (every command, the panel and the settings tab wait for `engine()`).
	 */
	settings!: Settings;
	/** Sessions under `.staging/` (through the adapter: the Vault API cannot see dot-folders). */
	stagingStore!: AdapterStagingStore;
	/** Notes (through Vault and FileManager). */
	noteVault!: ObsidianNoteVault;
	/** What the panel's buttons do; the engine's start replaces these no-ops. */
	panelHandlers: PanelHandlers = noopPanelHandlers();
	/** Time for sessions (tests replace it before onload). */
	clock: Clock = systemClock;
	/** The core's one front door, over this vault's ports; made when the engine loads. */
	etl!: EtlApp;
	/** The one running session (import or organize), if any; made when the engine loads (undefined before: none runs). */
	runs!: RunController;
	/** The export files of imports started in this window, by session (a resume before extract finished reads them again). */
	readonly openedInputs = new Map<string, ByteSource[]>();
	/** Sessions last read from disk, by id (to label a resume or retry as import or organize before it reads them). */
	readonly knownSessions = new Map<string, Session>();
	/** What commands, actions and panel handlers get (services.ts): a small view on the plugin, not the plugin. */
	readonly services: PluginServices = pluginServices(this);
	private statusBarEl: HTMLElement | null = null;
	/** What the organize commands act on: from the panel's selected session, else from the newest organize session. */
	private organizeFromPanel: OrganizeTargets | null = null;
	private organizeScanned: OrganizeTargets = NO_ORGANIZE_TARGETS;
	/** The export reader's Web Workers (made when the engine loads; ended on unload). */
	private readerWorkers: InstanceType<Engine["ReaderWorkers"]> | null = null;
	/** The plugin data as read at load, parsed into `settings` when the engine loads. */
	private storedData: unknown = null;
	private engineLoad: Promise<Engine> | null = null;
	/** The engine once loaded (for the few synchronous callers: the settings tab, the panel's redraw). */
	loadedEngine: Engine | null = null;

	/** Opens export files for reading in the reader's Web Worker (the import's own reader; a preview's too). */
	readonly openExport = (sources: readonly ByteSource[], options: OpenExportOptions): Promise<ExportReader> =>
		this.engine().then(() => this.readerWorkers!.openExport(sources, options));

	/**
	 * Registration only: the view, the ribbon icon, the commands, the status bar item and the settings tab. The
	 * engine (zod models, YAML, the pipeline) is not evaluated here; see `engine()`.
	 */
	override async onload(): Promise<void> {
		initLocale();
		this.storedData = await this.loadData();
		this.stagingStore = new AdapterStagingStore(this.app.vault.adapter);
		this.noteVault = new ObsidianNoteVault(this.app);
		this.registerView(
			VIEW_TYPE_SESSIONS,
			(leaf) =>
				new SessionView(leaf, {
					store: this.stagingStore,
					clock: this.clock,
					engine: () => this.engine(),
					handlers: () => this.panelHandlers,
					liveIds: () => this.runs?.liveIds() ?? new Set<string>(),
					displayText: t("panel.displayText", { name: this.manifest.name }),
					debug: () => this.settings?.debugMode ?? false,
					onError: (e) => this.logDebug("Session panel could not read the session files", e),
					onModel: (model) => {
						this.organizeFromPanel = this.loadedEngine?.targetsFromModel(model) ?? null;
					},
				}),
		);
		// The panel's toolbar and first-run welcome run the same commands as the palette.
		this.panelHandlers.onImport = () => this.runCommand("start-import-session");
		this.panelHandlers.onOrganize = () => this.runCommand("start-organize-session");
		this.panelHandlers.onClean = () => this.runCommand("clean-old-sessions");
		// The ribbon starts what the plugin is for; the panel opens by itself once an import runs.
		this.addRibbonIcon("import", t("ribbon.import"), () => void this.runCommand("start-import-session"));
		registerCommands(this);
		this.statusBarEl = this.addStatusBarItem();
		this.statusBarEl.addClass("knowledge-etl-status-bar", "mod-clickable");
		this.statusBarEl.setAttr("aria-label", t("statusBar.tooltip"));
		this.statusBarEl.setAttr("data-tooltip-position", "top");
		this.registerDomEvent(this.statusBarEl, "click", () => void this.activateSessionView());
		this.setStatusText("");
		this.addSettingTab(new KnowledgeEtlSettingTab(this.app, this));
		this.app.workspace.onLayoutReady(() => {
			void this.refreshOrganizeTargets();
			// Retention, once a while after start (not while Obsidian is busy opening the vault; skipped if a run goes on).
			this.registerInterval(window.setTimeout(() => void this.retainOnce(), RETENTION_DELAY_MS));
			this.register(whenIdle(warmTimeZone));
		});
	}

	/** Removes sessions older than the retention setting (see retainSessions); once per start. */
	async retainOnce(): Promise<void> {
		if (this.retained) return;
		this.retained = true;
		try {
			const engine = await this.engine();
			await engine.retainSessions(this.services);
		} catch (e) {
			this.logDebug("Old sessions could not be removed", e);
		}
	}

	private retained = false;

	/**
	 * The engine, loaded on first call (a lazy module of main.js, see engine.ts) and started: settings parsed from the
	 * data read at load, the run controller made, the panel's handlers wired. Later calls return the same one.
	 */
	engine(): Promise<Engine> {
		this.engineLoad ??= import("./engine").then((engine) => {
			this.startEngine(engine);
			return engine;
		});
		return this.engineLoad;
	}

	private startEngine(engine: Engine): void {
		this.settings = engine.parseSettings(this.storedData, (message) => console.warn(`Knowledge ETL: ${message}`));
		this.storedData = null;
		// A key kept in data.json by an earlier version moves into Obsidian's secret storage where it has one.
		if (engine.migrateApiKey(this.app, this.settings)) void this.saveSettings();
		const store = this.stagingStore;
		this.readerWorkers = new engine.ReaderWorkers({
			readMainJs: () =>
				this.app.vault.adapter.readBinary(`${this.manifest.dir ?? `${this.app.vault.configDir}/plugins/${this.manifest.id}`}/main.js`),
			logDebug: (message, detail) => this.logDebug(message, detail),
		});
		this.etl = engine.createApp({
			name: "plugin",
			// Named in the vault lock (issue 15): another process refused by it says which app and vault hold it.
			identity: { app: `Obsidian, vault "${this.app.vault.getName()}"`, pid: 0, host: "obsidian" },
			store,
			vault: this.noteVault,
			clock: this.clock,
			logger: (debugMode) => engine.createLogger({ debugMode, store }),
			// Reading, parsing and rendering in a Web Worker; the notes and session files are written here.
			openExport: this.readerWorkers.openExport,
		});
		this.runs = new engine.RunController({
			store: this.stagingStore,
			clock: this.clock,
			setStatusText: (text) => this.setStatusText(text),
			refreshSessionViews: () => this.refreshSessionViews(),
			notify: (message, level) => this.notify(message, level),
			logDebug: (message, detail) => this.logDebug(message, detail),
			onRunEnd: () => void this.refreshOrganizeTargets(),
			itemTotal: (sessionId, kind) => this.etl.itemTotal(sessionId, kind),
		});
		// Resolves when the run ends (a resume may first ask for its export again).
		this.panelHandlers.onResume = async (id) => {
			await engine.continueSession(this.services, "resume", id);
		};
		this.panelHandlers.onRetry = async (id) => {
			await engine.continueSession(this.services, "retry", id);
		};
		this.panelHandlers.onCancel = (id) => {
			if (this.runs.runningSessionId === id || this.runs.runningSessionId === null) this.runs.cancel();
		};
		this.panelHandlers.onCopyError = (text) => navigator.clipboard.writeText(text);
		this.panelHandlers.onOpenNote = (path) => this.app.workspace.openLinkText(path, "", false);
		this.panelHandlers.onApplyOrganize = async (id) => {
			await engine.confirmApplyOrganize(this.services, id);
		};
		this.panelHandlers.onUndoOrganize = (id) => engine.undoOrganizeChecked(this.services, id);
		this.loadedEngine = engine;
	}

	/** Runs a command of the palette (commands/palette.ts), loading the engine first. */
	async runCommand(id: CommandId): Promise<void> {
		const engine = await this.engine();
		await engine.COMMANDS[id].run(this.services);
	}

	override onunload(): void {
		// Views, commands, the ribbon icon, the status bar item and intervals were all registered and are
		// removed by Obsidian; leaves are left in place (their layout is restored on the next load).
		// A running session is cancelled: it stops after the item in hand, records "cancelled" and can be resumed.
		void this.runs?.dispose().finally(() => this.readerWorkers?.dispose());
		this.setStatusText("");
		this.statusBarEl = null;
	}

	private savingSettings: Promise<void> = Promise.resolve();

	/**
	 * Saves the settings. Saves run one after another, each writing the settings as they are when it runs, so quick
	 * successive changes (typing in a field) can never leave an older state on disk.
	 */
	saveSettings(): Promise<void> {
		const next = this.savingSettings.then(() => this.saveData(this.settings));
		this.savingSettings = next.catch(() => undefined);
		return next;
	}

	/** Resolves when every save started so far has reached the disk. */
	settingsSaved(): Promise<void> {
		return this.savingSettings;
	}

	/** Changes the settings and saves them. */
	async updateSettings(change: (settings: Settings) => void): Promise<void> {
		change(this.settings);
		await this.saveSettings();
	}

	/** Shows the session panel in the right sidebar, reusing an open one. */
	async activateSessionView(): Promise<void> {
		const { workspace } = this.app;
		let leaf: WorkspaceLeaf | null = workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0] ?? null;
		if (!leaf) {
			leaf = workspace.getRightLeaf(false);
			if (!leaf) return;
			await leaf.setViewState({ type: VIEW_TYPE_SESSIONS, active: true });
		}
		await workspace.revealLeaf(leaf);
	}

	/** Shows the session panel with `sessionId` selected (e.g. a new organize plan). */
	async showSession(sessionId: string): Promise<void> {
		await this.activateSessionView();
		for (const leaf of this.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)) {
			if (leaf.view instanceof SessionView) await leaf.view.select(sessionId);
		}
	}

	/**
	 * The sessions "Apply organize plan" and "Undo organize session" act on: the panel's selected session when it
	 * has an organize phase, else the newest organize session; none while a run goes. Synchronous (checkCallback).
	 */
	get organizeTargets(): OrganizeTargets {
		if (this.runs?.isRunning) return NO_ORGANIZE_TARGETS;
		return this.organizeFromPanel ?? this.organizeScanned;
	}

	/** Re-reads the newest organize session's state (after a run, and once the layout is ready). */
	async refreshOrganizeTargets(): Promise<void> {
		try {
			this.organizeScanned = await (await this.engine()).scanOrganizeTargets(this.services);
		} catch (e) {
			this.organizeScanned = NO_ORGANIZE_TARGETS;
			this.logDebug("Could not read the organize sessions", e);
		}
	}

	/** Asks every open session panel to re-read the session files (throttled inside the view). */
	refreshSessionViews(): void {
		for (const leaf of this.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)) {
			if (leaf.view instanceof SessionView) leaf.view.requestRefresh();
		}
	}

	/** The status-bar text, e.g. "Import: 120/400"; empty hides it. */
	setStatusText(text: string): void {
		if (!this.statusBarEl) return;
		this.statusBarEl.setText(text);
		this.statusBarEl.toggleClass("knowledge-etl-hidden", text === "");
	}

	/**
	 * A Notice. An error (a failed run, failed items) stays until dismissed and offers "Open panel", where the
	 * failures are listed; anything else goes after Obsidian's usual few seconds.
	 */
	notify(message: string, level: NoticeLevel = "info"): Notice {
		if (level !== "error") return new Notice(message);
		const fragment = createFragment();
		const body = fragment.createDiv({ cls: ["knowledge-etl-notice", "is-error"] });
		body.createDiv({ cls: "knowledge-etl-notice-text", text: message });
		const open = body
			.createDiv({ cls: "knowledge-etl-notice-actions" })
			.createEl("button", { cls: "knowledge-etl-notice-open", text: t("notice.openPanel") });
		const notice = new Notice(fragment, 0);
		open.addEventListener("click", (evt) => {
			evt.stopPropagation();
			notice.hide();
			void this.activateSessionView();
		});
		return notice;
	}

	/** Debug output, only in debug mode. */
	logDebug(message: string, detail?: unknown): void {
		if (this.settings?.debugMode) console.debug(`Knowledge ETL: ${message}`, detail ?? "");
	}
}

/** The services of a plugin: read through to it when used (the engine's start replaces settings, etl and runs). */
function pluginServices(plugin: KnowledgeEtlPlugin): PluginServices {
	return {
		get app() {
			return plugin.app;
		},
		get settings() {
			return plugin.settings;
		},
		get stagingStore() {
			return plugin.stagingStore;
		},
		get noteVault() {
			return plugin.noteVault;
		},
		get clock() {
			return plugin.clock;
		},
		get etl() {
			return plugin.etl;
		},
		get runs() {
			return plugin.runs;
		},
		get organizeTargets() {
			return plugin.organizeTargets;
		},
		openedInputs: plugin.openedInputs,
		knownSessions: plugin.knownSessions,
		saveSettings: () => plugin.saveSettings(),
		logDebug: (message, detail) => plugin.logDebug(message, detail),
		refreshSessionViews: () => plugin.refreshSessionViews(),
		activateSessionView: () => plugin.activateSessionView(),
		showSession: (sessionId) => plugin.showSession(sessionId),
		openExport: (sources, options) => plugin.openExport(sources, options),
	};
}
