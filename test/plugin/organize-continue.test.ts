// @vitest-environment happy-dom
import { NORMALIZE_RULES } from "../../src/core/organize/normalize-frontmatter";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyOrganizeSession, organizeOutputPaths, readOrganizeState } from "../../src/core/organize/organize-session";
import { PlanSchema, type Plan } from "../../src/core/organize/plan";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { cmd, hashes, panel, until, writeFiles, loadPlugin, type PluginFixture } from "./helpers";

const LONG_EN = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const LONG_JA = "このノートには十分な長さの本文があり、ゴミ箱行きにはならない普通の内容が書かれています。";
const BROKEN = `---\ntitle: [unclosed\n---\nHotel and flight booking for the trip. ${LONG_EN}\n`;

const FILES: Record<string, string> = {
	"AI Conversations/2024-03-01-docker-deploy.md": `---\ntitle: Docker deploy\nlayout: post\n---\nDocker and kubernetes deploy notes for the server.   \n${LONG_EN}\n`,
	"AI Conversations/京都旅行.md": `---\ntags: [旅行]\n---\nホテルを予約して観光地を回る旅行の計画。\n${LONG_JA}\n`,
	"AI Conversations/Index.md": `# Index\n\nA diary memo for today.\n${LONG_EN}\n- [[2024-03-01-docker-deploy]] and [[2024-03-01-docker-deploy|the deploy notes]]\n- [[京都旅行|Kyoto]]\n`,
	"AI Conversations/Money.md": `Budget, invoice and revenue of the company for the quarter. ${LONG_EN}\n`,
};

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

const button = (f: PluginFixture, cls: string) => panel(f).contentEl.querySelector<HTMLButtonElement>(`.${cls}`);

async function readPlan(f: PluginFixture, sessionId: string): Promise<Plan> {
	return PlanSchema().parse(JSON.parse(await fs.readFile(path.join(f.dir, organizeOutputPaths(sessionId).plan), "utf8")));
}

/** "Start organize session" on the import output folder; resolves with the session id once the plan is ready. */
async function startOrganize(f: PluginFixture): Promise<string> {
	// This file is about the organize flow: it keeps the layout of before (genre folders at the vault root, every
	// normalisation rule on for the user's own notes). The defaults have tests of their own (organize-ordinary-vault).
	f.plugin.settings.organizeGenreParent = "/";
	f.plugin.settings.organizeNormalize = [...NORMALIZE_RULES];
	expect(await f.app.commands.execute(cmd("start-organize-session"))).toBe(true);
	document.querySelector<HTMLElement>(".modal-container .suggestion-item")!.click();
	await until(() => noticeLog.some((n) => n.startsWith("Organize plan ready")), "the plan Notice");
	await f.plugin.runs.whenIdle();
	return (await new SessionManager(f.plugin.stagingStore, f.plugin.clock).latest())!.session_id;
}

describe("resume and retry of organize sessions in Obsidian", () => {
	it("an apply stopped part way: the panel offers Resume, which applies the rest; undo then restores every byte", async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, FILES);
		const start = await hashes(f.dir);
		const sessionId = await startOrganize(f);

		// Stopped after two steps, through the plugin's own ports (renameFile keeps the links).
		const controller = new AbortController();
		const deps = { store: f.plugin.stagingStore, vault: f.plugin.noteVault, clock: f.plugin.clock };
		const stopped = await applyOrganizeSession(deps, sessionId, {
			rewriteLinks: false,
			signal: controller.signal,
			onProgress: (p) => p.done === 2 && controller.abort(),
		});
		expect(stopped.cancelled).toBe(true);
		expect(await readOrganizeState(f.plugin.stagingStore, sessionId)).toBe("partially-applied");

		await f.plugin.showSession(sessionId);
		await until(() => button(f, "knowledge-etl-action-resume") !== null, "the Resume button");
		expect(button(f, "knowledge-etl-action-retry")).toBeNull();
		button(f, "knowledge-etl-action-resume")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize resume done")), "the resume Notice");
		await f.plugin.runs.whenIdle();
		expect(noticeLog.find((n) => n.startsWith("Organize resume done"))).toBe(
			'Organize resume done: 4 notes moved in all. Run "Undo organize session" to reverse it.',
		);
		expect(await readOrganizeState(f.plugin.stagingStore, sessionId)).toBe("applied");
		const plan = await readPlan(f, sessionId);
		expect(Object.keys(await hashes(f.dir)).sort()).toEqual(plan.items.map((i) => i.to).sort());
		const index = await fs.readFile(path.join(f.dir, plan.items.find((i) => i.from.endsWith("Index.md"))!.to), "utf8");
		expect(index).toContain("[[Docker deploy]] and [[Docker deploy|the deploy notes]]");
		expect((await new SessionManager(f.plugin.stagingStore, f.plugin.clock).load(sessionId)).status).toBe("completed");
		await until(() => button(f, "knowledge-etl-action-resume") === null, "the Resume button to go");

		await until(() => button(f, "knowledge-etl-action-undo-organize") !== null, "the Undo button");
		button(f, "knowledge-etl-action-undo-organize")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize undone")), "the undo Notice");
		await f.plugin.runs.whenIdle();
		expect(await hashes(f.dir)).toEqual(start);
	});

	it("a broken note in an applied plan: once fixed, the panel's Retry files it; the command then finds nothing to retry", async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, { ...FILES, "AI Conversations/Broken.md": BROKEN });
		const sessionId = await startOrganize(f);
		expect(noticeLog.find((n) => n.startsWith("Organize plan ready"))).toContain("1 failed");
		const deps = { store: f.plugin.stagingStore, vault: f.plugin.noteVault, clock: f.plugin.clock };
		await applyOrganizeSession(deps, sessionId, { rewriteLinks: false });
		await fs.writeFile(path.join(f.dir, "AI Conversations/Broken.md"), BROKEN.replace("[unclosed", "Hotel booking"));

		await f.plugin.showSession(sessionId);
		await until(() => button(f, "knowledge-etl-action-retry") !== null, "the Retry button");
		expect(button(f, "knowledge-etl-action-resume")).toBeNull();
		button(f, "knowledge-etl-action-retry")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize retry done")), "the retry Notice");
		await f.plugin.runs.whenIdle();
		expect(noticeLog.find((n) => n.startsWith("Organize retry done"))).not.toContain("still failed");
		expect(await fs.readFile(path.join(f.dir, "Travel/Hotel booking.md"), "utf8")).toContain("normalized: true");
		const session = await new SessionManager(f.plugin.stagingStore, f.plugin.clock).load(sessionId);
		expect(session.status).toBe("completed");
		expect(session.phases.organize?.counts.failed).toBe(0);
		await until(() => button(f, "knowledge-etl-action-retry") === null, "the Retry button to go");

		expect(await f.app.commands.execute(cmd("retry-failed-items"))).toBe(true);
		await until(() => noticeLog.includes("No session has failed items."), "the nothing-to-retry Notice");
	});

	it('"Retry failed items" plans again the fixed note of a plan not applied yet, and "Resume session" goes on with a stopped plan', async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, { ...FILES, "AI Conversations/Broken.md": BROKEN });
		const sessionId = await startOrganize(f);
		expect((await readPlan(f, sessionId)).items.find((i) => i.from.endsWith("Broken.md"))?.status).toBe("failed");
		await fs.writeFile(path.join(f.dir, "AI Conversations/Broken.md"), BROKEN.replace("[unclosed", "Hotel booking"));
		noticeLog.length = 0;

		expect(await f.app.commands.execute(cmd("retry-failed-items"))).toBe(true);
		await until(() => noticeLog.some((n) => n.startsWith("Organize plan ready")), "the new plan Notice");
		await f.plugin.runs.whenIdle();
		expect(noticeLog.find((n) => n.startsWith("Organize plan ready"))).not.toContain("failed");
		expect((await readPlan(f, sessionId)).items.find((i) => i.from.endsWith("Broken.md"))).toMatchObject({
			status: "planned",
			to: "Travel/Hotel booking.md",
		});

		// Nothing is left to resume: the command says so instead of offering the session.
		expect(await f.app.commands.execute(cmd("resume-session"))).toBe(true);
		await until(() => noticeLog.includes("No interrupted or failed session to resume."), "the nothing-to-resume Notice");
	});
});
