import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { AppliedRecordSchema } from "../../../src/core/organize/apply-plan";
import {
	applyOrganizeSession,
	organizeOutputPaths,
	OrganizeSessionError,
	readOrganizeState,
	runOrganizeSession,
	undoOrganizeSession,
} from "../../../src/core/organize/organize-session";
import type { NoteVault } from "../../../src/core/ports/note-vault";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { folders } from "../../support/vault-tree";
import { tempDir } from "../_support/temp-vault";

const LONG_EN = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const LONG_JA = "このノートには十分な長さの本文があり、ゴミ箱行きにはならない普通の内容が書かれています。";

const FILES: Record<string, string> = {
	"Inbox/2020-01-05-docker-tips.md": `---\nlayout: post\ntitle: "Docker tips"\n---\nDocker and kubernetes deploy notes for the server.   \n${LONG_EN}\n`,
	"Inbox/京都旅行.md": `---\ntags: [旅行]\n---\nホテルを予約して観光地を回る旅行の計画。\n${LONG_JA}\n`,
	// Sorted after the docker post: in one pass its planned hash would no longer match once the post moved.
	"Inbox/Linker.md": `# Linker\n\nIndex of the inbox, a diary memo for today.   \n${LONG_EN}\n- [[2020-01-05-docker-tips]] and [[2020-01-05-docker-tips|the post]]\n- [[京都旅行]]\n`,
	"Inbox/short.md": "tiny\n",
};

async function writeVault(root: string): Promise<void> {
	for (const [path, content] of Object.entries(FILES)) {
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

/**
 * A NoteVault that, like Obsidian's FileManager.renameFile with "Automatically update internal links", rewrites
 * `[[Old]]` / `[[Old|alias]]` in every note when a note moves (by base name; enough for these notes).
 */
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

async function setup(vaultClass: new (root: string) => NoteVault = NodeNoteVault) {
	const root = await tempDir("ketl-apply-organize-");
	await writeVault(root);
	const deps = { store: new NodeStagingStore(root), vault: new vaultClass(root), clock: new FakeClock() };
	const start = await hashes(root);
	const preview = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: false });
	return { root, deps, start, preview, sessionId: preview.sessionId };
}

describe("applyOrganizeSession", () => {
	it("applies a saved plan (links rewritten by us), finishes the phase, refuses a second apply; undo restores every byte", async () => {
		const { root, deps, start, sessionId } = await setup();
		expect(await hashes(root)).toEqual(start); // the preview changed nothing
		expect(await readOrganizeState(deps.store, sessionId)).toBe("planned");

		const steps: number[] = [];
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: true, onProgress: (p) => steps.push(p.done) });
		expect(result.cancelled).toBe(false);
		expect(result.record.failures).toEqual([]);
		expect(result.record.complete).toBe(true);
		expect(steps.at(-1)).toBeGreaterThan(3);
		expect(Object.keys(await hashes(root)).sort()).toEqual([
			"Daily/Linker.md",
			"DevOps/Docker tips.md",
			"Travel/京都旅行.md",
			"_dust/short.md",
		]);
		const linker = await readFile(join(root, "Daily/Linker.md"), "utf8");
		expect(linker).toContain("[[Docker tips]] and [[Docker tips|the post]]");
		expect(linker).toContain("[[京都旅行]]");

		const applied = AppliedRecordSchema().parse(JSON.parse(await readFile(join(root, organizeOutputPaths(sessionId).applied), "utf8")));
		expect(applied).toEqual(result.record);
		expect(await readOrganizeState(deps.store, sessionId)).toBe("applied");
		const phase = await new PhaseManager(deps.store, deps.clock).load(sessionId, "organize");
		expect(phase.status).toBe("completed");
		expect(phase.stages.load.status).toBe("completed");
		expect(phase.counts).toMatchObject({ total: 4, success: 4, failed: 0 });
		expect((await new SessionManager(deps.store, deps.clock).load(sessionId)).status).toBe("completed");

		await expect(applyOrganizeSession(deps, sessionId, { rewriteLinks: true })).rejects.toThrow(/already applied/);

		expect(await folders(root)).toEqual(["Daily", "DevOps", "Inbox", "Travel", "_dust"]);
		const made = result.record.operations.flatMap((o) => (o.type === "folder" ? [o.path] : []));
		expect(made.sort()).toEqual(["Daily", "DevOps", "Travel", "_dust"]); // recorded, for undo

		const undo = await undoOrganizeSession(deps, sessionId);
		expect(undo.conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
		// The genre folders the apply made are gone again: the vault looks as it did.
		expect(await folders(root)).toEqual(["Inbox"]);
		expect(undo.restored).toBe(result.record.operations.filter((o) => o.type !== "folder").length);
		expect(await readOrganizeState(deps.store, sessionId)).toBe("undone");
	});

	it("plan.json is the plan as compact JSON, the text the result hands to a printer; a plan written with tabs (older sessions) applies the same", async () => {
		const { root, deps, preview, sessionId } = await setup();
		const planPath = join(root, organizeOutputPaths(sessionId).plan);
		const saved = await readFile(planPath, "utf8");
		expect(saved).toBe(`${JSON.stringify(preview.plan)}\n`);
		expect(preview.planJson).toBe(saved.slice(0, -1));
		// As sessions before compact plans wrote it.
		await writeFile(planPath, `${JSON.stringify(preview.plan, null, "\t")}\n`);
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		expect(result.plan).toEqual(preview.plan);
		expect(result.record.failures).toEqual([]);
		expect(Object.keys(await hashes(root)).sort()).toEqual([
			"Daily/Linker.md",
			"DevOps/Docker tips.md",
			"Travel/京都旅行.md",
			"_dust/short.md",
		]);
	});

	it("undo keeps a folder that held something before the apply, or that something was put in since", async () => {
		const { root, deps, sessionId } = await setup();
		await mkdir(join(root, "DevOps"));
		await writeFile(join(root, "DevOps/mine.md"), "my own note\n"); // DevOps was there before: not ours
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		expect(result.record.operations.some((o) => o.type === "folder" && o.path === "DevOps")).toBe(false);
		await writeFile(join(root, "Travel/.hidden-by-the-user"), "x"); // Travel is ours, but not empty once undone
		const undo = await undoOrganizeSession(deps, sessionId);
		expect(undo.conflicts).toEqual([]);
		expect(await folders(root)).toEqual(["DevOps", "Inbox", "Travel"]);
		expect(await readFile(join(root, "DevOps/mine.md"), "utf8")).toBe("my own note\n");
		expect(await readFile(join(root, "Travel/.hidden-by-the-user"), "utf8")).toBe("x");
	});

	it("with a vault that updates links as notes move (Obsidian), a note linking to an earlier-moved note is still applied", async () => {
		const { root, deps, start, sessionId } = await setup(LinkUpdatingVault);
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: false });
		expect(result.record.failures).toEqual([]);
		const linker = await readFile(join(root, "Daily/Linker.md"), "utf8");
		expect(linker).toContain("[[Docker tips]] and [[Docker tips|the post]]");
		expect(linker).toContain("normalized: true"); // its own edit went in too
		expect(linker).not.toMatch(/ {3}\n/);
		const undo = await undoOrganizeSession(deps, sessionId);
		expect(undo.conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
		expect(await folders(root)).toEqual(["Inbox"]);
	});

	it("a note edited since the plan is neither edited nor moved; the others are applied", async () => {
		const { root, deps, sessionId } = await setup();
		const edited = `${FILES["Inbox/京都旅行.md"]}\nAdded by hand after the preview.\n`;
		await writeFile(join(root, "Inbox/京都旅行.md"), edited);
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		expect(result.record.failures.map((f) => f.path)).toEqual(["Inbox/京都旅行.md"]);
		expect(result.record.failures[0]?.message).toMatch(/changed since the plan/);
		expect(await readFile(join(root, "Inbox/京都旅行.md"), "utf8")).toBe(edited);
		expect(Object.keys(await hashes(root))).toContain("DevOps/Docker tips.md");
		expect(result.counts.failed).toBe(1);
		const phase = await new PhaseManager(deps.store, deps.clock).load(sessionId, "organize");
		expect(phase.status).toBe("partial");
	});

	it("cancelled part way: stops between notes, records what was done as partial, and undo reverses it", async () => {
		const { root, deps, start, sessionId } = await setup();
		const controller = new AbortController();
		const result = await applyOrganizeSession(deps, sessionId, {
			rewriteLinks: true,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.done === 2) controller.abort();
			},
		});
		expect(result.cancelled).toBe(true);
		expect(result.record.complete).toBe(false);
		expect(result.record.operations.length).toBeGreaterThan(0);
		expect(await readOrganizeState(deps.store, sessionId)).toBe("partially-applied");
		// Stopped, not failed (a cancel, like the panel's): resume goes on, undo reverses.
		const phase = await new PhaseManager(deps.store, deps.clock).load(sessionId, "organize");
		expect(phase.status).toBe("stopped");
		expect(phase.stages.load.status).toBe("stopped");
		const session = await new SessionManager(deps.store, deps.clock).load(sessionId);
		expect(session.status).toBe("stopped");
		expect(session.phases.organize?.error).toMatch(/cancelled/);
		await expect(applyOrganizeSession(deps, sessionId, { rewriteLinks: true })).rejects.toThrow(OrganizeSessionError);
		const undo = await undoOrganizeSession(deps, sessionId);
		expect(undo.conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
		expect(await folders(root)).toEqual(["Inbox"]);
	});

	it("refuses a session without an organize plan, and an unknown session", async () => {
		const { deps } = await setup();
		const importOnly = await new SessionManager(deps.store, deps.clock).create({ debugMode: false });
		await new PhaseManager(deps.store, deps.clock).create(importOnly.session_id, "organize");
		await expect(applyOrganizeSession(deps, importOnly.session_id, { rewriteLinks: true })).rejects.toThrow(/no organize plan/);
		expect(await readOrganizeState(deps.store, importOnly.session_id)).toBe("none");
		await expect(applyOrganizeSession(deps, "20200101_000000", { rewriteLinks: true })).rejects.toThrow(/not found/);
	});
});
