import { appendFile, cp, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import { frontmatterValue, importJson, newVault, notesIn, readNote, runCli, snapshot, writeZip } from "./import-support";

/**
 * Coding-agent session logs end to end: a folder of Claude Code or Codex CLI sessions (our own fixtures, shaped like
 * the real logs: see test/fixtures/sessions/make-fixtures.py) imported from the command line, then again.
 */

const SESSIONS = fileURLToPath(new URL("../fixtures/sessions/", import.meta.url));
const CLAUDE_CODE = "AI Conversations/Claude Code";
const CODEX = "AI Conversations/Codex";

/** A copy of a fixture folder (a test may add to it). */
async function copyOf(sub: string): Promise<string> {
	const dir = await tempDir("ketl-sessions-");
	await cp(join(SESSIONS, sub), join(dir, sub), { recursive: true });
	return join(dir, sub);
}

describe("import of coding-agent sessions (CLI)", () => {
	it("a folder of Claude Code sessions: one note per session file, then a re-import changes nothing", async () => {
		const folder = await copyOf("claude-code");
		const vault = await newVault();
		const r = await importJson([folder], vault);
		expect(r.err).not.toMatch(/error/i);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		const names = await notesIn(vault, CLAUDE_CODE);
		expect(names).toHaveLength(2);
		const notes = await Promise.all(names.map((n) => readNote(vault, `${CLAUDE_CODE}/${n}`)));
		const main = notes.find((t) => frontmatterValue(t, "source_id") === "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11")!;
		expect(frontmatterValue(main, "source")).toBe("claude-code");
		expect(main).toContain("No — keep lookup as it is");
		expect(main).not.toContain("Make lookup return an amount instead");
		expect(main).toContain("> ```diff");
		expect(notes.some((t) => frontmatterValue(t, "source_id") === "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11#agent-a1b2c3d4")).toBe(true);

		const before = await snapshot(vault);
		const again = await importJson([folder], vault);
		expect(again.code).toBe(0);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
		const after = await snapshot(vault);
		for (const [path, file] of before) {
			if (!path.startsWith("AI Conversations/")) continue;
			expect(after.get(path), path).toEqual(file);
		}
	});

	it("a session that went on since is updated in place; the others stay as they are", async () => {
		const folder = await copyOf("claude-code");
		const vault = await newVault();
		expect((await importJson([folder], vault)).code).toBe(0);
		const file = join(folder, "-home-dev-shop", "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl");
		const lastUuid = "c0de0000-0000-4000-8000-000000000027";
		const base = {
			isSidechain: false,
			userType: "external",
			cwd: "/home/dev/shop",
			sessionId: "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11",
			version: "1.0.98",
		};
		await appendFile(
			file,
			[
				{
					...base,
					parentUuid: lastUuid,
					type: "user",
					uuid: "c0de0000-0000-4000-8000-000000000028",
					timestamp: "2025-09-15T08:00:00.000Z",
					message: { role: "user", content: "One more: bump the version." },
				},
				{
					...base,
					parentUuid: "c0de0000-0000-4000-8000-000000000028",
					type: "assistant",
					uuid: "c0de0000-0000-4000-8000-000000000029",
					timestamp: "2025-09-15T08:00:03.000Z",
					message: {
						id: "msg_10",
						role: "assistant",
						model: "claude-opus-4-1-20250805",
						content: [{ type: "text", text: "Bumped to 1.4.1." }],
					},
				},
			]
				.map((x) => JSON.stringify(x))
				.join("\n") + "\n",
		);
		const r = await importJson([folder], vault);
		expect(r.code).toBe(0);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
		const names = await notesIn(vault, CLAUDE_CODE);
		const texts = await Promise.all(names.map((n) => readNote(vault, `${CLAUDE_CODE}/${n}`)));
		expect(texts.some((t) => t.includes("Bumped to 1.4.1."))).toBe(true);
	});

	it("a folder of Codex sessions (current and older format), also with --provider codex", async () => {
		const folder = await copyOf("codex");
		const vault = await newVault();
		const r = await importJson([folder], vault, ["--provider", "codex"]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		const names = (await notesIn(vault, CODEX)).sort();
		expect(names).toEqual(["Add a --version flag to the CLI.md", "The -health endpoint returns 500 when Redis is down. Make….md"].sort());
		const text = await readNote(vault, `${CODEX}/Add a --version flag to the CLI.md`);
		expect(frontmatterValue(text, "source")).toBe("codex");
		expect(text).not.toContain("environment_context");
		const again = await importJson([folder], vault);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
	});

	it("both tools in one folder, with a broken session: each goes to its folder, the broken one fails alone naming its line", async () => {
		const dir = await tempDir("ketl-sessions-");
		for (const sub of ["claude-code", "codex", "claude-code-broken"]) await cp(join(SESSIONS, sub), join(dir, sub), { recursive: true });
		const vault = await newVault();
		const r = await importJson([dir], vault);
		expect(r.code).toBe(4);
		expect(r.json.counts).toEqual({ total: 5, success: 4, failed: 1, skipped: 0 });
		expect(r.json.failures).toHaveLength(1);
		expect(r.json.failures[0]).toMatchObject({ item_id: "b0b0b0b0-1111-4222-8333-444444444444", stage: "extract" });
		expect(r.json.failures[0]!.reason).toMatch(/line 2 is not valid JSON/);
		expect(await notesIn(vault, CLAUDE_CODE)).toHaveLength(2);
		expect(await notesIn(vault, CODEX)).toHaveLength(2);
	});

	it("both tools in one zip (a home folder's .claude and .codex zipped): each session goes to its folder", async () => {
		const dir = await tempDir("ketl-sessions-");
		const entries: Record<string, string> = {};
		const collect = async (from: string, under: string): Promise<void> => {
			for (const e of await readdir(from, { withFileTypes: true })) {
				const path = join(from, e.name);
				if (e.isDirectory()) await collect(path, `${under}/${e.name}`);
				else entries[`${under}/${e.name}`] = await readFile(path, "utf8");
			}
		};
		await collect(join(SESSIONS, "claude-code"), ".claude/projects");
		await collect(join(SESSIONS, "codex"), ".codex/sessions");
		const zip = await writeZip(join(dir, "agents.zip"), entries);
		const vault = await newVault();
		const r = await importJson([zip], vault);
		expect(r.code, r.err).toBe(0);
		expect(r.json.counts).toEqual({ total: 4, success: 4, failed: 0, skipped: 0 });
		expect(await notesIn(vault, CLAUDE_CODE)).toHaveLength(2);
		expect(await notesIn(vault, CODEX)).toHaveLength(2);
	});

	it("--provider that does not match the sessions is refused before anything is written", async () => {
		const folder = await copyOf("claude-code");
		const vault = await newVault();
		const r = await runCli(["import", folder, "--vault", vault, "--json", "--provider", "codex"]);
		expect(r.code).toBe(2);
		expect(r.out).toContain("--provider codex was given, but this is a Claude Code export");
		expect(r.out).toContain("use --provider claude-code or auto");
		expect(await notesIn(vault, CLAUDE_CODE)).toEqual([]);
		expect(await notesIn(vault, CODEX)).toEqual([]);
	});

	it("a single session file given by name", async () => {
		const folder = await copyOf("codex");
		const file = join(folder, "2025", "08", "18", "rollout-2025-08-18T07-41-09-6f1d2e3c-4b5a-4978-8a1b-2c3d4e5f6a7b.jsonl");
		const vault = await newVault();
		const r = await importJson([file], vault);
		expect(r.code).toBe(0);
		expect(await notesIn(vault, CODEX)).toEqual(["Add a --version flag to the CLI.md"]);
		expect(await readFile(join(vault, CODEX, "Add a --version flag to the CLI.md"), "utf8")).toContain("```diff");
	});
});
