// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PhaseManager } from "../../src/core/session/phase-manager";
import { SessionManager } from "../../src/core/session/session-manager";
import { heartbeatFile } from "../../src/core/status/session-liveness";
import { COMMANDS } from "../../src/plugin/commands";
import { PALETTE } from "../../src/plugin/commands/palette";
import { SessionView } from "../../src/plugin/view/session-view";
import { VIEW_TYPE_SESSIONS } from "../../src/plugin/view/view-type";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { cmd, until, loadPlugin, type PluginFixture, pickFiles, tearDownPlugins } from "./helpers";

const SAMPLE = path.resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");
let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	await tearDownPlugins();
	vi.restoreAllMocks();
});

async function notesIn(dir: string): Promise<string[]> {
	const out: string[] = [];
	async function walk(d: string): Promise<void> {
		for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
			if (e.name.startsWith(".")) continue;
			const p = path.join(d, e.name);
			if (e.isDirectory()) await walk(p);
			else if (e.name.endsWith(".md")) out.push(path.relative(dir, p).split(path.sep).join("/"));
		}
	}
	await walk(dir);
	return out.sort();
}

const click = (selector: string) => document.querySelector<HTMLButtonElement>(selector)!.click();
const text = (selector: string) => document.querySelector(selector)?.textContent ?? "";

describe("session commands", () => {
	it("registers every command once, without hotkeys; cancel is offered only while a run goes", async () => {
		fx = await loadPlugin();
		// Every palette entry has its command, under its own id (the palette is registered before the engine loads).
		expect(Object.entries(COMMANDS).map(([id, c]) => [id, c.id])).toEqual(PALETTE.map((p) => [p.id, p.id]));
		expect(PALETTE.map((c) => c.id)).toEqual([
			"start-import-session",
			"start-organize-session",
			"apply-organize-plan",
			"undo-organize-session",
			"resume-session",
			"retry-failed-items",
			"cancel-running-session",
			"open-session-panel",
			"clean-old-sessions",
		]);
		expect(fx.stub.commands.map((c) => c.name)).toEqual([
			"Start import session",
			"Start organize session",
			"Apply organize plan",
			"Undo organize session",
			"Resume session",
			"Retry failed items",
			"Cancel running session",
			"Open session panel",
			"Clean old sessions",
		]);
		expect(await fx.app.commands.execute(cmd("cancel-running-session"))).toBe(false);
	});

	it("start import: the modal previews a real ChatGPT export, then imports it into the vault with status bar and Notice", async () => {
		fx = await loadPlugin();
		const statuses: string[] = [];
		const setStatus = fx.plugin.setStatusText.bind(fx.plugin);
		vi.spyOn(fx.plugin, "setStatusText").mockImplementation((t) => {
			statuses.push(t);
			setStatus(t);
		});
		expect(await fx.app.commands.execute(cmd("start-import-session"))).toBe(true);
		expect(text(".modal-container .modal-title")).toBe("Import AI conversations");
		expect(document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!.disabled).toBe(true);
		expect(document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.disabled).toBe(true);
		// The LLM switch is off and disabled: no LLM in the settings.
		expect(document.querySelector(".modal-container .checkbox-container, .modal-container input[type=checkbox]")).not.toBeNull();

		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json"), new File(["x"], "notes.txt")]);
		expect(text(".knowledge-etl-file-list")).toContain("conversations.json");
		expect(text(".knowledge-etl-file-list")).toContain("Not an export (.zip, .json, .html or .jsonl): notes.txt");
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		expect(text(".knowledge-etl-preview-provider")).toBe("Provider: ChatGPT");
		expect(text(".knowledge-etl-preview-conversations")).toBe("3 conversations");
		expect(text(".knowledge-etl-preview-counts")).toBe("3 new · 0 updated · 0 unchanged");
		expect(document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!.disabled).toBe(false);

		click(".knowledge-etl-start-button");
		expect(document.querySelector(".modal-container")).toBeNull(); // closed; the run goes on in the background
		expect(fx.plugin.runs.isRunning).toBe(true);
		await fx.plugin.runs.whenIdle();

		const notes = await notesIn(fx.dir);
		expect(notes).toHaveLength(3);
		expect(notes.every((n) => n.startsWith("AI Conversations/ChatGPT/"))).toBe(true);
		expect(notes.some((n) => n.includes("Docker COPY fails"))).toBe(true);
		expect(statuses.some((s) => /^Import: (\d so far|\d of 3)$/.test(s))).toBe(true);
		expect(statuses).toContain("Import: 3 of 3");
		expect(statuses.at(-1)).toBe("");
		expect(fx.stub.statusBarItems[0]!.classList.contains("knowledge-etl-hidden")).toBe(true);
		expect(noticeLog.at(-1)).toBe("Import done: 3 notes (3 created, 0 updated, 0 unchanged), 0 failed, 0 skipped.");
		const latest = (await new SessionManager(fx.plugin.stagingStore, fx.plugin.clock).latest())!;
		expect(latest.status).toBe("completed");
		expect(await fx.plugin.stagingStore.exists(heartbeatFile(latest.session_id))).toBe(false);

		// The panel links the notes the run created; a click opens one.
		const opened = vi.spyOn(fx.plugin.panelHandlers, "onOpenNote").mockImplementation(() => undefined);
		await fx.app.commands.execute(cmd("open-session-panel"));
		const view = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]?.view;
		if (!(view instanceof SessionView)) throw new Error("no session panel");
		const links = () => [...view.contentEl.querySelectorAll<HTMLAnchorElement>(".knowledge-etl-note-link")];
		await until(() => links().length === 3, "three note links in the panel");
		expect(view.contentEl.querySelector(".knowledge-etl-notes .knowledge-etl-subheading")?.textContent).toBe("Notes (3)");
		links()
			.find((a) => a.textContent === "Docker COPY fails file not found")!
			.click();
		expect(opened).toHaveBeenCalledWith("AI Conversations/ChatGPT/Docker COPY fails file not found.md");

		// A second preview of the same export: nothing new any more.
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the second preview");
		expect(text(".knowledge-etl-preview-counts")).toBe("0 new · 0 updated · 3 unchanged");
	});

	it("imports picked coding-agent session logs (.jsonl), one note per session in its tool's folder", async () => {
		fx = await loadPlugin();
		const sessions = path.resolve(import.meta.dirname, "../fixtures/sessions");
		const claudeCode = path.join(sessions, "claude-code/-home-dev-shop/5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl");
		const codex = path.join(sessions, "codex/2025/08/18/rollout-2025-08-18T07-41-09-6f1d2e3c-4b5a-4978-8a1b-2c3d4e5f6a7b.jsonl");
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([
			new File([await fs.readFile(claudeCode)], path.basename(claudeCode)),
			new File([await fs.readFile(codex)], path.basename(codex)),
		]);
		expect(text(".knowledge-etl-file-list")).not.toContain("Not an export");
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		expect(text(".knowledge-etl-preview-counts")).toBe("2 new · 0 updated · 0 unchanged");
		click(".knowledge-etl-start-button");
		await fx.plugin.runs.whenIdle();
		const notes = await notesIn(fx.dir);
		expect(notes).toEqual([
			"AI Conversations/Claude Code/The cart total ignores the discount code. Can you fix….md",
			"AI Conversations/Codex/Add a --version flag to the CLI.md",
		]);
		expect(noticeLog.at(-1)).toMatch(/^Import done: 2 notes/);
	});

	it("start import: a Gemini Takeout MyActivity.html is previewed as Gemini and lands in its own folder", async () => {
		fx = await loadPlugin();
		expect(await fx.app.commands.execute(cmd("start-import-session"))).toBe(true);
		const html = await fs.readFile(path.resolve(import.meta.dirname, "../fixtures/sources/gemini-MyActivity.html"));
		pickFiles([new File([html], "MyActivity.html")]);
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		expect(text(".knowledge-etl-preview-provider")).toBe("Provider: Gemini");
		expect(text(".knowledge-etl-preview-conversations")).toBe("3 conversations");
		click(".knowledge-etl-start-button");
		await fx.plugin.runs.whenIdle();
		const notes = await notesIn(fx.dir);
		expect(notes).toHaveLength(3);
		expect(notes.every((n) => n.startsWith("AI Conversations/Gemini/"))).toBe(true);
	});

	it("cancel stops a run after the item in hand; the panel's resume button finishes it", async () => {
		fx = await loadPlugin();
		const plugin = fx.plugin;
		let cancelled = false;
		const setStatus = plugin.setStatusText.bind(plugin);
		vi.spyOn(plugin, "setStatusText").mockImplementation((t) => {
			setStatus(t);
			if (!cancelled && /^Import: 1 so far$/.test(t)) {
				cancelled = true;
				expect(plugin.runs.runningSessionId === null || typeof plugin.runs.runningSessionId === "string").toBe(true);
				void fx!.app.commands.execute(cmd("cancel-running-session")).then((ok) => expect(ok).toBe(true));
			}
		});
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		click(".knowledge-etl-start-button");
		await plugin.runs.whenIdle();
		expect(cancelled).toBe(true);
		// The stages run at the same time: the conversation in hand may already be a note, no other one is.
		expect((await notesIn(fx.dir)).length).toBeLessThanOrEqual(1);
		expect(noticeLog.at(-1)).toMatch(/^Import stopped: Cancelled; resume the session to go on/);
		const sessions = new SessionManager(plugin.stagingStore, plugin.clock);
		const s = (await sessions.latest())!;
		expect(s.status).toBe("stopped");
		const extract = (await new PhaseManager(plugin.stagingStore, plugin.clock, sessions).load(s.session_id, "import")).stages.extract;
		expect(["stopped", "completed"]).toContain(extract.status); // extract runs ahead: it may have read all 3

		// Resume through the panel's button (the same handler the command uses).
		await plugin.panelHandlers.onResume(s.session_id);
		await plugin.runs.whenIdle();
		expect(await notesIn(fx.dir)).toHaveLength(3);
		expect((await sessions.load(s.session_id)).status).toBe("completed");
		expect(noticeLog.at(-1)).toMatch(/^Import done: 3 notes/);
	});

	it("clean removes only sessions older than the retention days", async () => {
		fx = await loadPlugin();
		const plugin = fx.plugin;
		plugin.settings.retentionDays = 30;
		const now = plugin.clock.now().getTime();
		const day = 24 * 60 * 60 * 1000;
		const make = async (daysAgo: number) =>
			(await new SessionManager(plugin.stagingStore, { now: () => new Date(now - daysAgo * day) }).create({ debugMode: false })).session_id;
		const old = await make(45);
		const older = await make(400);
		const recent = await make(29);
		const today = await make(0);
		await fx.app.commands.execute(cmd("clean-old-sessions"));
		await until(() => noticeLog.length > 0, "the notice");
		expect(noticeLog.at(-1)).toBe("Removed 2 sessions older than 30 days.");
		const left = (await new SessionManager(plugin.stagingStore, plugin.clock).list()).sessions.map((s) => s.session_id);
		expect(left.sort()).toEqual([recent, today].sort());
		expect(left).not.toContain(old);
		expect(left).not.toContain(older);
		expect(await fs.stat(path.join(fx.dir, ".staging/@session", old)).catch(() => null)).toBeNull();
	});

	it("unloading the plugin mid-run cancels the run cleanly and clears the status bar", async () => {
		fx = await loadPlugin();
		const plugin = fx.plugin;
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		click(".knowledge-etl-preview-button");
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		click(".knowledge-etl-start-button");
		expect(plugin.runs.isRunning).toBe(true);
		const statusEl = fx.stub.statusBarItems[0]!;
		fx.stub.unload();
		await plugin.runs.whenIdle();
		expect(statusEl.isConnected).toBe(false);
		const s = (await new SessionManager(plugin.stagingStore, plugin.clock).latest())!;
		expect(s.status).toBe("stopped"); // resumable, not failed
		expect(s.phases.import?.counts.failed).toBe(0);
		expect(await plugin.stagingStore.exists(heartbeatFile(s.session_id))).toBe(false);
		fx.stub.load(); // so afterEach can unload it again
	});
});
