import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { applyPlan, undoPlan } from "../../../src/core/organize/apply-plan";
import { findLinks } from "../../../src/core/organize/links/find-links";
import { resolveLink } from "../../../src/core/organize/links/resolve-link";
import { countPlan, PlanSchema, renderPlanMarkdown } from "../../../src/core/organize/plan";
import { planOrganize } from "../../../src/core/organize/plan-organize";
import { tempDir } from "../_support/temp-vault";

const LONG_EN = "This paragraph adds enough ordinary prose so that the note is clearly not dust at all.";
const LONG_JA = "このノートには十分な長さの本文があり、ゴミ箱行きにはならない普通の内容が書かれています。";

/** The mixed vault: English and Japanese, with and without frontmatter, Jekyll posts, broken YAML, duplicates, links. */
const FILES: Record<string, string> = {
	"Inbox/Trip to Kyoto.md": `# Trip to Kyoto\n\nBooked a hotel and a flight for the trip.   \n\n\n\n${LONG_EN}\n`,
	"Inbox/京都旅行.md": `---\ntags: [旅行]\n---\nホテルを予約して観光地を回る旅行の計画。\n${LONG_JA}\n`,
	"Inbox/2020-01-05-docker-tips.md":
		`---\nlayout: post\ntitle: "Docker tips"\ndate: 2020-01-05 10:00:00 +0900\npermalink: /docker/\ncustom: keep me\n---\n` +
		`Docker and kubernetes deploy notes for the server.\n\n\`\`\`sh\ndocker run   \n\n\n\n[[Trip to Kyoto]]\n\`\`\`\n${LONG_EN}\n![shot](../pics/p.png)\n`,
	"Inbox/2021_02_03_ai-notes.md": `Prompt ideas for the LLM and ChatGPT, machine learning basics.\n${LONG_EN}\n`,
	"Inbox/Broken.md": `---\ntitle: "Broken\nother: 1\n---\nLinks to [[Trip to Kyoto]] stay as they are.\n${LONG_EN}\n`,
	"Inbox/short.md": "tiny\n",
	"Inbox/Notes.md": `---\ntitle: Notes\n---\nHotel list for the trip. ${LONG_EN}\n`,
	"Inbox/sub/Notes.md": `---\ntitle: Notes\n---\nFlight list for the trip. ${LONG_EN}\n`,
	"Inbox/My Note.md": `# My Note\n\nDiary of today, a weekend memo. ${LONG_EN}\n`,
	"Inbox/Linker.md": [
		"---",
		'related: "[[Trip to Kyoto]]"',
		"---",
		"Index of the inbox, a diary memo for today.",
		LONG_EN,
		"- [[Trip to Kyoto]] and [[Trip to Kyoto|the trip]] and [[Trip to Kyoto#Heading]] and ![[Trip to Kyoto]]",
		"- [[Inbox/京都旅行]] [[京都旅行|京都]]",
		"- [[2020-01-05-docker-tips]] [post](2020-01-05-docker-tips.md) [post](./2020-01-05-docker-tips.md#part)",
		"- [[sub/Notes]] [[Inbox/Notes]] [n](Notes.md)",
		"- [mine](My%20Note.md) [mine](<My Note.md>) [[My Note]]",
		"- [[2021_02_03_ai-notes]] [[Broken]] [[Missing note]]",
		"- inline `[[Trip to Kyoto]]` stays",
		"```",
		"[[Trip to Kyoto]] [x](My%20Note.md)",
		"```",
		"",
	].join("\n"),
	"Inbox/Deep/Relative.md": `Relative links to the docker post: [d](../2020-01-05-docker-tips.md) and [k](../Trip%20to%20Kyoto.md). ${LONG_EN}\n`,
	"Inbox/data.csv": "a,b\n1,2\n",
	"Refs/Index.md": `See [[Trip to Kyoto]], [ja](../Inbox/京都旅行.md), [[Inbox/sub/Notes]] and [[Notes]].\n`,
	"Travel/Notes.md": `---\ntitle: Notes\ncreated: 2020-01-01\ntags: []\nsummary: ""\nfile_id: abc\ngenre: travel\ntopic: ""\nnormalized: true\n---\nExisting travel notes. ${LONG_EN}\n`,
	"pics/p.png": "not really a png",
	[`.${"obsidian"}/app.json`]: "{}", // the config folder: must stay untouched
	".staging/@session/x/session.json": "{}",
};

async function writeVault(root: string): Promise<void> {
	for (const [path, content] of Object.entries(FILES)) {
		await mkdir(join(root, path, ".."), { recursive: true });
		await writeFile(join(root, path), content);
	}
}

async function listFiles(root: string, dir = ""): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
		else out.push(rel);
	}
	return out.sort();
}

async function hashes(root: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const path of await listFiles(root)) {
		if (path.startsWith(".trash/")) continue;
		out[path] = createHash("sha256")
			.update(await readFile(join(root, path)))
			.digest("hex");
	}
	return out;
}

/** For each note, the file each of its links resolves to (null when broken). */
async function linkTargets(root: string): Promise<Map<string, (string | null)[]>> {
	const all = (await listFiles(root)).filter((path) => !path.split("/").some((part) => part.startsWith(".")));
	const out = new Map<string, (string | null)[]>();
	for (const path of all.filter((p) => p.endsWith(".md"))) {
		const text = await readFile(join(root, path), "utf8");
		out.set(
			path,
			findLinks(text).map((link) => resolveLink(link.linkPath, path, all)),
		);
	}
	return out;
}

describe("organize on a real vault", () => {
	it("keeps every link, fails broken YAML untouched, is idempotent, and undo restores every byte", async () => {
		const root = await tempDir("ketl-organize-");
		await writeVault(root);
		const vault = new NodeNoteVault(root);
		const start = await hashes(root);
		const linksBefore = await linkTargets(root);

		const plan = await planOrganize(vault, { folder: "Inbox", now: new Date("2024-05-01T00:00:00Z") });
		expect(PlanSchema().parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
		const byFrom = new Map(plan.items.map((item) => [item.from, item]));
		// The line of the quote that is never closed (the yaml package named line 4, the end of the block).
		expect(byFrom.get("Inbox/Broken.md")).toMatchObject({ status: "failed", error: { line: 2 } });
		expect(byFrom.get("Inbox/short.md")).toMatchObject({ status: "planned", to: "_dust/short.md", destination: "dust" });
		expect(byFrom.get("Inbox/Trip to Kyoto.md")?.to).toBe("Travel/Trip to Kyoto.md");
		expect(byFrom.get("Inbox/京都旅行.md")?.to).toBe("Travel/京都旅行.md");
		expect(byFrom.get("Inbox/2020-01-05-docker-tips.md")?.to).toBe("DevOps/Docker tips.md");
		expect(byFrom.get("Inbox/2021_02_03_ai-notes.md")?.to).toBe("AI/ai-notes.md");
		// Travel/Notes.md exists: the two inbox "Notes" become "Notes 1" and "Notes 2".
		expect(byFrom.get("Inbox/Notes.md")).toMatchObject({
			to: "Travel/Notes 1.md",
			conflict: { wanted: "Travel/Notes.md", resolution: "rename" },
		});
		expect(byFrom.get("Inbox/sub/Notes.md")?.to).toBe("Travel/Notes 2.md");
		expect(plan.items.some((item) => item.from.startsWith(".") || item.from.endsWith(".csv"))).toBe(false);
		const markdown = renderPlanMarkdown(plan);
		expect(markdown).toContain("`Inbox/2020-01-05-docker-tips.md` → `DevOps/Docker tips.md`");
		expect(markdown).toContain("frontmatter: remove `layout`");
		expect(markdown).toContain("Inbox/Broken.md` (line 2)");

		const record = await applyPlan(vault, plan, { rewriteLinks: true });
		if (process.env.DEBUG_ORGANIZE) console.debug(plan.items.map((i) => `${i.from} -> ${i.to} ${i.status} ${i.reason}`).join("\n"));
		expect(record.failures).toEqual([]);
		expect(record.complete).toBe(true);

		// Broken YAML: untouched, in place.
		expect(await readFile(join(root, "Inbox/Broken.md"), "utf8")).toBe(FILES["Inbox/Broken.md"]);
		// The Jekyll post: leftovers gone, user keys kept in order, code block byte for byte.
		const docker = await readFile(join(root, "DevOps/Docker tips.md"), "utf8");
		expect(docker).toMatch(/^---\ntitle: "Docker tips"\ndate: 2020-01-05 10:00:00 \+0900\ncustom: keep me\ncreated: 2020-01-05\n/);
		expect(docker).toContain("```sh\ndocker run   \n\n\n\n[[Trip to Kyoto]]\n```\n");
		expect(docker).toContain("normalized: true");
		expect(docker).toContain("![shot](../pics/p.png)");

		// Every link that resolved before still resolves to the same note (at its new path).
		const moves = new Map(plan.items.filter((item) => item.status === "planned").map((item) => [item.from, item.to]));
		const newPathOf = (path: string): string => moves.get(path) ?? path;
		const linksAfter = await linkTargets(root);
		let checked = 0;
		for (const [oldPath, targets] of linksBefore) {
			const after = linksAfter.get(newPathOf(oldPath));
			expect(after, oldPath).toBeDefined();
			expect(after!.length, oldPath).toBe(targets.length);
			for (const [index, target] of targets.entries()) {
				if (target === null) continue;
				expect(after![index], `${oldPath} link ${index}`).toBe(newPathOf(target));
				checked++;
			}
		}
		expect(checked).toBeGreaterThan(25);
		// Code and inline code were not rewritten.
		const linker = await readFile(join(root, "_review/Linker.md"), "utf8");
		expect(linker).toContain("- inline `[[Trip to Kyoto]]` stays");
		expect(linker).toContain("```\n[[Trip to Kyoto]] [x](My%20Note.md)\n```");
		expect(linker).toContain("[[Missing note]]");

		// A second run changes nothing: on the inbox, and (forced) on every folder it filled.
		const second = await planOrganize(vault, { folder: "Inbox" });
		expect(countPlan(second).planned).toBe(0);
		for (const folder of ["Travel", "DevOps", "AI", "Daily", "_dust", "_review"]) {
			const again = await planOrganize(vault, { folder, force: true });
			expect(
				again.items.filter((item) => item.status === "planned").map((item) => ({ ...item, sourceHash: undefined })),
				folder,
			).toEqual([]);
		}

		// Undo restores the vault byte for byte.
		const undo = await undoPlan(vault, record);
		expect(undo.conflicts).toEqual([]);
		expect(await hashes(root)).toEqual(start);
	});

	it("undo leaves a note the user edited after the apply alone", async () => {
		const root = await tempDir("ketl-organize-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(join(root, "Inbox/Trip.md"), `Hotel and flight for the trip. ${LONG_EN}\n`);
		const vault = new NodeNoteVault(root);
		const record = await applyPlan(vault, await planOrganize(vault, { folder: "Inbox" }), { rewriteLinks: true });
		await writeFile(join(root, "Travel/Trip.md"), "edited by the user\n");
		const undo = await undoPlan(vault, record);
		expect(undo.conflicts).toHaveLength(1);
		expect(await readFile(join(root, "Inbox/Trip.md"), "utf8")).toBe("edited by the user\n");
	});

	it("skip and overwrite conflict policies", async () => {
		const root = await tempDir("ketl-organize-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await mkdir(join(root, "Travel"), { recursive: true });
		await writeFile(join(root, "Inbox/Trip.md"), `Hotel and flight for the trip. ${LONG_EN}\n`);
		await writeFile(join(root, "Travel/Trip.md"), "old\n");
		const vault = new NodeNoteVault(root);
		const skipped = await planOrganize(vault, { folder: "Inbox", conflictPolicy: "skip" });
		expect(skipped.items[0]).toMatchObject({ status: "skipped", to: "Inbox/Trip.md" });
		const plan = await planOrganize(vault, { folder: "Inbox", conflictPolicy: "overwrite" });
		expect(plan.items[0]).toMatchObject({ status: "planned", to: "Travel/Trip.md", conflict: { resolution: "overwrite" } });
		const start = await hashes(root);
		const record = await applyPlan(vault, plan, { rewriteLinks: true });
		expect(await readFile(join(root, "Travel/Trip.md"), "utf8")).toContain("Hotel and flight");
		await undoPlan(vault, record);
		expect(await hashes(root)).toEqual(start);
	});
});
