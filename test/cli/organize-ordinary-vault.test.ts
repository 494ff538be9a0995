import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOrganizeCommand } from "../../src/cli/commands/organize";
import { tempDir } from "../core/_support/temp-vault";

/**
 * Organize on a small ordinary Obsidian vault, as a new user would run it on the whole vault: templates (core
 * Templates and Templater), daily notes, an attachments folder, an index note of links, a note marked
 * `organize: false`, a folder excluded by a flag, and plain notes of the user's own.
 */
const PROSE =
	"We walked from the station to the temple, booked the hotel for two nights and planned the flight back; the itinerary of the trip and the travel budget are below.";

const FILES: Record<string, string> = {
	".obsidian/templates.json": JSON.stringify({ folder: "Templates" }),
	".obsidian/plugins/templater-obsidian/data.json": JSON.stringify({ templates_folder: "Meta/Templater", trigger_on_file_creation: true }),
	".obsidian/daily-notes.json": JSON.stringify({ folder: "Journal", format: "YYYY-MM-DD" }),
	".obsidian/app.json": JSON.stringify({ attachmentFolderPath: "Files", alwaysUpdateLinks: true }),
	"Templates/Meeting.md": "---\ntags: meeting\n---\n# {{title}}\n\nDate: {{date}}\n\n## Notes\n",
	"Meta/Templater/Weekly review.md": '<%* const d = tp.date.now("YYYY-MM-DD") %>\n# Week of <% tp.date.now() %>\n\n- [ ] \n',
	"Journal/2026-12-05.md": "Rain. Coffee.\n",
	"Files/Sketch.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n==⚠  Switch to EXCALIDRAW VIEW ==\n",
	"Index.md": "# Index\n\n- [[Kyoto trip]]\n- [[Budget]]\n- [[Glossary]]\n",
	"Glossary.md": "Short list.\n",
	"Kyoto trip.md": `# Kyoto trip\n\n${PROSE}\n`,
	"Work/Budget.md":
		"---\naliases: [money]\nlayout: post\n---\nThe monthly budget: salary, savings, investment in a stock index fund and the tax owed this year; the bank account and the invoice from the accountant. Finance notes.\n",
	"Private/Diary.md": `---\norganize: false\n---\n${PROSE}\n`,
	"Archive/Old trip.md": `# Old trip\n\n${PROSE}\n`,
	"Scratch.md": "todo\n",
};

async function writeVault(root: string): Promise<void> {
	for (const [path, text] of Object.entries(FILES)) {
		await mkdir(dirname(join(root, path)), { recursive: true });
		await writeFile(join(root, path), text);
	}
}

async function tree(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (rel === ".staging") continue;
		if (entry.isDirectory()) Object.assign(out, await tree(root, rel));
		else
			out[rel] = createHash("sha256")
				.update(await readFile(join(root, rel)))
				.digest("hex");
	}
	return out;
}

function capture(): { io: { stdout: (t: string) => void; stderr: (t: string) => void }; out: string[]; err: string[] } {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

const today = new Date().toISOString().slice(0, 10);

describe("organize on an ordinary vault", () => {
	it("the whole vault stops at a count of what would change, and changes nothing", async () => {
		const root = await tempDir("ketl-ordinary-");
		await writeVault(root);
		const before = await tree(root);
		const c = capture();
		expect(await runOrganizeCommand([".", "--vault", root, "--apply"], c.io)).toBe(0);
		expect(c.err.join("")).toMatch(/Whole vault: \d+ notes? in \d+ folders? would change\. Nothing was applied\./);
		expect(c.err.join("")).toContain("--apply-plan");
		expect(await tree(root)).toEqual(before);
	});

	it("leaves templates, daily notes, attachments, linked notes and excluded ones alone; files the rest under the import's folder; adds no key", async () => {
		const root = await tempDir("ketl-ordinary-");
		await writeVault(root);
		const before = await tree(root);
		const c = capture();
		expect(await runOrganizeCommand([".", "--vault", root, "--apply", "--yes", "--json", "--exclude", "Archive"], c.io)).toBe(0);
		const result = JSON.parse(c.out.join("")) as {
			session: string;
			plan: { items: { from: string; to: string; status: string; reason: string }[] };
		};
		const after = await tree(root);

		// Untouched, byte for byte, where they were.
		const kept = [
			".obsidian/templates.json",
			"Templates/Meeting.md",
			"Meta/Templater/Weekly review.md",
			"Journal/2026-12-05.md",
			"Files/Sketch.excalidraw.md",
			"Index.md",
			"Glossary.md",
			"Private/Diary.md",
			"Archive/Old trip.md",
		];
		for (const path of kept) expect(after[path], path).toBe(before[path]);
		const reasons = new Map(result.plan.items.map((i) => [i.from, `${i.status}: ${i.reason}`]));
		expect(reasons.get("Templates/Meeting.md")).toMatch(/^skipped: excluded: templates folder "Templates"/);
		expect(reasons.get("Meta/Templater/Weekly review.md")).toMatch(/^skipped: excluded: templates folder "Meta\/Templater"/);
		expect(reasons.get("Journal/2026-12-05.md")).toMatch(/^skipped: excluded: daily notes folder "Journal"/);
		expect(reasons.get("Files/Sketch.excalidraw.md")).toMatch(/^skipped: excluded: attachments folder "Files"/);
		expect(reasons.get("Private/Diary.md")).toMatch(/^skipped: excluded: organize: false/);
		expect(reasons.get("Archive/Old trip.md")).toMatch(/^skipped: excluded: excluded by "Archive"/);
		expect(reasons.get("Index.md")).toMatch(/^skipped: not dust .*: links to other notes/);
		expect(reasons.get("Glossary.md")).toMatch(/^skipped: not dust .*: other notes link to it/);

		// The user's own notes: filed under the import's folder, same name, same bytes (no rule is on by default).
		expect(after["AI Conversations/Travel/Kyoto trip.md"]).toBe(before["Kyoto trip.md"]);
		expect(after["AI Conversations/Economy/Budget.md"]).toBe(before["Work/Budget.md"]);
		// A short note nothing links to is still dust, under the import's folder too.
		expect(after["AI Conversations/_dust/Scratch.md"]).toBe(before["Scratch.md"]);
		// Nothing at the vault root but what was there.
		const rootFolders = new Set(
			Object.keys(after)
				.filter((p) => p.includes("/"))
				.map((p) => p.split("/")[0]),
		);
		expect([...rootFolders].sort()).toEqual([
			".obsidian",
			"AI Conversations",
			"Archive",
			"Files",
			"Journal",
			"Meta",
			"Private",
			"Templates",
		]);
		for (const path of Object.keys(after).filter((p) => p.endsWith(".md"))) {
			expect(await readFile(join(root, path), "utf8"), path).not.toMatch(new RegExp(`^created: .*${today}`, "m"));
		}
		const plan = await readFile(join(root, ".staging/@session", result.session, "organize/load/output/plan.md"), "utf8");
		expect(plan).toContain("Your own notes (not from an import): only filed into genre folders");
	});

	it("normalisation of the user's notes is opt-in per rule, listed in the plan; `created` never comes from the run", async () => {
		const root = await tempDir("ketl-ordinary-");
		await writeVault(root);
		const c = capture();
		expect(await runOrganizeCommand([".", "--vault", root, "--json", "--normalize", "created,leftovers"], c.io)).toBe(0);
		const result = JSON.parse(c.out.join("")) as {
			session: string;
			plan: { items: { from: string; frontmatterChanges: { key: string; kind: string; note?: string }[] }[] };
		};
		const budget = result.plan.items.find((i) => i.from === "Work/Budget.md")!;
		// No date of its own: the file's creation time, said so (nothing where the filesystem does not keep one).
		const born = (await stat(join(root, "Work/Budget.md"))).birthtimeMs > 0;
		expect(budget.frontmatterChanges.map((ch) => `${ch.kind} ${ch.key}`).sort()).toEqual(
			born ? ["add created", "remove layout"] : ["remove layout"],
		);
		const plan = await readFile(join(root, ".staging/@session", result.session, "organize/load/output/plan.md"), "utf8");
		expect(plan).toContain("normalisation rules `created`, `leftovers`");
		if (born) {
			expect(budget.frontmatterChanges.find((ch) => ch.key === "created")?.note).toBe("from the file's creation time");
			expect(plan).toContain("(from the file's creation time)");
		}
		expect(await runOrganizeCommand([".", "--vault", root, "--normalize", "colour"], capture().io)).toBe(2);
	});
});
