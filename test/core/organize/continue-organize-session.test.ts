import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { AppliedRecordSchema } from "../../../src/core/organize/apply-plan";
import { resumeOrganizeSession, retryOrganizeSession } from "../../../src/core/organize/continue-organize-session";
import {
	applyOrganizeSession,
	organizeOutputPaths,
	OrganizeSessionError,
	readOrganizeState,
	runOrganizeSession,
	undoOrganizeSession,
} from "../../../src/core/organize/organize-session";
import { PlanSchema } from "../../../src/core/organize/plan";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { readPlannedItems } from "../../../src/core/organize/organize-stages";
import type { NoteVault } from "../../../src/core/ports/note-vault";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";
import { organizeStoppedAt } from "../_support/organize-runs";

const LONG_EN = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const LONG_JA = "このノートには十分な長さの本文があり、ゴミ箱行きにはならない普通の内容が書かれています。";
const NOW = new Date("2026-01-24T07:45:49.000Z");
const BROKEN = `---\ntitle: [unclosed\ntags: x\n---\nHotel and flight booking for the trip. ${LONG_EN}\n`;

const FILES: Record<string, string> = {
	"Inbox/2020-01-05-docker-tips.md": `---\nlayout: post\ntitle: "Docker tips"\n---\nDocker and kubernetes deploy notes for the server.   \n${LONG_EN}\n`,
	"Inbox/京都旅行.md": `---\ntags: [旅行]\n---\nホテルを予約して観光地を回る旅行の計画。\n${LONG_JA}\n`,
	"Inbox/Linker.md": `# Linker\n\nIndex of the inbox, a diary memo for today.   \n${LONG_EN}\n- [[2020-01-05-docker-tips]] and [[2020-01-05-docker-tips|the post]]\n- [[京都旅行]]\n- [budget](Money.md)\n`,
	"Inbox/Money.md": `Budget, invoice and revenue of the company for the quarter. ${LONG_EN}\n`,
	"Inbox/Salary.md": `# Salary\n\nSalary, invoice and revenue talk with the company. ${LONG_EN}\n`,
	"Inbox/short.md": "tiny\n",
	"Inbox/Sleep.md": `---\ntags: [health]\n---\nSleep and exercise habits, a doctor visit. ${LONG_EN}\n`,
};

async function writeVault(root: string, files: Record<string, string> = FILES): Promise<void> {
	for (const [path, content] of Object.entries(files)) {
		await mkdir(join(root, path, ".."), { recursive: true });
		await writeFile(join(root, path), content);
	}
}

/** Every file outside dot-folders, with its SHA-256. */
async function hashes(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		if (entry.name.startsWith(".")) continue;
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (entry.isDirectory()) Object.assign(out, await hashes(root, rel));
		else
			out[rel] = createHash("sha256")
				.update(await readFile(join(root, rel)))
				.digest("hex");
	}
	return out;
}

/** Like Obsidian's renameFile with "Automatically update internal links": `[[Old]]` / `[[Old|` follow a move. */
class LinkUpdatingVault extends NodeNoteVault {
	override async rename(from: string, to: string): Promise<void> {
		await super.rename(from, to);
		const base = (path: string) => path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/, "");
		const [oldName, newName] = [base(from), base(to)];
		if (oldName === newName) return;
		for (const path of await this.listMarkdown("")) {
			const text = await this.read(path);
			const next = text.split(`[[${oldName}]]`).join(`[[${newName}]]`).split(`[[${oldName}|`).join(`[[${newName}|`);
			if (next !== text) await this.modify(path, next);
		}
	}
}

async function vault(files: Record<string, string> = FILES, vaultClass: new (root: string) => NoteVault = NodeNoteVault) {
	const root = await tempDir("ketl-continue-organize-");
	await writeVault(root, files);
	const deps = { store: new NodeStagingStore(root), vault: new vaultClass(root), clock: new FakeClock() };
	return { root, deps, start: await hashes(root) };
}

async function planOf(root: string, sessionId: string) {
	return PlanSchema().parse(JSON.parse(await readFile(join(root, organizeOutputPaths(sessionId).plan), "utf8")));
}

describe("resumeOrganizeSession: planning", () => {
	it("planning cancelled part way, then resumed: only the rest is planned, and the plan equals an uninterrupted run's", async () => {
		const reference = await vault();
		const whole = await runOrganizeSession(reference.deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW });

		const { root, deps, start } = await vault();
		await organizeStoppedAt(deps, 3, NOW);
		const sessionId = (await readdir(join(root, ".staging/@session")))[0]!;
		expect(await readOrganizeState(deps.store, sessionId)).toBe("none");
		// A cancel leaves the session stopped (resume goes on), not failed.
		expect((await new SessionManager(deps.store, deps.clock).load(sessionId)).status).toBe("stopped");
		// items.jsonl proves the three notes planned; they went through, so none has a record of its own (issue 20).
		expect([...(await readPlannedItems(deps.store, sessionId)).keys()]).toHaveLength(3);
		const before = await ItemStatusIndex.read(deps.store, sessionId, "organize");
		expect(before.latest("transform").size).toBe(0);
		expect(before.counts("transform")).toMatchObject({ total: 3, success: 3 });

		const planned: string[] = [];
		const result = await resumeOrganizeSession(deps, sessionId, {
			rewriteLinks: true,
			onProgress: (p) => p.last && planned.push(p.last.id),
		});
		expect(result.cancelled).toBe(false);
		expect(planned).toHaveLength(Object.keys(FILES).length - 3); // the first three were not planned again
		expect(result.plan).toEqual(whole.plan);
		expect(await planOf(root, sessionId)).toEqual(whole.plan);
		expect(await hashes(root)).toEqual(start); // a preview: nothing applied
		const phase = await new PhaseManager(deps.store, deps.clock).load(sessionId, "organize");
		expect(phase.status).toBe("completed");
		expect(phase.stages.transform.counts).toMatchObject({ total: Object.keys(FILES).length, failed: 0 });
		expect(phase.counts).toEqual(whole.counts);
		// status counts every note once: the folded count of the notes without a record covers both runs.
		expect((await ItemStatusIndex.read(deps.store, sessionId, "organize")).counts("transform")).toMatchObject({
			total: Object.keys(FILES).length,
			failed: 0,
		});

		const again = await resumeOrganizeSession(deps, sessionId, { rewriteLinks: true });
		expect(again.message).toMatch(/nothing to resume/);
	});

	it("a run asked to apply, cancelled while planning: the resume plans the rest and applies; undo restores every byte", async () => {
		const { root, deps, start } = await vault();
		await organizeStoppedAt(deps, 2, NOW, true);
		const sessionId = (await readdir(join(root, ".staging/@session")))[0]!;
		const result = await resumeOrganizeSession(deps, sessionId, { rewriteLinks: true });
		expect(result.record?.complete).toBe(true);
		expect(result.record?.failures).toEqual([]);
		expect(Object.keys(await hashes(root))).toContain("DevOps/Docker tips.md");
		expect(await readFile(join(root, "Daily/Linker.md"), "utf8")).toContain("[[Docker tips]] and [[Docker tips|the post]]");
		expect((await undoOrganizeSession(deps, sessionId)).conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
		await expect(resumeOrganizeSession(deps, sessionId, { rewriteLinks: true })).rejects.toThrow(OrganizeSessionError);
	});
});

describe("retryOrganizeSession: planning failures", () => {
	it("a note with broken YAML fails; once the file is fixed, retry plans it and merges it into the plan; counts follow", async () => {
		const files = { ...FILES, "Inbox/Broken.md": BROKEN };
		const { root, deps } = await vault(files);
		const first = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW });
		const failed = first.plan.items.filter((item) => item.status === "failed");
		expect(failed.map((item) => item.from)).toEqual(["Inbox/Broken.md"]);
		expect(first.counts.failed).toBe(1);
		const phases = new PhaseManager(deps.store, deps.clock);
		expect((await phases.load(first.sessionId, "organize")).status).toBe("partial");
		// The failed note is recorded with its path and reason (panel, status); the others are only counted.
		const logged = await ItemStatusIndex.read(deps.store, first.sessionId, "organize");
		const failures = logged.failures("transform");
		expect(failures.map((f) => [f.item_id, f.title, f.stage])).toEqual([["Inbox/Broken.md", "Broken", "transform"]]);
		expect(failures[0]?.reason).toMatch(/^Invalid YAML frontmatter in "Inbox\/Broken\.md" at line 3/);
		expect(logged.latest("transform").size).toBe(1);
		expect(logged.counts("transform")).toMatchObject({ total: 8, failed: 1, success: 7 });

		// Still broken: the retry fails it again and nothing else changes.
		const still = await retryOrganizeSession(deps, first.sessionId, { rewriteLinks: true });
		expect(still.counts.failed).toBe(1);
		expect(still.plan).toEqual(first.plan);

		await writeFile(join(root, "Inbox/Broken.md"), BROKEN.replace("[unclosed", "Fixed trip"));
		const retried: string[] = [];
		const result = await retryOrganizeSession(deps, first.sessionId, {
			rewriteLinks: true,
			onProgress: (p) => p.last && retried.push(p.last.id),
		});
		expect(retried).toEqual(["Inbox/Broken.md"]);
		const item = result.plan?.items.find((i) => i.from === "Inbox/Broken.md");
		expect(item).toMatchObject({ status: "planned", to: "Travel/Fixed trip.md" });
		expect(result.plan?.items.filter((i) => i.from !== "Inbox/Broken.md")).toEqual(
			first.plan.items.filter((i) => i.from !== "Inbox/Broken.md"),
		);
		expect(result.counts).toMatchObject({ total: 8, failed: 0 });
		const phase = await phases.load(first.sessionId, "organize");
		expect(phase.status).toBe("completed");
		expect(phase.counts).toMatchObject({ total: 8, failed: 0 });
		expect(phase.stages.transform.counts).toMatchObject({ total: 8, failed: 0 });
		// The note planned again got a record of its outcome, which replaces its failure.
		const after = await ItemStatusIndex.read(deps.store, first.sessionId, "organize");
		expect(after.failures()).toEqual([]);
		expect(after.statusOf("transform", "Inbox/Broken.md")).toBe("success");
		expect(after.counts("transform")).toMatchObject({ total: 8, failed: 0, success: 8 });
		expect(await planOf(root, first.sessionId)).toEqual(result.plan);
		expect(await readFile(join(root, organizeOutputPaths(first.sessionId).planMarkdown), "utf8")).toContain(
			"`Inbox/Broken.md` → `Travel/Fixed trip.md`",
		);
		expect((await retryOrganizeSession(deps, first.sessionId, { rewriteLinks: true })).message).toBe("No failed items to retry");

		// The merged plan applies and undoes like any other.
		const start = await hashes(root);
		await applyOrganizeSession(deps, first.sessionId, { rewriteLinks: true });
		expect(Object.keys(await hashes(root))).toContain("Travel/Fixed trip.md");
		expect((await undoOrganizeSession(deps, first.sessionId)).conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
	});

	it("applied with a broken note: once fixed, retry plans it and applies it too; undo restores every byte", async () => {
		const files = { ...FILES, "Inbox/Broken.md": BROKEN };
		const { root, deps } = await vault(files);
		const first = await runOrganizeSession(deps, { folder: "Inbox", apply: true, rewriteLinks: true, now: NOW });
		expect(first.counts.failed).toBe(1);
		const fixed = BROKEN.replace("[unclosed", "Fixed trip");
		await writeFile(join(root, "Inbox/Broken.md"), fixed);
		const start = { ...(await hashes(root)) };
		const result = await retryOrganizeSession(deps, first.sessionId, { rewriteLinks: true });
		expect(result.counts.failed).toBe(0);
		expect(result.record?.complete).toBe(true);
		expect(await readFile(join(root, "Travel/Fixed trip.md"), "utf8")).toContain("normalized: true");
		await undoOrganizeSession(deps, first.sessionId);
		// Back to the start of the first run, except the fix made by hand.
		const original = await vault(files);
		await writeFile(join(original.root, "Inbox/Broken.md"), fixed);
		expect(await hashes(root)).toEqual(await hashes(original.root));
		expect(start).not.toEqual(await hashes(root));
	});
});

describe("resumeOrganizeSession: applying", () => {
	it.each([
		["links rewritten by us (CLI)", NodeNoteVault, true, 2],
		["links rewritten by us, cancelled in the move pass", NodeNoteVault, true, 9],
		["links kept by the vault (Obsidian)", LinkUpdatingVault, false, 3],
		["links kept by the vault, cancelled in the move pass", LinkUpdatingVault, false, 9],
	] as const)(
		"%s: an apply cancelled part way is resumed: every note applied, nothing twice; undo restores every byte",
		async (_name, vaultClass, rewriteLinks, stopAt) => {
			const reference = await vault(FILES, vaultClass);
			const whole = await runOrganizeSession(reference.deps, { folder: "Inbox", apply: false, rewriteLinks, now: NOW });
			await applyOrganizeSession(reference.deps, whole.sessionId, { rewriteLinks });
			const applied = await hashes(reference.root);

			const { root, deps, start } = await vault(FILES, vaultClass);
			const preview = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks, now: NOW });
			const controller = new AbortController();
			const stopped = await applyOrganizeSession(deps, preview.sessionId, {
				rewriteLinks,
				signal: controller.signal,
				onProgress: (p) => p.done === stopAt && controller.abort(),
			});
			expect(stopped.cancelled).toBe(true);
			expect(await readOrganizeState(deps.store, preview.sessionId)).toBe("partially-applied");

			const steps: number[] = [];
			const result = await resumeOrganizeSession(deps, preview.sessionId, { rewriteLinks, onApplyProgress: (p) => steps.push(p.done) });
			expect(result.cancelled).toBe(false);
			expect(result.record?.failures).toEqual([]);
			expect(result.record?.complete).toBe(true);
			expect(steps.length).toBeGreaterThan(0);
			expect(await hashes(root)).toEqual(applied); // the same vault as an uninterrupted apply
			const moves = result.record!.operations.filter((o) => o.type === "move").map((o) => o.from);
			expect(new Set(moves).size).toBe(moves.length); // no note moved twice
			expect(
				AppliedRecordSchema().parse(JSON.parse(await readFile(join(root, organizeOutputPaths(preview.sessionId).applied), "utf8"))),
			).toEqual(result.record);
			expect(await readOrganizeState(deps.store, preview.sessionId)).toBe("applied");
			const phase = await new PhaseManager(deps.store, deps.clock).load(preview.sessionId, "organize");
			expect(phase.status).toBe("completed");
			expect(phase.counts).toMatchObject({ total: Object.keys(FILES).length, failed: 0 });

			expect((await undoOrganizeSession(deps, preview.sessionId)).conflicts).toEqual([]);
			expect(await hashes(root)).toEqual(start);
		},
	);

	it("retry re-applies a note refused because it changed since the plan (planned again from its new text)", async () => {
		const { root, deps } = await vault();
		const preview = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW });
		const edited = `${FILES["Inbox/Sleep.md"]}\nAdded by hand after the preview.\n`;
		await writeFile(join(root, "Inbox/Sleep.md"), edited);
		const start = await hashes(root);
		const applied = await applyOrganizeSession(deps, preview.sessionId, { rewriteLinks: true });
		expect(applied.record.failures.map((f) => f.path)).toEqual(["Inbox/Sleep.md"]);
		expect((await new PhaseManager(deps.store, deps.clock).load(preview.sessionId, "organize")).status).toBe("partial");

		const result = await retryOrganizeSession(deps, preview.sessionId, { rewriteLinks: true });
		expect(result.record?.failures).toEqual([]);
		expect(result.counts.failed).toBe(0);
		expect(await readFile(join(root, "Health/Sleep.md"), "utf8")).toContain("Added by hand after the preview.");
		expect((await new PhaseManager(deps.store, deps.clock).load(preview.sessionId, "organize")).status).toBe("completed");
		expect((await undoOrganizeSession(deps, preview.sessionId)).conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
	});

	it("refuses an unknown session and one without an organize phase", async () => {
		const { deps } = await vault({ "a.md": "x\n" });
		await expect(resumeOrganizeSession(deps, "20200101_000000", { rewriteLinks: true })).rejects.toThrow(/not found/);
		const other = await new SessionManager(deps.store, deps.clock).create({ debugMode: false });
		await expect(retryOrganizeSession(deps, other.session_id, { rewriteLinks: true })).rejects.toThrow(/no organize phase/);
	});
});
