import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonWithPlan, parseOrganizeArgs, runOrganizeCommand } from "../../src/cli/commands/organize";
import type { Plan } from "../../src/core/app/types";
import { tempDir } from "../core/_support/temp-vault";

const LONG = "Enough ordinary prose so that this note is clearly not dust, about a hotel and a flight.";

async function noteHashes(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (entry.name.startsWith(".")) continue;
		if (entry.isDirectory()) Object.assign(out, await noteHashes(root, rel));
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

describe("parseOrganizeArgs", () => {
	it.each([
		[["Inbox", "--vault", "v"], { folder: "Inbox", vault: "v", apply: false, force: false, json: false, conflict: "rename" }],
		[
			["./Inbox/", "--vault", "v", "--apply", "--force", "--json", "--conflict", "skip"],
			{ folder: "Inbox", apply: true, force: true, json: true, conflict: "skip" },
		],
		[["--undo", "20240101_000000", "--vault", "v"], { undo: "20240101_000000", folder: "" }],
	])("%j", (argv, expected) => {
		expect(parseOrganizeArgs(argv)).toMatchObject(expected);
	});

	it.each([
		[["Inbox"]],
		[["--vault"]],
		[["a", "b", "--vault", "v"]],
		[["--vault", "v", "--bogus"]],
		[["../x", "--vault", "v"]],
		[["--vault", "v", "--conflict", "merge"]],
	])("rejects %j", (argv) => {
		expect(() => parseOrganizeArgs(argv)).toThrow();
	});
});

describe("organize --json prints the plan as plan.json holds it (serialised once)", () => {
	const plan: Plan = {
		version: 1,
		createdAt: "2026-01-01T00:00:00.000Z",
		folder: "Inbox",
		force: false,
		conflictPolicy: "rename",
		items: [
			{
				from: "Inbox/京都.md",
				to: "Travel/京都.md",
				status: "planned",
				reason: 'keywords: "trip"',
				frontmatterChanges: [],
				contentChanged: false,
			},
		],
	};

	it("jsonWithPlan is JSON.stringify of the head with the plan last, given the plan's text or not", () => {
		for (const head of [{ session: "s", applied: false, counts: { total: 1 } }, { session: "s", cancelled: true, failures: [] }, {}]) {
			const expected = `${JSON.stringify({ ...head, plan })}\n`;
			expect(jsonWithPlan(head, plan, JSON.stringify(plan))).toBe(expected);
			expect(jsonWithPlan(head, plan)).toBe(expected);
		}
	});

	it("the CLI's stdout holds plan.json's own text, and parses to the same plan", async () => {
		const root = await tempDir("ketl-cli-organize-json-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(join(root, "Inbox/Trip.md"), `# Trip\n\n${LONG}\n`);
		await writeFile(join(root, "Inbox/short.md"), "tiny\n");
		const run = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--json"], run.io)).toBe(0);
		const printed = run.out.join("");
		const result = JSON.parse(printed) as { session: string; plan: Plan };
		const saved = await readFile(join(root, ".staging/@session", result.session, "organize/load/output/plan.json"), "utf8");
		expect(saved.endsWith("\n") && !saved.includes("\t")).toBe(true); // compact
		expect(printed.endsWith(`,"plan":${saved.slice(0, -1)}}\n`)).toBe(true);
		expect(result.plan).toEqual(JSON.parse(saved));
		expect(result.plan.items.map((item) => item.to)).toEqual(["AI Conversations/Travel/Trip.md", "AI Conversations/_dust/short.md"]);
	});
});

describe("knowledge-etl organize", () => {
	it("previews, applies, and undoes through the session", async () => {
		const root = await tempDir("ketl-cli-organize-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(join(root, "Inbox/Trip.md"), `# Trip\n\n${LONG}\n`);
		await writeFile(join(root, "Inbox/Index.md"), `See [[Trip]] and [t](Trip.md). A diary memo of today. ${LONG}\n`);
		await writeFile(join(root, "Inbox/Bad.md"), `---\ntitle: [unclosed\n---\n${LONG}\n`);
		const start = await noteHashes(root);

		const preview = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root], preview.io)).toBe(4); // Bad.md failed: partial
		expect(await noteHashes(root)).toEqual(start);
		expect(preview.err.join("")).toContain(
			"Inbox/Trip.md -> AI Conversations/Travel/Trip.md" /* genre folders under the import's folder by default */,
		);
		expect(preview.err.join("")).toMatch(/Inbox\/Bad\.md" at line \d+: /);

		const applied = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--apply", "--json"], applied.io)).toBe(4);
		const result = JSON.parse(applied.out.join("")) as { session: string; counts: { moves: number } };
		expect(result.counts.moves).toBe(2);
		const sessionDir = join(root, ".staging/@session", result.session, "organize/load/output");
		expect(JSON.parse(await readFile(join(sessionDir, "plan.json"), "utf8"))).toHaveProperty("items");
		expect(await readFile(join(sessionDir, "plan.md"), "utf8")).toContain("# Organize plan");
		expect(JSON.parse(await readFile(join(sessionDir, "applied.json"), "utf8"))).toMatchObject({ complete: true });
		const phase = JSON.parse(await readFile(join(root, ".staging/@session", result.session, "organize/phase.json"), "utf8")) as {
			status: string;
			counts: { total: number; failed: number };
			stages: Record<string, { status: string }>;
		};
		expect(phase.counts).toMatchObject({ total: 3, failed: 1 });
		expect(phase.stages.transform?.status).toBe("completed");
		expect(phase.stages.load?.status).toBe("completed");
		const index = Object.keys(await noteHashes(root)).find((p) => p.endsWith("Index.md"))!;
		const indexText = await readFile(join(root, index), "utf8");
		expect(indexText).toContain("See [[Trip]] and [t](Trip.md)."); // still unique by name: left as written

		const undo = capture();
		expect(await runOrganizeCommand(["--undo", result.session, "--vault", root], undo.io)).toBe(0);
		expect(await noteHashes(root)).toEqual(start);
	});

	it("--apply-plan applies the previewed plan as written, once", async () => {
		const root = await tempDir("ketl-cli-organize-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(join(root, "Inbox/Trip.md"), `# Trip\n\n${LONG}\n`);
		const start = await noteHashes(root);
		const preview = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--json"], preview.io)).toBe(0);
		const session = (JSON.parse(preview.out.join("")) as { session: string }).session;
		expect(await noteHashes(root)).toEqual(start);

		const applied = capture();
		expect(await runOrganizeCommand(["--apply-plan", session, "--vault", root], applied.io)).toBe(0);
		expect(Object.keys(await noteHashes(root))).toEqual(["AI Conversations/Travel/Trip.md"]);
		expect(applied.err.join("")).toContain(`--undo ${session}`);
		// Applying the same plan twice is refused (usage error), and undo still restores the start.
		expect(await runOrganizeCommand(["--apply-plan", session, "--vault", root], capture().io)).toBe(2);
		expect(await runOrganizeCommand(["--undo", session, "--vault", root], capture().io)).toBe(0);
		expect(await noteHashes(root)).toEqual(start);
	});

	it("an unknown session for --undo exits with 2", async () => {
		const root = await tempDir("ketl-cli-organize-");
		const io = capture();
		expect(await runOrganizeCommand(["--undo", "20240101_000000", "--vault", root], io.io)).toBe(2);
		expect(io.err.join("")).toContain("20240101_000000");
	});

	it("usage errors exit with 2", async () => {
		const io = capture();
		expect(await runOrganizeCommand(["--apply"], io.io)).toBe(2);
		expect(io.err.join("")).toContain("Usage:");
	});
});

describe("organize's folder", () => {
	it.each([
		[["--vault", "v"], "AI Conversations"],
		[[".", "--vault", "v"], ""],
		[["Inbox/", "--vault", "v"], "Inbox"],
	])("%j works on %j", (argv, folder) => {
		expect(parseOrganizeArgs(argv).folder).toBe(folder);
	});
});

// Issue 15 item 5 (no temp file of a killed run survives a new run), for a preview: the sweep after it takes what the
// plan's listing of the whole vault found (NodeNoteVault.sweepHint) rather than walking the vault again (issue 20);
// it must remove what the walk removed, and leave what the walk left.
describe("organize removes the temp files a killed run left", () => {
	it("in every top folder, below dot-folders in them and in .staging; newer ones, other names, root files and top dot-folders stay", async () => {
		const root = await tempDir("ketl-organize-temp-");
		const put = async (path: string, ageMs: number): Promise<void> => {
			const abs = join(root, path);
			await mkdir(join(abs, ".."), { recursive: true });
			await writeFile(abs, "left over");
			const t = (Date.now() + ageMs) / 1000;
			await utimes(abs, t, t);
		};
		const there = async (path: string): Promise<boolean> => (await readdir(join(root, path, ".."))).includes(path.split("/").pop()!);
		await put("Inbox/Trip.md", 0);
		await writeFile(join(root, "Inbox/Trip.md"), `# Trip\n\n${LONG}\n`);
		const hour = -3_600_000;
		const stale = [
			"Inbox/Old.md.tmp-deadbeef01",
			"Inbox/Sub/Deep.md.tmp-0123456789",
			"Inbox/.hidden/Hidden.md.tmp-abcdef0123",
			"Inbox/.Dot.md.tmp-abcdef0123",
			"Journal/Today.md.tmp-0011223344",
			".staging/@index/import-index.jsonl.tmp-89abcdef",
		];
		const kept = ["Inbox/notes.tmp-draft", "Root.md.tmp-0123456789", ".obsidian/workspace.json.tmp-0123456789", "Inbox/Sub/Other.md"];
		for (const path of [...stale, ...kept]) await put(path, hour);
		const newer = "Inbox/New.md.tmp-fedcba9876";
		await put(newer, 3_600_000);
		const run = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--json"], run.io)).toBe(0);
		for (const path of stale) expect(await there(path), path).toBe(false);
		for (const path of [...kept, newer, "Inbox/Trip.md"]) expect(await there(path), path).toBe(true);
	});
});
