// @vitest-environment happy-dom
import { existsSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { retainSessions } from "../../src/plugin/session-actions";
import { loadPlugin, until, type PluginFixture } from "./helpers";

let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	if (fx) {
		await fx.plugin.runs.whenIdle();
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	fx = null;
	document.body.replaceChildren();
	noticeLog.length = 0;
});

const DAY = 24 * 60 * 60 * 1000;

/** Retention that happens in Obsidian (issue 16.2): once after start, old sessions go; undo data only when confirmed. */
describe("retention in the plugin", () => {
	it("removes old sessions by itself, and asks (naming them) before removing one whose organize run can be undone", async () => {
		fx = await loadPlugin();
		const plugin = fx.plugin;
		plugin.settings.retentionDays = 30;
		await fs.mkdir(path.join(fx.dir, "Inbox"), { recursive: true });
		await fs.writeFile(path.join(fx.dir, "Inbox", "Docker.md"), "# Docker\n\nA Dockerfile and a container image.\n");
		const applied = await plugin.etl.organize({ folder: "Inbox", apply: true });
		const now = plugin.clock.now().getTime();
		const make = async (daysAgo: number) =>
			(await new SessionManager(plugin.stagingStore, { now: () => new Date(now - daysAgo * DAY) }).create({ debugMode: false })).session_id;
		const old = await make(45);
		const recent = await make(3);
		// The organize session is old too.
		const sessionFile = path.join(fx.dir, ".staging/@session", applied.sessionId, "session.json");
		const session = JSON.parse(await fs.readFile(sessionFile, "utf8")) as { created_at: string };
		await fs.writeFile(sessionFile, JSON.stringify({ ...session, created_at: new Date(now - 60 * DAY).toISOString() }));

		await plugin.retainOnce();
		const ids = async () => (await new SessionManager(plugin.stagingStore, plugin.clock).list()).sessions.map((s) => s.session_id);
		expect(await ids()).not.toContain(old);
		expect(await ids()).toEqual(expect.arrayContaining([recent, applied.sessionId]));
		// The modal names the kept session; nothing of it goes until the user says so.
		const modal = document.querySelector(".knowledge-etl-retention")!;
		expect(modal.textContent).toContain("can still be undone");
		expect(modal.querySelectorAll("li")).toHaveLength(1);
		const button = [...modal.querySelectorAll("button")].find((b) => b.textContent === "Delete them")!;
		button.click();
		await until(async () => !(await ids()).includes(applied.sessionId), "the undoable session removed");
		expect(await ids()).toContain(recent);
		// Once per start.
		await plugin.retainOnce();
		expect(document.querySelectorAll(".knowledge-etl-retention")).toHaveLength(0);
	});

	it("'Keep them' is remembered: the kept sessions are not asked about again, a newly old one is", async () => {
		fx = await loadPlugin();
		const plugin = fx.plugin;
		plugin.settings.retentionDays = 30;
		await fs.mkdir(path.join(fx.dir, "Inbox"), { recursive: true });
		const now = plugin.clock.now().getTime();
		/** An applied organize session (undo data), made `daysAgo` old. */
		const oldApplied = async (name: string, daysAgo: number): Promise<string> => {
			await fs.writeFile(path.join(fx!.dir, "Inbox", `${name}.md`), `# ${name}\n\nA Dockerfile and a container image.\n`);
			const { sessionId } = await plugin.etl.organize({ folder: "Inbox", apply: true });
			const file = path.join(fx!.dir, ".staging/@session", sessionId, "session.json");
			const session = JSON.parse(await fs.readFile(file, "utf8")) as { created_at: string };
			await fs.writeFile(file, JSON.stringify({ ...session, created_at: new Date(now - daysAgo * DAY).toISOString() }));
			return sessionId;
		};
		const first = await oldApplied("Docker", 60);
		const modalItems = () => [...document.querySelectorAll(".knowledge-etl-retention li")].map((li) => li.textContent);

		expect((await retainSessions(plugin))?.asked).toEqual([first]);
		expect(modalItems()).toHaveLength(1);
		const keep = [...document.querySelectorAll(".knowledge-etl-retention button")].find((b) => b.textContent === "Keep them")!;
		(keep as HTMLButtonElement).click();
		expect(plugin.settings.retentionKept).toEqual([first]);
		await until(async () => JSON.stringify(await plugin.loadData()).includes(first), "the choice saved");

		// The next start: not asked again.
		expect((await retainSessions(plugin))?.asked).toEqual([]);
		expect(document.querySelectorAll(".knowledge-etl-retention")).toHaveLength(0);

		// Another session gets old: only that one is named.
		await new Promise((r) => setTimeout(r, 1100)); // session ids are to the second
		const second = await oldApplied("Kubernetes", 45);
		expect((await retainSessions(plugin))?.asked).toEqual([second]);
		expect(modalItems()).toHaveLength(1);
		const ids = async () => (await new SessionManager(plugin.stagingStore, plugin.clock).list()).sessions.map((s) => s.session_id);
		expect(await ids()).toEqual(expect.arrayContaining([first, second]));
	});

	it("the vault lock taken from Obsidian names the app and the vault (issue 15)", async () => {
		fx = await loadPlugin();
		await fs.mkdir(path.join(fx.dir, "Inbox"), { recursive: true });
		await fs.writeFile(path.join(fx.dir, "Inbox", "Docker.md"), "# Docker\n\nA Dockerfile and a container image.\n");
		let lock = "";
		const lockFile = path.join(fx.dir, ".staging/vault.lock");
		await fx.plugin.etl.organize(
			{ folder: "Inbox", apply: true },
			{ onProgress: () => void (lock ||= existsSync(lockFile) ? readFileSync(lockFile, "utf8") : "") },
		);
		expect(lock).not.toBe("");
		expect((JSON.parse(lock) as { app: string }).app).toBe(`Obsidian, vault "${fx.app.vault.getName()}"`);
	});
});
