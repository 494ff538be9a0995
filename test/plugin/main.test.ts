// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../../src/core/config/settings";
import { SessionView } from "../../src/plugin/view/session-view";
import { VIEW_TYPE_SESSIONS } from "../../src/plugin/view/view-type";
import { enableObsidianUi } from "../stubs/obsidian";
import { loadPlugin, until, type PluginFixture } from "./helpers";

let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	for (const el of document.querySelectorAll(".modal-container, .notice")) el.remove();
	if (fx) {
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	fx = null;
	vi.restoreAllMocks();
});

const dataFile = (f: PluginFixture) => path.join(f.dir, f.app.vault.configDir, "plugins/knowledge-etl/data.json");

describe("KnowledgeEtlPlugin", () => {
	it("registers the view, the command, a ribbon icon that imports, a clickable status bar item and the settings tab", async () => {
		fx = await loadPlugin();
		expect(fx.stub.viewTypes).toEqual([VIEW_TYPE_SESSIONS]);
		const command = fx.app.commands.commands.get("knowledge-etl:open-session-panel");
		expect(command?.name).toBe("Open session panel");
		expect(command?.hotkeys).toBeUndefined();
		expect(fx.stub.ribbonIcons.map((r) => r.title)).toEqual(["Import AI conversations"]);
		expect(fx.stub.statusBarItems).toHaveLength(1);
		expect(fx.stub.statusBarItems[0]!.textContent).toBe("");
		expect(fx.stub.statusBarItems[0]!.classList.contains("knowledge-etl-hidden")).toBe(true);
		expect(fx.stub.settingTabs).toHaveLength(1);
		fx.plugin.setStatusText("Import: 3/10");
		expect(fx.stub.statusBarItems[0]!.textContent).toBe("Import: 3/10");
		expect(fx.stub.statusBarItems[0]!.classList.contains("knowledge-etl-hidden")).toBe(false);
		// A click on the progress opens the panel.
		expect(fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)).toHaveLength(0);
		fx.stub.statusBarItems[0]!.click();
		await until(() => fx!.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS).length === 1, "the panel");
		// The ribbon opens the import dialog.
		fx.stub.ribbonIcons[0]!.el.click();
		await until(
			() => document.querySelector(".modal-container .modal-title")?.textContent === "Import AI conversations",
			"the import dialog",
		);
	});

	it("loads the time zone data once Obsidian is idle after the layout is ready (not at an import's start)", async () => {
		const idle: (() => void)[] = [];
		const win = window as unknown as { requestIdleCallback?: (f: () => void, o?: unknown) => number };
		const had = win.requestIdleCallback;
		win.requestIdleCallback = (f) => idle.push(f);
		try {
			const made = vi.spyOn(Intl, "DateTimeFormat");
			fx = await loadPlugin();
			expect(made).not.toHaveBeenCalled();
			expect(idle.length).toBeGreaterThan(0);
			for (const f of idle.splice(0)) f();
			expect(made).toHaveBeenCalled();
			expect(made.mock.calls.some(([, o]) => typeof (o as { timeZone?: unknown } | undefined)?.timeZone === "string")).toBe(true);
		} finally {
			if (had) win.requestIdleCallback = had;
			else delete win.requestIdleCallback;
		}
	});

	it("an unload before Obsidian is idle cancels the time zone warm-up", async () => {
		const win = window as unknown as {
			requestIdleCallback?: (f: () => void, o?: unknown) => number;
			cancelIdleCallback?: (h: number) => void;
		};
		const had = { request: win.requestIdleCallback, cancel: win.cancelIdleCallback };
		const pending = new Map<number, () => void>();
		let next = 1;
		win.requestIdleCallback = (f) => {
			pending.set(next, f);
			return next++;
		};
		win.cancelIdleCallback = (h) => void pending.delete(h);
		try {
			const f = await loadPlugin();
			expect(pending.size).toBeGreaterThan(0);
			f.stub.unload();
			expect(pending.size).toBe(0);
		} finally {
			if (had.request) win.requestIdleCallback = had.request;
			else delete win.requestIdleCallback;
			if (had.cancel) win.cancelIdleCallback = had.cancel;
			else delete win.cancelIdleCallback;
		}
	});

	it("opens the session panel in the right sidebar once, and reveals it again on the next call", async () => {
		fx = await loadPlugin();
		expect(await fx.app.commands.execute("knowledge-etl:open-session-panel")).toBe(true);
		const leaves = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS);
		expect(leaves).toHaveLength(1);
		expect(leaves[0]!.side).toBe("right");
		expect(leaves[0]!.view).toBeInstanceOf(SessionView);
		expect(leaves[0]!.view!.getDisplayText()).toBe("Knowledge ETL sessions");
		await fx.app.commands.execute("knowledge-etl:open-session-panel");
		await fx.plugin.activateSessionView();
		expect(fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)).toHaveLength(1);
		expect(fx.app.workspace.revealed.length).toBeGreaterThanOrEqual(2);
		expect(fx.app.workspace.revealed.every((l) => l === leaves[0])).toBe(true);
	});

	it("first run: the panel shows its toolbar and a welcome with how to get each export; Import opens the dialog", async () => {
		fx = await loadPlugin();
		await fx.plugin.activateSessionView();
		const view = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]!.view as unknown as SessionView;
		await until(() => view.contentEl.querySelector(".knowledge-etl-welcome") !== null, "the welcome");
		const toolbar = [...view.contentEl.querySelectorAll(".knowledge-etl-toolbar button")].map((b) => b.textContent);
		expect(toolbar).toEqual(["Import", "Organize", "Clean up"]);
		const welcome = view.contentEl.querySelector(".knowledge-etl-welcome")!.textContent ?? "";
		expect(welcome).toContain("ChatGPT: Settings → Data controls → Export data.");
		expect(welcome).toContain("Claude: Settings → Privacy → Export data.");
		expect(view.contentEl.querySelector(".knowledge-etl-session-list")).toBeNull();
		view.contentEl.querySelector<HTMLElement>(".knowledge-etl-welcome-import")!.click();
		await until(
			() => document.querySelector(".modal-container .modal-title")?.textContent === "Import AI conversations",
			"the import dialog",
		);
	});

	it("an error Notice stays until dismissed and opens the panel; an ordinary one does not ask to", async () => {
		fx = await loadPlugin();
		const info = fx.plugin.notify("Import done: 3 notes.");
		expect((info as unknown as { duration?: number }).duration).toBeUndefined();
		const error = fx.plugin.notify("Import failed: the export is not a zip", "error");
		expect((error as unknown as { duration?: number }).duration).toBe(0);
		const body = document.querySelector<HTMLElement>(".knowledge-etl-notice.is-error")!;
		const open = body.querySelector<HTMLElement>(".knowledge-etl-notice-open")!;
		expect(open.textContent).toBe("Open panel");
		expect(body.textContent).toContain("Import failed: the export is not a zip");
		open.click();
		await until(() => fx!.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS).length === 1, "the panel");
		expect(body.isConnected).toBe(false);
	});

	it("starts from the defaults, saves settings to data.json and loads them again", async () => {
		fx = await loadPlugin();
		expect(fx.plugin.settings).toEqual(defaultSettings());
		await fx.plugin.updateSettings((s) => {
			s.debugMode = true;
			s.llm.provider = "ollama";
			s.llm.model = "llama3.1:8b";
			s.genres = s.genres.slice(0, 2);
		});
		const saved = JSON.parse(await fs.readFile(dataFile(fx), "utf8")) as Record<string, unknown>;
		expect(saved.debugMode).toBe(true);
		fx.stub.unload();
		const again = await loadPlugin(fx.dir);
		fx = again;
		expect(again.plugin.settings.debugMode).toBe(true);
		expect(again.plugin.settings.llm).toMatchObject({ provider: "ollama", model: "llama3.1:8b", url: "http://127.0.0.1:11434" });
		expect(again.plugin.settings.genres).toHaveLength(2);
	});

	it("loads old or damaged data with defaults and warnings, never failing", async () => {
		const first = await loadPlugin();
		first.stub.unload();
		await fs.mkdir(path.dirname(dataFile(first)), { recursive: true });
		await fs.writeFile(
			dataFile(first),
			JSON.stringify({ debugMode: "yes", outputFolder: "Chats", llm: { concurrency: 0, model: "m" }, obsolete: 1 }),
		);
		const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
		fx = await loadPlugin(first.dir);
		expect(fx.plugin.settings.debugMode).toBe(false);
		expect(fx.plugin.settings.outputFolder).toBe("Chats");
		expect(fx.plugin.settings.llm.concurrency).toBe(1);
		expect(fx.plugin.settings.llm.model).toBe("m");
		expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/debugMode[\s\S]*llm\.concurrency/);
	});

	it("unloads cleanly: commands and the view type are gone, leaves are not detached", async () => {
		fx = await loadPlugin();
		await fx.plugin.activateSessionView();
		const statusEl = fx.stub.statusBarItems[0]!;
		document.body.appendChild(statusEl);
		fx.stub.unload();
		expect(fx.app.commands.commands.size).toBe(0);
		expect(fx.app.viewRegistry.size).toBe(0);
		expect(fx.stub.pendingCleanups()).toBe(0);
		expect(statusEl.isConnected).toBe(false);
		expect(fx.app.workspace.allLeaves()).toHaveLength(1);
	});
});
