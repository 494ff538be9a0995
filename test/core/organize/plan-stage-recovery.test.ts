import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { resumeOrganizeSession, retryOrganizeSession } from "../../../src/core/organize/continue-organize-session";
import { applyOrganizeSession, organizeOutputPaths, runOrganizeSession } from "../../../src/core/organize/organize-session";
import { readPlannedItems } from "../../../src/core/organize/organize-stages";
import { PlanSchema } from "../../../src/core/organize/plan";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";
import { organizeStoppedAt } from "../_support/organize-runs";

// What a cancelled or killed plan stage (first run, resume, retry) leaves behind, and what the next run makes of it.

const LONG = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const NOW = new Date("2026-01-24T07:45:49Z");
const BROKEN = `---\ntitle: [unclosed\ntags: x\n---\nHotel and flight booking for the trip. ${LONG}\n`;
const FIXED = BROKEN.replace("[unclosed", "Fixed trip");

async function vaultWith(files: Record<string, string>) {
	const root = await tempDir("plan-recovery-");
	for (const [path, text] of Object.entries(files)) {
		await mkdir(join(root, path, ".."), { recursive: true });
		await writeFile(join(root, path), text);
	}
	const store = new NodeStagingStore(root);
	return { root, store, deps: { store, vault: new NodeNoteVault(root), clock: new FakeClock() } };
}

const withBroken = {
	"Inbox/Money.md": `Budget, invoice and revenue of the company for the quarter. ${LONG}\n`,
	"Inbox/Sleep.md": `Sleep and exercise habits, a doctor visit. ${LONG}\n`,
	"Inbox/Broken.md": BROKEN,
};

/** The one session of a vault (a first run that threw does not say its id). */
async function onlySession(store: NodeStagingStore): Promise<string> {
	const { folders } = await store.list(".staging/@session");
	expect(folders).toHaveLength(1);
	return (folders[0] ?? "").split("/").pop() ?? "";
}

async function planItemOf(root: string, sessionId: string, path: string) {
	const plan = PlanSchema().parse(JSON.parse(await readFile(join(root, organizeOutputPaths(sessionId).plan), "utf8")));
	return plan.items.find((item) => item.from === path);
}

describe("a retry cut short after planning a failed note again", () => {
	it("cancelled: plan.json takes the note at once, and Apply moves it", async () => {
		const { root, store, deps } = await vaultWith(withBroken);
		const id = (await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW })).sessionId;
		expect((await planItemOf(root, id, "Inbox/Broken.md"))?.status).toBe("failed");
		await writeFile(join(root, "Inbox/Broken.md"), FIXED);
		const controller = new AbortController();
		const cut = await retryOrganizeSession(deps, id, {
			rewriteLinks: true,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.last?.id === "Inbox/Broken.md") controller.abort();
			},
		});
		expect(cut.cancelled).toBe(true);
		expect((await readPlannedItems(store, id)).get("Inbox/Broken.md")?.status).toBe("planned");
		expect((await ItemStatusIndex.read(store, id, "organize")).statusOf("transform", "Inbox/Broken.md")).toBe("success");
		const item = await planItemOf(root, id, "Inbox/Broken.md");
		expect(item?.status).toBe("planned"); // was: still "failed", for good
		expect(cut.plan?.items.find((i) => i.from === "Inbox/Broken.md")?.status).toBe("planned");
		await applyOrganizeSession(deps, id, { rewriteLinks: true });
		await expect(readFile(join(root, item?.to ?? "?"), "utf8")).resolves.toContain("Hotel and flight booking");
	});

	it("killed between the items append and the records append: a resume plans the note again and puts it in the plan", async () => {
		const { root, store, deps } = await vaultWith(withBroken);
		const id = (await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW })).sessionId;
		await writeFile(join(root, "Inbox/Broken.md"), FIXED);
		const append = store.append.bind(store);
		let dead = true;
		store.append = async (path: string, text: string) => {
			if (dead && path.endsWith("steps.jsonl")) throw new Error("simulated kill");
			return append(path, text);
		};
		await expect(retryOrganizeSession(deps, id, { rewriteLinks: true })).rejects.toThrow(/simulated kill/);
		dead = false;
		// The item says planned, the record still failed, plan.json failed: the state the kill leaves.
		expect((await readPlannedItems(store, id)).get("Inbox/Broken.md")?.status).toBe("planned");
		expect((await ItemStatusIndex.read(store, id, "organize")).statusOf("transform", "Inbox/Broken.md")).toBe("failed");
		expect((await planItemOf(root, id, "Inbox/Broken.md"))?.status).toBe("failed");
		// Was: "The plan is ready: nothing to resume", and a retry found no failed item in items.jsonl.
		const resumed = await resumeOrganizeSession(deps, id, { rewriteLinks: true });
		expect(resumed.message).toBeUndefined();
		expect((await planItemOf(root, id, "Inbox/Broken.md"))?.status).toBe("planned");
		const index = await ItemStatusIndex.read(store, id, "organize");
		expect(index.statusOf("transform", "Inbox/Broken.md")).toBe("success");
		expect(index.counts("transform")).toMatchObject({ total: 3, failed: 0 });
		expect((await retryOrganizeSession(deps, id, { rewriteLinks: true })).message).toBe("No failed items to retry");
	});
});

it("a retry killed after recording a note planned again (its apply refused) counts that note once", async () => {
	const files = {
		"Inbox/Money.md": `Budget, invoice and revenue of the company for the quarter. ${LONG}\n`,
		"Inbox/Sleep.md": `---\ntags: [health]\n---\nSleep and exercise habits, a doctor visit. ${LONG}\n`,
		"Inbox/Salary.md": `# Salary\n\nSalary, invoice and revenue talk with the company. ${LONG}\n`,
	};
	const { root, store, deps } = await vaultWith(files);
	const id = (await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW })).sessionId;
	expect((await ItemStatusIndex.read(store, id, "organize")).counts("transform").total).toBe(3);
	await writeFile(join(root, "Inbox/Sleep.md"), `${files["Inbox/Sleep.md"]}\nAdded by hand.\n`);
	const applied = await applyOrganizeSession(deps, id, { rewriteLinks: true });
	expect(applied.record?.failures.map((f) => f.path)).toEqual(["Inbox/Sleep.md"]);
	// The process dies at the first write of pipeline_folded.json after the note's new record (simulated: it throws).
	const [append, writeAtomic] = [store.append.bind(store), store.writeAtomic.bind(store)];
	let recorded = false;
	store.append = async (path: string, text: string) => {
		await append(path, text);
		if (path.endsWith("pipeline_stages.jsonl")) recorded = true;
	};
	store.writeAtomic = async (path: string, text: string) => {
		if (recorded && path.endsWith("pipeline_folded.json")) throw new Error("simulated kill");
		return writeAtomic(path, text);
	};
	await expect(retryOrganizeSession(deps, id, { rewriteLinks: true })).rejects.toThrow(/simulated kill/);
	expect((await ItemStatusIndex.read(store, id, "organize")).statusOf("transform", "Inbox/Sleep.md")).toBe("success");
	expect((await ItemStatusIndex.read(store, id, "organize")).counts("transform").total).toBe(3); // was 4
});

describe("the plan stage's running counts", () => {
	const files = {
		"Inbox/A.md": `Budget, invoice and revenue of the company for the quarter. ${LONG}\n`,
		"Inbox/B.md": `Sleep and exercise habits, a doctor visit. ${LONG}\n`,
		"Inbox/C.md": `Salary, invoice and revenue talk with the company. ${LONG}\n`,
	};

	it("a resume starts from the notes planned before (phase.json), not from zero", async () => {
		const { store, deps } = await vaultWith(files);
		await organizeStoppedAt(deps, 2, NOW);
		const sessionId = await onlySession(store);
		expect((await readPlannedItems(store, sessionId)).size).toBe(2);
		// phase.json as it stands when the resume plans its first note (what the panel reads then).
		const writeAtomic = store.writeAtomic.bind(store);
		let phaseJson = "";
		store.writeAtomic = async (path: string, text: string) => {
			if (path.endsWith("organize/phase.json")) phaseJson = text;
			return writeAtomic(path, text);
		};
		let seen: { total?: number } | undefined;
		const resumed = await resumeOrganizeSession(deps, sessionId, {
			rewriteLinks: true,
			onProgress: (p) => {
				if (p.last && !seen)
					seen = (JSON.parse(phaseJson) as { stages: { transform: { counts?: { total: number } } } }).stages.transform.counts ?? {};
			},
		});
		expect(resumed.plan?.items).toHaveLength(3);
		expect(seen?.total).toBe(2); // was 0: startStage had reset them
	});

	it("a first run killed after a periodic save leaves its folded count for status", async () => {
		const { store, deps } = await vaultWith(files);
		let notes = 0;
		await expect(
			runOrganizeSession(deps, {
				folder: "Inbox",
				apply: false,
				rewriteLinks: true,
				now: NOW,
				onProgress: (p) => {
					if (!p.last) return;
					if (++notes === 2) throw new Error("simulated kill");
					// Past the batch's real-time limit and the phase save's clock time: the first note is flushed and saved.
					const until = Date.now() + 250;
					while (Date.now() < until);
					deps.clock.advance(3000);
				},
			}),
		).rejects.toThrow(/simulated kill/);
		const sessionId = await onlySession(store);
		expect((await readPlannedItems(store, sessionId)).size).toBe(1);
		// Was 0: pipeline_folded.json was written only at the stage's end, and a note that went through has no record.
		expect((await ItemStatusIndex.read(store, sessionId, "organize")).counts("transform")).toMatchObject({ total: 1, failed: 0 });
	});
});
