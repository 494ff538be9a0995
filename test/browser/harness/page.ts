/**
 * The page side of the browser harness (bundled with the in-memory Obsidian stand-in into one script, see
 * harness.ts): it loads the built main.js as Obsidian does (CommonJS, `require("obsidian")`), over a vault held in
 * memory, and drives the plugin as a user would: the command palette's commands, the import dialog's file input
 * (a real `File`, set through DataTransfer), the session panel's buttons. The test in Node calls these through
 * `page.evaluate(() => harness.…)`.
 */
import * as obsidian from "./memory-obsidian";
import { App, MemoryDisk, VAULT_ROOT, enableObsidianUi, memoryFs, noticeLog } from "./memory-obsidian";
import { prepareStoreWork, STORE_WORK, type StoreWorkName, type WorkStore } from "./store-work";

interface PluginLike {
	loadAndWait(): Promise<void>;
	unload(): void;
	engine(): Promise<unknown>;
	activateSessionView(): Promise<void>;
	runs: { whenIdle(): Promise<void>; isRunning: boolean; runningSessionId: string | null; cancel(): boolean };
	settings: Record<string, unknown>;
	saveSettings(): Promise<void>;
	manifest: { dir?: string };
}

const PLUGIN_DIR = ".obsidian/plugins/knowledge-etl";

/** Main-thread tasks over 50 ms (PerformanceObserver "longtask"), while recording. */
const longTasks: { start: number; duration: number }[] = [];
let recordingLongTasks = false;
try {
	new PerformanceObserver((list) => {
		if (!recordingLongTasks) return;
		for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
	}).observe({ type: "longtask", buffered: false });
} catch {
	// no longtask timing here: the figures say none were seen
}

/** Web Workers the page started and ended (the plugin's export reader runs in one). */
const workers = { started: 0, terminated: 0, live: 0 };
const NativeWorker = Worker;
/** See slowWorkerMessages. */
let workerMessageDelayMs = 0;
/** While profiling, an ended worker is kept (idle) until its profile is taken: see keepEndedWorkers. */
let keepEndedWorkers = false;
const ended: (() => void)[] = [];
const CountedWorker = class extends NativeWorker {
	constructor(url: string | URL, options?: WorkerOptions) {
		// While profiling, the worker may not end itself either (its own close() is made a no-op before its code runs).
		const kept = keepEndedWorkers
			? URL.createObjectURL(
					new Blob([`self.close=function(){};importScripts(${JSON.stringify(String(url))});`], { type: "text/javascript" }),
				)
			: url;
		super(kept, options);
		workers.started++;
		workers.live++;
		this.addEventListener("error", (e) => console.error(`harness: worker error ${(e as ErrorEvent).message}`));
	}

	/** Messages from the worker reach the plugin `workerMessageDelayMs` late (in order): see slowWorkerMessages. */
	override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
		if (type !== "message" || typeof listener !== "function") return super.addEventListener(type, listener, options);
		super.addEventListener(
			type,
			(e) => (workerMessageDelayMs > 0 ? void setTimeout(() => listener.call(this, e), workerMessageDelayMs) : listener.call(this, e)),
			options,
		);
	}

	override terminate(): void {
		workers.terminated++;
		workers.live--;
		if (keepEndedWorkers) ended.push(() => super.terminate());
		else super.terminate();
	}
};

globalThis.Worker = CountedWorker;

let disk: MemoryDisk;
let app: App;
let plugin: PluginLike | null = null;
let manifest: Record<string, unknown> = {};
const exports = new Map<string, File>();
let booted: { mainJs: string; manifestJson: Record<string, unknown> } = { mainJs: "", manifestJson: {} };

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
	const end = performance.now() + ms;
	while (!check()) {
		if (performance.now() > end) throw new Error(`harness: timed out waiting for ${what}`);
		await sleep(10);
	}
}

function textOf(selector: string, root: ParentNode = document): string | null {
	return root.querySelector(selector)?.textContent ?? null;
}

/** "Start import session" from the palette and the export `name` picked in its dialog. */
async function openDialogWith(name: string): Promise<void> {
	const file = exports.get(name);
	if (!file || !plugin) throw new Error(`harness: no export ${name} or no plugin`);
	if (!(await app.commands.execute("knowledge-etl:start-import-session"))) throw new Error("harness: the import command is not available");
	const input = document.querySelector<HTMLInputElement>(".modal-container .knowledge-etl-file-input");
	if (!input) throw new Error("harness: the import dialog has no file input");
	const transfer = new DataTransfer();
	transfer.items.add(file);
	input.files = transfer.files;
	input.dispatchEvent(new Event("change"));
}

/**
 * Obsidian desktop's picked files have a path (Electron's `webUtils.getPathForFile`), and Node's fs opens it again
 * after a restart. On (desktopPaths): each export File has one, `/exports/<name>/<file name>`, opened by the page's
 * `require("fs")` over the same File's bytes. Off (the default, and mobile's case): a File has no path.
 */
let desktopPaths = false;
const exportPaths = new Map<File, string>();
/** Exports "moved away" on the desktop (their path opens no more): see moveExport. */
const movedExports = new Set<string>();

type FsLike = { promises: { open(path: string, flags: string): Promise<unknown> } };

/**
 * The page's fs: an export's path opens a handle over its File's bytes; anything else goes to the vault's fs. A read
 * costs what a disk read costs the UI thread: the bytes are copied into the caller's buffer (from the File's
 * `slice().arrayBuffer()`, itself a copy out of the browser's blob store), and it completes as a task of its own.
 */
function desktopFs(vaultFs: unknown): FsLike {
	const inner = vaultFs as FsLike;
	return {
		promises: {
			open(full: string, flags: string) {
				const file = [...exportPaths].find(([, p]) => p === full)?.[0];
				if (!file || !full.startsWith("/exports/")) return inner.promises.open(full, flags);
				if (movedExports.has(full)) return Promise.reject(new Error(`ENOENT: no such file or directory, open '${full}'`));
				return sleep(0).then(() => ({
					stat: () => sleep(0).then(() => ({ size: file.size })),
					read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
						const end = Math.min(file.size, position + length);
						if (end <= position) return { bytesRead: 0 };
						const bytes = new Uint8Array(await file.slice(position, end).arrayBuffer());
						buffer.set(bytes, offset);
						return { bytesRead: bytes.length };
					},
					close: () => sleep(0),
				}));
			},
		},
	};
}

const harness = {
	/** A fresh in-memory vault with main.js and manifest.json in the plugin's folder, as Obsidian has them on disk. */
	boot(mainJs: string, manifestJson: Record<string, unknown>): void {
		booted = { mainJs, manifestJson };
		enableObsidianUi();
		document.body.replaceChildren();
		document.body.createDiv({ cls: "workspace" });
		disk = new MemoryDisk();
		app = new App(disk);
		// Obsidian desktop's renderer has Node's require: the plugin's ranged reads of session files use its fs; with
		// desktopPaths on, Electron's webUtils tells a picked export's path and the same fs opens it (see desktopFs).
		(window as unknown as { require: (id: string) => unknown }).require = (id: string) => {
			if (id === "fs") return desktopFs(memoryFs(disk));
			if (id === "electron" && desktopPaths) return { webUtils: { getPathForFile: (f: File) => exportPaths.get(f) ?? "" } };
			throw new Error(`Cannot find module '${id}'`);
		};
		disk.mkdirs(PLUGIN_DIR);
		disk.writeFile(`${PLUGIN_DIR}/main.js`, mainJs);
		disk.writeFile(`${PLUGIN_DIR}/manifest.json`, JSON.stringify(manifestJson));
		manifest = { ...manifestJson, dir: PLUGIN_DIR };
		noticeLog.length = 0;
	},

	/**
	 * On: the page stands in for Obsidian desktop's picked files too (each export File has a path that the page's fs
	 * opens: see desktopFs); off (the default): a File has no path, as on mobile. Kept across freshVault.
	 */
	desktopPaths(on: boolean): void {
		desktopPaths = on;
	},

	/** The export `name`'s path opens no more (moved away on the desktop), or again (`back`). */
	moveExport(name: string, back = false): void {
		const file = exports.get(name);
		const p = file ? exportPaths.get(file) : undefined;
		if (!p) throw new Error(`harness: no export ${name}`);
		if (back) movedExports.delete(p);
		else movedExports.add(p);
	},

	/** Each new note waits `ms` first (0: none): a slow disk, so that a test can act while an import still runs. */
	slowNoteWrites(ms: number): void {
		obsidian.Vault.createDelayMs = ms;
	},

	/**
	 * Each message from a worker reaches the plugin `ms` late (0: at once): the reader's batches wait, so it stops
	 * for want of credit and is still reading when a test acts (a fast machine reads a small export whole at once).
	 */
	slowWorkerMessages(ms: number): void {
		workerMessageDelayMs = ms;
	},

	/** Another vault, empty but for the plugin (what `boot` was given). */
	async freshVault(): Promise<void> {
		await harness.unloadPlugin();
		harness.boot(booted.mainJs, booted.manifestJson);
	},

	/** Obsidian enabling the plugin: main.js evaluated afresh, the plugin made and loaded; the engine started. */
	async loadPlugin(settings?: Record<string, unknown>): Promise<void> {
		const code = await app.vault.adapter.read(`${PLUGIN_DIR}/main.js`);
		const module = { exports: {} as Record<string, unknown> };
		const require = (id: string): unknown => {
			if (id === "obsidian") return obsidian;
			throw new Error(`harness: main.js required "${id}"`);
		};
		// How Obsidian evaluates a plugin's main.js: as a CommonJS module body.
		// eslint-disable-next-line @typescript-eslint/no-implied-eval -- this is the harness loading main.js, as Obsidian does
		const body = new Function("module", "exports", "require", `${code}\n//# sourceURL=main.js`) as (
			m: unknown,
			e: unknown,
			r: unknown,
		) => void;
		body(module, module.exports, require);
		const Plugin = (module.exports.default ?? module.exports) as new (app: App, manifest: unknown) => PluginLike;
		if (settings) {
			disk.writeFile(`${PLUGIN_DIR}/data.json`, JSON.stringify(settings));
		}
		plugin = new Plugin(app, manifest);
		await plugin.loadAndWait();
		await plugin.engine();
	},

	/** Obsidian disabling the plugin (or quitting): unload, then wait until the run it cancelled has wound down. */
	async unloadPlugin(): Promise<void> {
		const p = plugin;
		if (!p) return;
		plugin = null;
		p.unload();
		await p.runs?.whenIdle();
		document.querySelectorAll(".modal-container, .notice").forEach((el) => el.remove());
	},

	/** Unloads as soon as the status bar first shows `pattern` (a quit in the middle of a run). */
	async unloadWhenStatus(pattern: string): Promise<string> {
		const re = new RegExp(pattern);
		await until(() => re.test(statusText()), `status ${pattern}`, 120_000);
		const seen = statusText();
		await harness.unloadPlugin();
		return seen;
	},

	/** Makes a File of the export bytes served at `url` (the test's generated export), kept under `name`. */
	async fetchExport(url: string, name: string, fileName = "conversations.json"): Promise<number> {
		const blob = await new Promise<Blob>((resolve, reject) => {
			const request = new XMLHttpRequest();
			request.open("GET", url);
			request.responseType = "blob";
			request.onload = () =>
				request.status === 200 ? resolve(request.response as Blob) : reject(new Error(`harness: ${url}: ${request.status}`));
			request.onerror = () => reject(new Error(`harness: ${url} could not be read`));
			request.send();
		});
		const file = new File([blob], fileName, { type: "application/json" });
		exports.set(name, file);
		exportPaths.set(file, `/exports/${name}/${fileName}`);
		movedExports.delete(`/exports/${name}/${fileName}`);
		return file.size;
	},

	/** "Start import session" from the palette, the file picked in the dialog, Start clicked. */
	async startImport(name: string): Promise<void> {
		await openDialogWith(name);
		const start = document.querySelector<HTMLButtonElement>(".modal-container .knowledge-etl-start-button");
		if (!start || start.disabled) throw new Error("harness: Start is not enabled after picking the file");
		start.click();
		await until(() => plugin!.runs.isRunning || noticeLog.length > 0, "the import to start");
	},

	/**
	 * As startImport, with "Preview" clicked first and its counts awaited; the workers started by the preview and by
	 * the import are returned (the import takes the preview's reading: it starts none).
	 */
	async previewThenStart(name: string): Promise<{ byPreview: number; byStart: number; conversations: string }> {
		await openDialogWith(name);
		const before = workers.started;
		document.querySelector<HTMLButtonElement>(".modal-container .knowledge-etl-preview-button")!.click();
		const counts = (): HTMLElement | null => document.querySelector<HTMLElement>(".modal-container .knowledge-etl-preview-conversations");
		await until(() => counts() !== null || document.querySelector(".modal-container .knowledge-etl-error-text") !== null, "the preview");
		const conversations = counts()?.textContent ?? "";
		const afterPreview = workers.started;
		const start = document.querySelector<HTMLButtonElement>(".modal-container .knowledge-etl-start-button");
		if (!start || start.disabled) throw new Error("harness: Start is not enabled after the preview");
		start.click();
		await until(() => plugin!.runs.isRunning || noticeLog.length > 0, "the import to start");
		await plugin!.runs.whenIdle();
		return { byPreview: afterPreview - before, byStart: workers.started - afterPreview, conversations };
	},

	/** The panel in the right sidebar, its DOM in the page (so drawing it costs what it does in Obsidian). */
	async openPanel(): Promise<void> {
		await plugin!.activateSessionView();
		const leaf = app.workspace.getLeavesOfType("knowledge-etl-sessions")[0];
		const el = (leaf?.view as { containerEl?: HTMLElement } | undefined)?.containerEl;
		if (!el) throw new Error("harness: the session panel did not open");
		if (!el.isConnected) document.querySelector(".workspace")!.appendChild(el);
	},

	/** The panel's Cancel button (the running session). */
	async cancelFromPanel(): Promise<void> {
		const find = (): HTMLElement | null => document.querySelector<HTMLElement>(".knowledge-etl-detail .knowledge-etl-action-cancel");
		await until(() => find() !== null, "the panel's Cancel button", 10_000);
		find()!.click();
	},

	async whenIdle(): Promise<void> {
		await plugin?.runs.whenIdle();
	},

	isRunning(): boolean {
		return plugin?.runs.isRunning ?? false;
	},

	/** The panel's Resume button for the selected session; the pick-again dialog answered with the export `name`. */
	async resumeFromPanel(name: string): Promise<string[]> {
		const asked: string[] = [];
		const find = (): HTMLElement | null => document.querySelector<HTMLElement>(".knowledge-etl-detail .knowledge-etl-action-resume");
		await until(() => find() !== null, "the panel's Resume button", 10_000);
		find()!.click();
		// A restart loses the File: the dialog asks for it by name (unless extract had read it all already).
		const end = performance.now() + 30_000;
		while (!plugin!.runs.isRunning) {
			const input = document.querySelector<HTMLInputElement>(".knowledge-etl-repick-input");
			if (input) {
				asked.push(textOf(".knowledge-etl-repick-text") ?? "");
				const transfer = new DataTransfer();
				transfer.items.add(exports.get(name)!);
				input.files = transfer.files;
				input.dispatchEvent(new Event("change"));
				await until(() => !input.isConnected || plugin!.runs.isRunning, "the picked file to be taken");
			}
			if (performance.now() > end) throw new Error(`harness: the resume did not start (notices: ${noticeLog.join(" | ")})`);
			await sleep(10);
		}
		await plugin!.runs.whenIdle();
		return asked;
	},

	/**
	 * Answers the pick-again dialog with the export `name` (clicking the panel's Resume first when no dialog is open):
	 * what the dialog says when it refuses the file, or null once it took it (and the run it resumed has ended).
	 */
	async repickFromPanel(name: string): Promise<string | null> {
		const input = (): HTMLInputElement | null => document.querySelector<HTMLInputElement>(".knowledge-etl-repick-input");
		if (!input()) {
			const resume = (): HTMLElement | null => document.querySelector<HTMLElement>(".knowledge-etl-detail .knowledge-etl-action-resume");
			await until(() => resume() !== null, "the panel's Resume button", 10_000);
			resume()!.click();
			await until(() => input() !== null, "the pick-again dialog", 10_000);
		}
		const el = input()!;
		const error = (): string => textOf(".knowledge-etl-repick-input ~ .knowledge-etl-error-text") ?? "";
		// The dialog's word about an earlier file is cleared, so that a word read below is about this one.
		const errorEl = document.querySelector(".knowledge-etl-repick-input ~ .knowledge-etl-error-text");
		if (errorEl) errorEl.textContent = "";
		const notices = noticeLog.length;
		const transfer = new DataTransfer();
		transfer.items.add(exports.get(name)!);
		el.files = transfer.files;
		el.dispatchEvent(new Event("change"));
		await until(() => !el.isConnected || plugin!.runs.isRunning || error() !== "", "the dialog to take or refuse the file");
		if (el.isConnected && error() !== "") return error();
		// Taken: the resume starts once the dialog has closed (a Notice at the latest when it ends).
		await until(() => plugin!.runs.isRunning || noticeLog.length > notices, "the resume to start");
		await plugin!.runs.whenIdle();
		return null;
	},

	/**
	 * What the panel shows for the selected session, once it has redrawn from the session files: no refresh running and
	 * none waiting for its throttle (500 ms after the last one; a run that ends within that window is drawn when it
	 * passes, so a fixed wait here read "Running" for a finished run whenever the run ended quickly).
	 */
	async panelState(): Promise<{
		badge: string | null;
		phaseBadge: string | null;
		stages: { stage: string; status: string | null; counts: string | null }[];
		canResume: boolean;
	}> {
		await sleep(50);
		const view = harness.panelView() as unknown as { timer: number | null; refreshing: Promise<void> | null };
		await until(() => view.timer === null && view.refreshing === null, "the panel to redraw", 10_000);
		const detail = document.querySelector(".knowledge-etl-detail");
		if (!detail) throw new Error("harness: the panel shows no session");
		return {
			badge: textOf(".knowledge-etl-detail-header .knowledge-etl-badge", detail),
			phaseBadge: textOf(".knowledge-etl-phase-header .knowledge-etl-badge", detail),
			stages: [...detail.querySelectorAll<HTMLElement>(".knowledge-etl-stage")].map((el) => ({
				stage: el.dataset.stage ?? "",
				status: textOf(".knowledge-etl-badge", el),
				counts: textOf(".knowledge-etl-stage-counts", el),
			})),
			canResume: detail.querySelector(".knowledge-etl-action-resume") !== null,
		};
	},

	/** Every visible Markdown note (path → text), as the Vault API lists them. */
	async notes(): Promise<Record<string, string>> {
		const out: Record<string, string> = {};
		for (const f of app.vault.getMarkdownFiles()) out[f.path] = await app.vault.read(f);
		return out;
	},

	/** A session file through the adapter (`.staging/@session/<id>/…`). */
	async stagingFile(path: string): Promise<string | null> {
		return (await app.vault.adapter.exists(path)) ? app.vault.adapter.read(path) : null;
	},

	async sessionIds(): Promise<string[]> {
		if (!(await app.vault.adapter.exists(".staging/@session"))) return [];
		return (await app.vault.adapter.list(".staging/@session")).folders.map((f) => f.split("/").pop()!).sort();
	},

	notices(): string[] {
		return [...noticeLog];
	},

	startLongTasks(): void {
		longTasks.length = 0;
		recordingLongTasks = true;
	},

	stopLongTasks(): { count: number; over50: number; longest: number; total: number; tasks: { start: number; duration: number }[] } {
		recordingLongTasks = false;
		return {
			tasks: [...longTasks],
			count: longTasks.length,
			over50: longTasks.filter((t) => t.duration > 50).length,
			longest: Math.max(0, ...longTasks.map((t) => t.duration)),
			total: longTasks.reduce((n, t) => n + t.duration, 0),
		};
	},

	/**
	 * Marks the page's clock in a CPU profile: runs (busy) for `ms` in a function of this name and returns when it
	 * started (performance.now()); the profile's first sample in it gives the offset between the two clocks.
	 */
	profileAnchor(ms: number): number {
		const start = performance.now();
		while (performance.now() - start < ms) {
			// busy: the profiler must sample this function
		}
		return start;
	},

	/** From now on no Web Worker can start in this page (as where a CSP or the platform forbids them). */
	forbidWorkers(): void {
		globalThis.Worker = class {
			constructor() {
				throw new DOMException("Workers are not allowed here", "SecurityError");
			}
		} as unknown as typeof Worker;
	},

	/** Workers may start again (undoes forbidWorkers). */
	allowWorkers(): void {
		globalThis.Worker = CountedWorker;
	},

	/**
	 * On: a worker the plugin ends is counted as ended but kept until `keepEndedWorkers(false)` (a profiler attached
	 * to it can then still hand over its profile; it runs nothing more). Off: those kept are ended.
	 */
	keepEndedWorkers(on: boolean): void {
		keepEndedWorkers = on;
		if (!on) for (const end of ended.splice(0)) end();
	},

	workers(): { started: number; terminated: number; live: number } {
		return { ...workers };
	},

	/**
	 * From now on extract's copies of the conversations (`extract/output/conversations-*.jsonl`, as large as the
	 * export) keep only their sizes: the heap measured is then the plugin's and its worker's, plus the rest of the
	 * in-memory vault (see diskBytes), without the bulk that Obsidian keeps on disk. Reading one fails the run.
	 */
	keepShardSizesOnly(): void {
		disk.sizesOnly = (p) => /\/extract\/output\/conversations-\d+\.jsonl$/.test(p);
	},

	/** The session panel's view (its refresh and draw are timed by measurePanel). */
	panelView(): {
		refresh(): Promise<void>;
		draw(model: unknown): void;
		lastModel: unknown;
		renderCount: number;
		loadCount: number;
		contentEl: HTMLElement;
	} {
		const leaf = app.workspace.getLeavesOfType("knowledge-etl-sessions")[0];
		const view = leaf?.view as ReturnType<typeof harness.panelView> | undefined;
		if (!view) throw new Error("harness: the session panel is not open");
		return view;
	},

	/** Times draws of the open panel from now on (its DOM redraw, synchronous), with the items its stages showed. */
	startPanelTiming(): void {
		const view = harness.panelView() as unknown as { draw(model: unknown): void };
		const draw = view.draw.bind(view);
		panelDraws.length = 0;
		view.draw = (model: unknown) => {
			const t0 = performance.now();
			draw(model);
			panelDraws.push({ ms: performance.now() - t0, items: panelItems() });
		};
	},

	panelDraws(): { ms: number; items: number }[] {
		return [...panelDraws];
	},

	/**
	 * The panel's work per refresh on the selected session, `times` times: a refresh (the session files read
	 * since the last one and the model built) and a redraw of its DOM; the median ms of each, and the items shown.
	 */
	async measurePanel(times = 9): Promise<{ refreshMs: number; drawMs: number; items: number }> {
		const view = harness.panelView();
		const refresh: number[] = [];
		const draw: number[] = [];
		for (let i = 0; i < times; i++) {
			await sleep(20);
			let t0 = performance.now();
			await view.refresh();
			refresh.push(performance.now() - t0);
			t0 = performance.now();
			view.draw(view.lastModel);
			draw.push(performance.now() - t0);
		}
		const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
		return { refreshMs: median(refresh), drawMs: median(draw), items: panelItems() };
	},

	/** Bytes the in-memory vault holds (its "disk": notes and session files live in the page's heap here, not in Obsidian's). */
	diskBytes(): number {
		let n = 0;
		for (const e of disk.entries.values()) if (e.kind === "file") n += e.heldBytes();
		return n;
	},

	/** Bytes written per path, the `top` paths that had the most (whole writes and appends). */
	diskWrites(top = 20): { path: string; bytes: number; writes: number }[] {
		return [...disk.written]
			.map(([path, w]) => ({ path, ...w }))
			.sort((a, b) => b.bytes - a.bytes)
			.slice(0, top);
	},

	diskCalls(): Record<string, number> {
		return Object.fromEntries(disk.calls);
	},

	/**
	 * One kind of an import's file work (store-work.ts) against the stand-in's adapter and its Node fs (a fresh vault
	 * for the first); ms of wall time (the benchmark reads the page's CPU around it: bench/plugin-browser-store.ts).
	 */
	async storeWork(name: StoreWorkName, fresh: boolean): Promise<number> {
		if (fresh) harness.boot(booted.mainJs, booted.manifestJson);
		const a = app.vault.adapter;
		const fs = memoryFs(disk) as {
			promises: {
				open(
					p: string,
					f: string,
				): Promise<{
					stat(): Promise<{ size: number }>;
					read(b: Uint8Array, o: number, l: number, p: number): Promise<{ bytesRead: number }>;
					close(): Promise<void>;
				}>;
			};
		};
		const store: WorkStore = {
			append: (p, d) => a.append(p, d),
			write: (p, d) => a.write(p, d),
			read: (p) => a.read(p),
			readRange: async (p, position, length) => {
				const handle = await fs.promises.open(`${VAULT_ROOT}/${p}`, "r");
				try {
					const { size } = await handle.stat();
					const want = Math.max(0, Math.min(length, size - position));
					return (await handle.read(new Uint8Array(want), 0, want, position)).bytesRead;
				} finally {
					await handle.close();
				}
			},
			mkdir: (p) => a.mkdir(p),
		};
		if (fresh) await prepareStoreWork(store);
		const t0 = performance.now();
		await STORE_WORK[name](store);
		return performance.now() - t0;
	},

	/** Turns debug mode on (the plugin logs to the console then), saved as the settings tab would. */
	async setDebug(on: boolean): Promise<void> {
		plugin!.settings.debugMode = on;
		await plugin!.saveSettings();
	},
};

/** Draws of the panel timed since startPanelTiming. */
const panelDraws: { ms: number; items: number }[] = [];

/** The most items a stage of the panel's selected session shows done ("1,204 of 2,000": 1,204). */
function panelItems(): number {
	let most = 0;
	for (const el of document.querySelectorAll(".knowledge-etl-detail .knowledge-etl-stage-counts")) {
		const m = /^([\d,]+)/.exec(el.textContent ?? "");
		if (m) most = Math.max(most, Number(m[1]!.replace(/,/g, "")));
	}
	return most;
}

/** The plugin's status bar text (the stub keeps the item it made; Obsidian puts it in its status bar). */
function statusText(): string {
	const items = (plugin as unknown as { statusBarItems?: HTMLElement[] } | null)?.statusBarItems ?? [];
	return items.map((el) => el.textContent ?? "").join(" ");
}

(globalThis as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;
