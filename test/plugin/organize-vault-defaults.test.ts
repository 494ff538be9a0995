// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizeOutputPaths } from "../../src/core/organize/organize-session";
import { PlanSchema } from "../../src/core/organize/plan";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { cmd, hashes, until, writeFiles, loadPlugin, type PluginFixture } from "./helpers";

const LONG = "We booked the hotel and planned the flight and the itinerary of the trip, with a travel budget for each day.";

/** A vault whose Obsidian settings name a daily-notes folder and a templates folder (read through the adapter). */
const FILES: Record<string, string> = {
	".obsidian/daily-notes.json": JSON.stringify({ folder: "Journal" }),
	".obsidian/plugins/templater-obsidian/data.json": JSON.stringify({ templates_folder: "Templates" }),
	"Journal/2026-12-05.md": `Rain. ${LONG}\n`,
	"Templates/Trip.md": `# <% tp.file.title %>\n\n${LONG}\n`,
	"Trip.md": `# Trip\n\n${LONG}\n`,
	"Notes/Paris.md": `# Paris\n\n${LONG}\n`,
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

describe("organize the whole vault in Obsidian, with the default settings", () => {
	it("leaves the vault's daily notes and templates alone, files notes under the output folder, and the confirmation counts notes and folders", async () => {
		fx = await loadPlugin();
		const f = fx;
		await writeFiles(f.dir, FILES);
		const start = await hashes(f.dir);
		expect(await f.app.commands.execute(cmd("start-organize-session"))).toBe(true);
		const whole = [...document.querySelectorAll<HTMLElement>(".modal-container .suggestion-item")].find(
			(i) => i.textContent === "Whole vault",
		)!;
		whole.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize plan ready")), "the plan Notice");
		await f.plugin.runs.whenIdle();
		const sessionId = (await new SessionManager(f.plugin.stagingStore, f.plugin.clock).latest())!.session_id;
		const plan = PlanSchema().parse(JSON.parse(await fs.readFile(path.join(f.dir, organizeOutputPaths(sessionId).plan), "utf8")));
		const byPath = new Map(plan.items.map((i) => [i.from, i]));
		expect(byPath.get("Journal/2026-12-05.md")).toMatchObject({ status: "skipped", reason: 'excluded: daily notes folder "Journal"' });
		expect(byPath.get("Templates/Trip.md")).toMatchObject({ status: "skipped", reason: 'excluded: templates folder "Templates"' });
		expect(byPath.get("Trip.md")).toMatchObject({
			status: "planned",
			to: "AI Conversations/Travel/Trip.md",
			frontmatterChanges: [],
			contentChanged: false,
		});
		expect(byPath.get("Notes/Paris.md")).toMatchObject({ status: "planned", to: "AI Conversations/Travel/Paris.md" });

		await until(() => f.plugin.organizeTargets.apply === sessionId, "the plan offered to apply");
		expect(await f.app.commands.execute(cmd("apply-organize-plan"))).toBe(true);
		await until(() => document.querySelector(".modal-container .knowledge-etl-confirm-text") !== null, "the confirmation");
		const texts = [...document.querySelectorAll(".modal-container .knowledge-etl-confirm-text")].map((e) => e.textContent);
		// Two notes leave two folders (the root and Notes) for one (AI Conversations/Travel).
		expect(texts).toContain("This organizes the whole vault: 2 notes in 3 folders will change.");
		document.querySelector<HTMLButtonElement>(".modal-container button.mod-cta")!.click();
		await until(() => noticeLog.some((n) => n.startsWith("Organize applied")), "the apply Notice");
		const after = await hashes(f.dir);
		for (const kept of ["Journal/2026-12-05.md", "Templates/Trip.md"]) expect(after[kept]).toBe(start[kept]);
		expect(after["AI Conversations/Travel/Trip.md"]).toBe(start["Trip.md"]);
		expect(after["AI Conversations/Travel/Paris.md"]).toBe(start["Notes/Paris.md"]);
	});
});
