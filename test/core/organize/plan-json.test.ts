/**
 * plan.json is written from the items' JSON as items.jsonl got it (planJsonText), not by serialising the plan again:
 * it must be exactly JSON.stringify(plan), whatever became of the items (renamed, skipped or overwritten on a name
 * conflict, failed, dust, left alone).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { organizeOutputPaths, runOrganizeSession } from "../../../src/core/organize/organize-session";
import { planJsonText } from "../../../src/core/organize/organize-stages";
import type { ConflictPolicy, Plan } from "../../../src/core/organize/plan";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";

const LONG = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";

const FILES: Record<string, string> = {
	"Inbox/Notes.md": `---\ntitle: Notes\n---\nHotel list for the trip. ${LONG}\n`,
	"Inbox/sub/Notes.md": `---\ntitle: Notes\n---\nFlight list for the trip. ${LONG}\n`,
	"Inbox/more/Notes.md": `---\ntitle: Notes\n---\nA hotel and a flight for the trip. ${LONG}\n`,
	"Inbox/Broken.md": `---\ntitle: "Broken\nother: 1\n---\n${LONG}\n`,
	"Inbox/short.md": "tiny\n",
	"Inbox/Mine.md": `---\norganize: false\n---\n${LONG}\n`,
	"Inbox/Done.md": `---\nnormalized: true\n---\n${LONG}\n`,
	'Inbox/日本語 "quoted".md': `# 京都旅行\n\nホテルを予約して観光地を回る旅行の計画。\\ ${LONG}\n`,
	"Travel/Notes.md": `---\ntitle: Notes\ncreated: 2020-01-01\ntags: []\nsummary: ""\nfile_id: abc\ngenre: travel\ntopic: ""\nnormalized: true\n---\nExisting. ${LONG}\n`,
};

async function preview(policy: ConflictPolicy): Promise<{ plan: Plan; planJson: string | undefined; file: string }> {
	const root = await tempDir("ketl-plan-json-");
	for (const [path, content] of Object.entries(FILES)) {
		await mkdir(join(root, path, ".."), { recursive: true });
		await writeFile(join(root, path), content);
	}
	const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
	const result = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, conflictPolicy: policy });
	const file = await readFile(join(root, organizeOutputPaths(result.sessionId).plan), "utf8");
	return { plan: result.plan, planJson: result.planJson, file };
}

describe("plan.json", () => {
	it.each(["rename", "skip", "overwrite"] as const)("is JSON.stringify(plan) with conflicts settled by %s", async (policy) => {
		const { plan, planJson, file } = await preview(policy);
		// The vault has every kind of item (else the comparison proves little).
		const statuses = new Set(plan.items.map((item) => item.status));
		expect([...statuses].sort()).toEqual(["failed", "planned", "skipped"]);
		expect(plan.items.some((item) => item.conflict?.resolution === policy)).toBe(true);
		expect(planJson).toBe(JSON.stringify(plan));
		expect(file).toBe(`${JSON.stringify(plan)}\n`);
	});

	it("is JSON.stringify(plan) over several batches of items.jsonl, with conflicts inside and between batches", async () => {
		// 2,400 notes: three batches (1,000 a batch); a note named "Same.md" in every 150th folder, so that the plan
		// renames some items in every batch (their batch's text is sliced around them) and leaves the first alone.
		const root = await tempDir("ketl-plan-json-batches-");
		for (let index = 0; index < 2400; index++) {
			const folder = join(root, "Inbox", `f${String(index).padStart(4, "0")}`);
			await mkdir(folder, { recursive: true });
			const name = index % 150 === 7 ? "Same.md" : `Note ${index}.md`;
			await writeFile(join(folder, name), `A hotel and a flight for the trip, note ${index}. ${LONG}\n`);
		}
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
		const result = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true });
		const renamed = result.plan.items.flatMap((item, index) => (item.conflict ? [index] : []));
		expect(renamed.length).toBe(15);
		expect(renamed.some((index) => index > 2000)).toBe(true);
		const file = await readFile(join(root, organizeOutputPaths(result.sessionId).plan), "utf8");
		expect(result.planJson).toBe(JSON.stringify(result.plan));
		expect(file).toBe(`${JSON.stringify(result.plan)}\n`);
	});

	it("a plan whose items are not its last key is serialised whole", () => {
		const plan = { items: [], version: 1, createdAt: "2026-01-01T00:00:00.000Z", folder: "", force: false, conflictPolicy: "rename" };
		expect(planJsonText(plan as Plan)).toBe(JSON.stringify(plan));
		const empty = { version: 1, createdAt: "x", folder: "", force: false, conflictPolicy: "rename", items: [] } as Plan;
		expect(planJsonText(empty)).toBe(JSON.stringify(empty));
	});
});
