// @vitest-environment happy-dom
import { NORMALIZE_RULES } from "../../src/core/organize/normalize-frontmatter";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizeOutputPaths } from "../../src/core/organize/organize-session";
import { PlanSchema, type Plan } from "../../src/core/organize/plan";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi, noticeLog, stubResolveLink } from "../stubs/obsidian";
import { cmd, hashes, panel, until, writeFiles, loadPlugin, type PluginFixture } from "./helpers";
import { startFakeLlmServer } from "../support/fake-llm-server";
import { folders } from "../support/vault-tree";

const LONG_EN = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const LONG_JA = "このノートには十分な長さの本文があり、ゴミ箱行きにはならない普通の内容が書かれています。";

/** English and Japanese notes in the import's output folder; Index and a note outside the folder link to them. */
const FILES: Record<string, string> = {
	"AI Conversations/2024-03-01-docker-deploy.md": `---\ntitle: Docker deploy\nlayout: post\n---\nDocker and kubernetes deploy notes for the server.   \n${LONG_EN}\n`,
	"AI Conversations/京都旅行.md": `---\ntags: [旅行]\n---\nホテルを予約して観光地を回る旅行の計画。\n${LONG_JA}\n`,
	"AI Conversations/Index.md": `# Index\n\nA diary memo for today.\n${LONG_EN}\n- [[2024-03-01-docker-deploy]] and [[2024-03-01-docker-deploy|the deploy notes]]\n- [[京都旅行|Kyoto]]\n`,
	"Other/Outside.md": `Not organized, but links in: [[2024-03-01-docker-deploy#Notes]].\n${LONG_EN}\n`,
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

const panelText = (f: PluginFixture) => panel(f).contentEl.textContent ?? "";

async function readPlan(f: PluginFixture, sessionId: string): Promise<Plan> {
	return PlanSchema().parse(JSON.parse(await fs.readFile(path.join(f.dir, organizeOutputPaths(sessionId).plan), "utf8")));
}

/** Runs "Start organize session" and picks the first folder offered (the default); resolves with the session id. */
async function startOrganize(f: PluginFixture): Promise<string> {
	// This file is about the organize flow: it keeps the layout of before (genre folders at the vault root, every
	// normalisation rule on for the user's own notes). The defaults have tests of their own (organize-ordinary-vault).
	f.plugin.settings.organizeGenreParent = "/";
	f.plugin.settings.organizeNormalize = [...NORMALIZE_RULES];
	expect(await f.app.commands.execute(cmd("start-organize-session"))).toBe(true);
	const items = [...document.querySelectorAll<HTMLElement>(".modal-container .suggestion-item")];
	expect(items[0]?.textContent).toBe("AI Conversations (import output folder)");
	expect(items.map((i) => i.textContent)).toContain("Whole vault");
	items[0]!.click();
	expect(document.querySelector(".modal-container")).toBeNull();
	await until(() => noticeLog.some((n) => n.startsWith("Organize plan ready")), "the plan Notice");
	const latest = await new SessionManager(f.plugin.stagingStore, f.plugin.clock).latest();
	return latest!.session_id;
}

describe("organize in Obsidian", () => {
	it("start → plan in the panel (nothing changed) → apply (links kept by renameFile) → undo: every file byte-identical", async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, FILES);
		const start = await hashes(f.dir);
		const startFolders = await folders(f.dir);
		expect(await f.app.commands.execute(cmd("apply-organize-plan"))).toBe(false);
		expect(await f.app.commands.execute(cmd("undo-organize-session"))).toBe(false);

		const sessionId = await startOrganize(f);
		expect(await hashes(f.dir)).toEqual(start); // a plan only
		const plan = await readPlan(f, sessionId);
		const to = new Map(plan.items.map((i) => [i.from, i.to]));
		expect(to.get("AI Conversations/2024-03-01-docker-deploy.md")).toBe("DevOps/Docker deploy.md");
		expect(to.get("AI Conversations/京都旅行.md")).toBe("Travel/京都旅行.md");
		const indexTo = to.get("AI Conversations/Index.md")!;
		expect(plan.items.some((i) => i.from.startsWith("Other/"))).toBe(false);

		// The panel shows the plan: organize badge in the list, summary, each move with its reason, an Apply button.
		await until(
			() => panelText(f).includes("AI Conversations/2024-03-01-docker-deploy.md → DevOps/Docker deploy.md"),
			"the plan in the panel",
		);
		const view = panel(f);
		const row = view.contentEl.querySelector(`.knowledge-etl-session-row[data-session-id="${sessionId}"]`)!;
		expect(row.textContent).toContain("Organize");
		expect(row.querySelector(".knowledge-etl-organize-tag")?.textContent).toBe("Plan ready");
		expect(row.textContent).toContain("3 notes");
		const organize = view.contentEl.querySelector(".knowledge-etl-organize")!;
		expect(organize.getAttribute("data-organize-state")).toBe("planned");
		expect(organize.querySelector('[data-count="moves"]')?.textContent).toBe("3 moves");
		expect(organize.querySelector('[data-count="failures"]')?.textContent).toBe("0 failures");
		expect(organize.textContent).toContain("AI Conversations/京都旅行.md → Travel/京都旅行.md");
		expect(organize.textContent).toContain(`AI Conversations/Index.md → ${indexTo}`);
		const docker = organize.querySelector(
			'.knowledge-etl-move[data-from="AI Conversations/2024-03-01-docker-deploy.md"] .knowledge-etl-move-reason',
		);
		expect(docker?.textContent).toMatch(/^devops: .*(docker|kubernetes)/i);
		expect(organize.querySelector(".knowledge-etl-action-apply-organize")).not.toBeNull();
		expect(organize.querySelector(".knowledge-etl-action-undo-organize")).toBeNull();

		// Apply (command) → a confirmation that says how many notes move → Apply.
		expect(await f.app.commands.execute(cmd("apply-organize-plan"))).toBe(true);
		await until(() => document.querySelector(".modal-container .knowledge-etl-confirm-text") !== null, "the confirmation");
		expect(document.querySelector(".modal-container .modal-title")?.textContent).toBe("Apply organize plan");
		expect(document.querySelector(".modal-container .knowledge-etl-confirm-text")?.textContent).toMatch(
			/^3 notes will move and 3 notes will be edited/,
		);
		document.querySelector<HTMLButtonElement>(".modal-container button.mod-cta")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize applied")), "the apply Notice");
		await f.plugin.runs.whenIdle();
		expect(noticeLog.find((n) => n.startsWith("Organize applied"))).toBe(
			'Organize applied: 3 notes moved, 3 edited. Run "Undo organize session" to reverse it.',
		);

		const after = Object.keys(await hashes(f.dir)).sort();
		expect(after).toEqual(["DevOps/Docker deploy.md", "Other/Outside.md", "Travel/京都旅行.md", indexTo].sort());
		expect(startFolders).not.toContain("DevOps"); // the apply makes the genre folders…
		expect(f.app.fileManager.renames.map((r) => r.to).sort()).toEqual(["DevOps/Docker deploy.md", "Travel/京都旅行.md", indexTo].sort());
		// The links (rewritten by renameFile, as Obsidian does) still resolve to the moved notes.
		const all = Object.keys(await hashes(f.dir));
		const index = await fs.readFile(path.join(f.dir, indexTo), "utf8");
		expect(index).toContain("[[Docker deploy]] and [[Docker deploy|the deploy notes]]");
		expect(index).toContain("normalized: true");
		for (const link of ["Docker deploy", "京都旅行"])
			expect(stubResolveLink(link, indexTo, all)).toBe(
				to.get(`AI Conversations/${link === "京都旅行" ? "京都旅行" : "2024-03-01-docker-deploy"}.md`),
			);
		const outside = await fs.readFile(path.join(f.dir, "Other/Outside.md"), "utf8");
		expect(outside).toContain("[[Docker deploy#Notes]]");
		expect(stubResolveLink("Docker deploy", "Other/Outside.md", all)).toBe("DevOps/Docker deploy.md");

		// The panel now says applied and offers Undo; the apply command is gone, the undo command is there.
		await until(() => panel(f).contentEl.querySelector(".knowledge-etl-action-undo-organize") !== null, "the Undo button");
		expect(panel(f).contentEl.querySelector(".knowledge-etl-organize-tag")?.textContent).toBe("Applied");
		expect(panelText(f)).toContain("3 notes moved, 3 edited");
		expect(await f.app.commands.execute(cmd("apply-organize-plan"))).toBe(false);
		expect(f.plugin.organizeTargets.undo).toBe(sessionId);

		// Undo from the panel's button: every file back, byte for byte.
		panel(f).contentEl.querySelector<HTMLButtonElement>(".knowledge-etl-action-undo-organize")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize undone")), "the undo Notice");
		await f.plugin.runs.whenIdle();
		expect(noticeLog.find((n) => n.startsWith("Organize undone"))).toMatch(/^Organize undone: \d+ changes reversed\.$/);
		expect(await hashes(f.dir)).toEqual(start);
		// …and undo takes them away again (to the trash, as Obsidian removes things): no empty genre folders left.
		expect(await folders(f.dir)).toEqual(startFolders);
		expect(f.app.vault.getFolderByPath("DevOps")).toBeNull();
		await until(() => panel(f).contentEl.querySelector(".knowledge-etl-organize-tag")?.textContent === "Undone", "the panel to say undone");
		expect(await f.app.commands.execute(cmd("undo-organize-session"))).toBe(false);
	});

	it("lists 20 moves, then all of them on 'Show all'; the panel's Apply asks first and Cancel changes nothing", async () => {
		fx = await loadPlugin();
		const f = fx;
		const many: Record<string, string> = {};
		for (let i = 1; i <= 25; i++)
			many[`AI Conversations/Trip ${String(i).padStart(2, "0")}.md`] =
				`# Trip ${i}\n\nBooked a hotel and a flight for the trip.\n${LONG_EN}\n`;
		await writeFiles(f.dir, many);
		const start = await hashes(f.dir);
		const sessionId = await startOrganize(f);
		await until(() => panel(f).contentEl.querySelectorAll(".knowledge-etl-move").length > 0, "the moves");
		const content = panel(f).contentEl;
		expect(content.querySelectorAll(".knowledge-etl-move")).toHaveLength(20);
		expect(content.textContent).toContain("Moves (25)");
		const showAll = content.querySelector<HTMLButtonElement>(".knowledge-etl-action-show-all-moves")!;
		expect(showAll.textContent).toBe("Show all 25 moves");
		showAll.click();
		await until(() => panel(f).contentEl.querySelectorAll(".knowledge-etl-move").length === 25, "all moves");
		// A refresh with nothing new keeps the list open.
		await panel(f).refresh();
		expect(panel(f).contentEl.querySelectorAll(".knowledge-etl-move")).toHaveLength(25);

		panel(f).contentEl.querySelector<HTMLButtonElement>(".knowledge-etl-action-apply-organize")!.click();
		await until(() => document.querySelector(".modal-container .knowledge-etl-confirm-text") !== null, "the confirmation");
		expect(document.querySelector(".modal-container .knowledge-etl-confirm-text")?.textContent).toContain("25 notes will move");
		[...document.querySelectorAll<HTMLButtonElement>(".modal-container button")].find((b) => b.textContent === "Cancel")!.click();
		expect(document.querySelector(".modal-container")).toBeNull();
		expect(f.plugin.runs.isRunning).toBe(false);
		expect(await hashes(f.dir)).toEqual(start);
		expect(f.plugin.organizeTargets.apply).toBe(sessionId);
	});

	it("a second organize run is refused while one goes, and the end Notice of a plan with nothing to do says so", async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, { "AI Conversations/Done.md": "---\nnormalized: true\n---\nAlready organized.\n" });
		// Another run holds the controller: choosing a folder says so and starts nothing.
		let release = (): void => undefined;
		const busy = f.plugin.runs.start(
			"import",
			null,
			() => new Promise<{ session_id: string }>((resolve) => (release = () => resolve({ session_id: "x" }))),
			() => "busy done",
		);
		expect(busy).not.toBeNull();
		expect(await f.app.commands.execute(cmd("start-organize-session"))).toBe(true);
		document.querySelector<HTMLElement>(".modal-container .suggestion-item")!.click();
		expect(noticeLog.at(-1)).toMatch(/^Import is still running/);
		release();
		await f.plugin.runs.whenIdle();
		expect(await new SessionManager(f.plugin.stagingStore, f.plugin.clock).latest()).toBeNull();
		await startOrganize(f);
		expect(noticeLog.find((n) => n.startsWith("Organize plan ready"))).toBe("Organize plan ready: nothing to change in 1 note.");
		expect(await f.app.commands.execute(cmd("apply-organize-plan"))).toBe(false);
		await until(() => panel(f).contentEl.querySelector(".knowledge-etl-organize") !== null, "the organize section");
		expect(panelText(f)).toContain("Nothing to change");
		expect(panel(f).contentEl.querySelector(".knowledge-etl-action-apply-organize")).toBeNull();
	});

	it("with an LLM configured, the plan's genres are the model's (through requestUrl)", async () => {
		const server = await startFakeLlmServer({ reply: () => '{"genre": "economy", "topic": "costs", "confidence": 0.9}' });
		try {
			fx = await loadPlugin();
			const f = fx;
			await f.plugin.updateSettings((s) => {
				s.llm.provider = "ollama";
				s.llm.url = server.url;
				s.llm.model = "test-model";
			});
			await writeFiles(f.dir, { "AI Conversations/Trip.md": `A hotel and flight plan.\n${LONG_EN}\n` });
			const sessionId = await startOrganize(f);
			const plan = await readPlan(f, sessionId);
			expect(plan.items.find((i) => i.from === "AI Conversations/Trip.md")?.to).toBe("Economy/Trip.md");
			expect(server.chatRequests).toHaveLength(1);
		} finally {
			await server.close();
		}
	});
});
