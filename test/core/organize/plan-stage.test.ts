/**
 * The organize plan stage without per-note bookkeeping (issue 20): items.jsonl proves a note planned, and only a
 * note that fails (or every note in debug mode) gets a record in pipeline_stages.jsonl and steps.jsonl; the others
 * are counted (phase.json, pipeline_folded.json). A crash part way through planning is resumed from items.jsonl.
 */
import { appendFile, mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import type { NoteVault } from "../../../src/core/ports/note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { resumeOrganizeSession } from "../../../src/core/organize/continue-organize-session";
import { organizeOutputPaths, runOrganizeSession } from "../../../src/core/organize/organize-session";
import { plannedItemsPath, readPlannedItems } from "../../../src/core/organize/organize-stages";
import { listFolderAndVault, listOrganizeInputs } from "../../../src/core/organize/plan-organize";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { pipelineStagesFile, stepsFile } from "../../../src/core/session/paths";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";
import { organizeStoppedAt } from "../_support/organize-runs";

const LONG = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";
const NOW = new Date("2026-02-01T10:00:00.000Z");
const TOPICS = [
	"a hotel and a flight for the trip",
	"budget, invoice and revenue",
	"kubernetes deploy and docker",
	"nothing in particular",
];

async function vaultOf(notes: number, extra: Record<string, string> = {}) {
	const root = await tempDir("ketl-plan-stage-");
	await mkdir(join(root, "Inbox"), { recursive: true });
	for (let i = 0; i < notes; i++)
		await writeFile(
			join(root, "Inbox", `Note ${String(i).padStart(2, "0")}.md`),
			`---\ntags: a, b\n---\nAbout ${TOPICS[i % 4]}. ${LONG}\n`,
		);
	await writeFile(join(root, "Inbox", "short.md"), "tiny\n");
	await writeFile(join(root, "Inbox", "Keep.md"), `---\norganize: false\n---\nLeft alone. ${LONG}\n`);
	for (const [path, text] of Object.entries(extra)) await writeFile(join(root, path), text);
	return { root, deps: { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() } };
}

const BROKEN = { "Inbox/Broken.md": `---\ntitle: [unclosed\ntags: x\n---\nHotel and flight. ${LONG}\n` };

async function lines(root: string, path: string): Promise<Record<string, unknown>[]> {
	const text = await readFile(join(root, path), "utf8").catch(() => "");
	return text
		.split("\n")
		.filter((line) => line !== "")
		.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("organize plan stage: records only for notes that fail", () => {
	it("a preview records the failed note (path, reason) and counts the others; status and phase.json count all", async () => {
		const { root, deps } = await vaultOf(12, BROKEN);
		const result = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW });
		const id = result.sessionId;
		expect(result.plan.items).toHaveLength(15);
		const records = await lines(root, pipelineStagesFile(id, "organize"));
		expect(records).toEqual([
			expect.objectContaining({
				item_id: "Inbox/Broken.md",
				title: "Broken",
				stage: "transform",
				status: "failed",
				error: expect.stringMatching(/^Invalid YAML frontmatter in "Inbox\/Broken\.md"/) as unknown as string,
			}),
		]);
		expect(await lines(root, stepsFile(id, "organize", "transform"))).toEqual([
			expect.objectContaining({ item_id: "Inbox/Broken.md", step: "classify_and_normalize", step_index: 1 }),
		]);
		// Every note's plan is saved, once.
		expect((await lines(root, plannedItemsPath(id))).map((item) => item.from)).toEqual(result.plan.items.map((item) => item.from));
		const phase = await new PhaseManager(deps.store, deps.clock).load(id, "organize");
		expect(phase.stages.transform.counts).toEqual({ total: 15, success: 13, failed: 1, skipped: 1, review: 0 });
		expect(phase.stages.transform.steps).toMatchObject([{ step_name: "classify_and_normalize", items_processed: 15, items_failed: 1 }]);
		const index = await ItemStatusIndex.read(deps.store, id, "organize");
		expect(index.counts("transform")).toEqual({ total: 15, success: 13, failed: 1, skipped: 1, review: 0 });
		expect(index.failures()).toMatchObject([{ item_id: "Inbox/Broken.md", stage: "transform" }]);
	});

	it("in debug mode every note gets its record and step, with its outcome", async () => {
		const { root, deps } = await vaultOf(6, BROKEN);
		const result = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW, debugMode: true });
		const records = await lines(root, pipelineStagesFile(result.sessionId, "organize"));
		expect(records.map((r) => [r.item_id, r.status])).toEqual(
			result.plan.items.map((item) => [item.from, item.status === "failed" ? "failed" : item.status === "skipped" ? "skipped" : "success"]),
		);
		expect(records.find((r) => r.item_id === "Inbox/Keep.md")).toMatchObject({ reason: "excluded: organize: false in its frontmatter" });
		expect(await lines(root, stepsFile(result.sessionId, "organize", "transform"))).toHaveLength(9);
		expect((await ItemStatusIndex.read(deps.store, result.sessionId, "organize")).counts("transform")).toMatchObject({
			total: 9,
			skipped: 1,
			failed: 1,
		});
	});

	it("stopped part way with a cut line in items.jsonl (as a kill leaves it): resume plans the rest, same plan", async () => {
		const reference = await vaultOf(12, BROKEN);
		const whole = await runOrganizeSession(reference.deps, { folder: "Inbox", apply: false, rewriteLinks: true, now: NOW });

		const { root, deps } = await vaultOf(12, BROKEN);
		await organizeStoppedAt(deps, 5, NOW);
		const id = (await readdir(join(root, ".staging/@session")))[0]!;
		// As a kill while appending leaves it: the last line cut in the middle.
		await appendFile(join(root, plannedItemsPath(id)), '{"from":"Inbox/Note 05.md","to":"Tra');
		expect([...(await readPlannedItems(deps.store, id)).keys()]).toHaveLength(5);

		const planned: string[] = [];
		const result = await resumeOrganizeSession(deps, id, { rewriteLinks: true, onProgress: (p) => p.last && planned.push(p.last.id) });
		expect(planned).toHaveLength(15 - 5);
		expect(result.plan).toEqual(whole.plan);
		expect(JSON.parse(await readFile(join(root, organizeOutputPaths(id).plan), "utf8"))).toEqual(whole.plan);
		// The cut line was ended before the next append: every line after it reads.
		expect([...(await readPlannedItems(deps.store, id)).keys()]).toHaveLength(15);
		expect((await ItemStatusIndex.read(deps.store, id, "organize")).counts("transform")).toEqual(
			await ItemStatusIndex.read(reference.deps.store, whole.sessionId, "organize").then((i) => i.counts("transform")),
		);
	});
});

describe("listFolderAndVault", () => {
	it("takes the folder's notes from one listing of the vault, and lists a folder the vault's walk does not reach on its own", async () => {
		const { root, deps } = await vaultOf(3);
		await mkdir(join(root, "Real", "Sub"), { recursive: true });
		await writeFile(join(root, "Real", "Sub", "x.md"), `x ${LONG}\n`);
		await symlink(join(root, "Real"), join(root, "Linked"));
		for (const folder of ["Inbox", "", "Real", "Linked", "Missing"]) {
			const { paths, all } = await listFolderAndVault(deps.vault, folder);
			expect(paths, folder).toEqual(await listOrganizeInputs(deps.vault, folder));
			expect(all, folder).toEqual(await listOrganizeInputs(deps.vault, ""));
		}
		expect((await listFolderAndVault(deps.vault, "Linked")).paths).toEqual(["Linked/Sub/x.md"]);
	});
});

describe("organize plan stage: a vault that reads synchronously (readNow) plans as one that only reads with a promise", () => {
	it("the same items, note for note (filed, review, dust kept and moved, skipped, failed, dated by the file)", async () => {
		const extra = {
			...BROKEN,
			"Inbox/Linked dust.md": "tiny\n",
			"Inbox/Linker.md": `Points at [[Linked dust]]. ${LONG}\n`,
			"Inbox/Hub.md": "[[Note 01]]\n",
			"Inbox/2024-05-01.md": "x\n",
			"Inbox/Template.md": "{{title}}\n",
			"Inbox/Done.md": `---\nnormalized: true\n---\n${LONG}\n`,
			"Inbox/Imported.md": `---\nsource: claude\nsource_id: c1\ntags: [ai-chat, claude]\n---\n# An LLM prompt\n\nAbout prompts.  \n\n\n${LONG}\n`,
			"Inbox/Mixed.md": "hotel and docker",
		};
		const plans: unknown[] = [];
		for (const withReadNow of [true, false]) {
			const { deps } = await vaultOf(6, extra);
			const node = deps.vault;
			// Every method but readNow, so that the plan takes the promise path.
			const vault: NoteVault = withReadNow
				? node
				: new Proxy(node, {
						get: (target, key) => {
							if (key === "readNow") return undefined;
							const value: unknown = Reflect.get(target, key, target);
							return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
						},
					});
			expect(typeof vault.readNow).toBe(withReadNow ? "function" : "undefined");
			const result = await runOrganizeSession(
				{ ...deps, vault },
				{ folder: "Inbox", apply: false, rewriteLinks: true, now: NOW, userNoteRules: ["created", "title", "whitespace"] },
			);
			plans.push(result.plan.items);
		}
		expect(plans[0]).toEqual(plans[1]);
		const items = plans[0] as { from: string; status: string; reason: string; frontmatterChanges: { key: string }[] }[];
		const byPath = new Map(items.map((item) => [item.from, item]));
		expect(byPath.get("Inbox/Linked dust.md")?.reason).toMatch(/other notes link to it/);
		expect(byPath.get("Inbox/Broken.md")?.status).toBe("failed");
		expect(byPath.get("Inbox/Note 00.md")?.frontmatterChanges.map((change) => change.key)).toContain("created");
	});
});
