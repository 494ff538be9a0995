import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import {
	allFiles,
	chatgptConv,
	claudeConv,
	newVault,
	runCli,
	SAMPLES,
	SESSION_ROOT_DIR,
	sessionIds,
	vaultFiles,
	writeJson,
	writeZip,
} from "./import-support";

interface ErrorCase {
	name: string;
	/** Builds the input in `dir`; returns the argv after `import` (the vault is added). */
	make: (dir: string) => Promise<string[]>;
	/** What the message must say besides the file name. */
	says: RegExp;
	/** The file the message must name (default: the first argument). */
	file?: (dir: string) => string;
}

const goodClaude = JSON.stringify([claudeConv({ id: "ok", title: "Fine" })]);

const cases: ErrorCase[] = [
	{
		name: "a truncated JSON file",
		make: async (d) => [await write(d, "conversations.json", goodClaude.slice(0, goodClaude.length - 20))],
		says: /truncated/i,
	},
	{
		name: "a file that is not JSON",
		make: async (d) => [await write(d, "conversations.json", "hello, I am plain text\n")],
		says: /not a JSON array|not JSON|JSON/i,
	},
	{
		name: "an empty file",
		make: async (d) => [await write(d, "conversations.json", "")],
		says: /empty|truncated|JSON/i,
	},
	{
		name: "a .zip that is not a zip",
		make: async (d) => [await write(d, "export.zip", "PK but not really a zip archive")],
		says: /not a zip/i,
	},
	{
		name: "a zip with no conversations",
		make: async (d) => [await writeZip(join(d, "export.zip"), { "users.json": "[]", "projects.json": "[]" })],
		says: /no conversations/i,
	},
	{
		name: "a zip entry whose path escapes (../)",
		make: async (d) => [await writeZip(join(d, "export.zip"), { "../conversations.json": goodClaude })],
		says: /\.\.\/|escapes|outside/i,
	},
	{
		name: "an unrecognised shape (array of other objects)",
		make: async (d) => [await write(d, "conversations.json", JSON.stringify([{ foo: 1 }, { bar: 2 }]))],
		says: /unrecognised|not recognised|shape/i,
	},
	{
		name: "an unrecognised shape (a top-level object)",
		make: async (d) => [await write(d, "conversations.json", JSON.stringify({ conversations: [] }))],
		says: /object|array/i,
	},
	{
		name: "a wrong --provider (chatgpt for a Claude export)",
		make: async () => [join(SAMPLES, "claude-export.zip"), "--provider", "chatgpt"],
		says: /Claude export|claude/,
	},
	{
		name: "a wrong --provider (claude for a ChatGPT export)",
		make: async () => [join(SAMPLES, "chatgpt", "conversations.json"), "--provider", "claude"],
		says: /ChatGPT|chatgpt/,
	},
	{
		name: "a missing path",
		make: async (d) => [join(d, "does-not-exist.json")],
		says: /not found|no such/i,
	},
	{
		name: "a folder with no export in it",
		make: async (d) => {
			await write(d, "notes.txt", "hi");
			return [d];
		},
		says: /no export/i,
	},
	{
		name: "one bad input among good ones (nothing of the good one is imported)",
		make: async (d) => [join(SAMPLES, "claude-export.zip"), await write(d, "conversations.json", "[{")],
		says: /truncated|JSON/i,
		file: (d) => join(d, "conversations.json"),
	},
];

async function write(dir: string, name: string, text: string): Promise<string> {
	const path = join(dir, name);
	await writeFile(path, text);
	return path;
}

describe("whole-input errors: exit 2, the message names the file, nothing written to the vault", () => {
	for (const c of cases) {
		it(c.name, async () => {
			const dir = await tempDir("ketl-bad-");
			const vault = await newVault();
			const args = await c.make(dir);
			const r = await runCli(["import", ...args, "--vault", vault, "--json"]);
			expect(r.code, r.err).toBe(2);
			const file = c.file ? c.file(dir) : args[0]!;
			expect(r.err).toContain(file);
			expect(r.err).toMatch(c.says);
			const out = JSON.parse(r.out) as { error: { message: string; exit_code: number } };
			expect(out.error.exit_code).toBe(2);
			expect(out.error.message).toContain(file);
			// Nothing at all: no notes, no session.
			expect(await vaultFiles(vault)).toEqual([]);
			expect(await allFiles(vault)).toEqual([]);
		});
	}

	it("an unknown --provider value is a usage error (exit 2), nothing written", async () => {
		const vault = await newVault();
		const r = await runCli(["import", join(SAMPLES, "claude-export.zip"), "--provider", "gemini", "--vault", vault]);
		expect(r.code).toBe(2);
		expect(r.err).toMatch(/--provider/);
		expect(await allFiles(vault)).toEqual([]);
	});

	it("a missing vault folder: exit 2", async () => {
		const dir = await tempDir("ketl-bad-");
		const r = await runCli(["import", join(SAMPLES, "claude-export.zip"), "--vault", join(dir, "nope")]);
		expect(r.code).toBe(2);
		expect(r.err).toContain(join(dir, "nope"));
		expect(existsSync(join(dir, "nope"))).toBe(false);
	});

	it("a truncation found late in a large file: exit 2, the file named, no notes written", async () => {
		const dir = await tempDir("ketl-bad-");
		const convs = Array.from({ length: 1500 }, (_, i) =>
			i % 2 === 0 ? claudeConv({ id: `c${i}`, title: `Conversation ${i}` }) : claudeConv({ id: `c${i}`, title: `Other ${i}` }),
		);
		const text = JSON.stringify(convs);
		const input = await write(dir, "conversations.json", text.slice(0, text.length - 30));
		const vault = await newVault();
		const r = await runCli(["import", input, "--vault", vault, "--json"]);
		expect(r.code).toBe(2);
		expect(r.err).toContain(input);
		expect(r.err).toMatch(/truncated/);
		const out = JSON.parse(r.out) as { error: { message: string; exit_code: number } };
		expect(out.error.message).toContain(input);
		expect(await vaultFiles(vault)).toEqual([]);
		// A session may remain (it records the failed run), but it says why it stopped.
		for (const id of await sessionIds(vault)) {
			const session = JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, id, "session.json"), "utf8")) as {
				status: string;
				phases: { import?: { status: string; error?: string } };
			};
			expect(session.phases.import?.status).toBe("failed");
			expect(session.phases.import?.error).toContain("truncated");
		}
	});

	it("a ChatGPT export whose records are all malformed: exit 5, every failure has a reason, no notes", async () => {
		const dir = await tempDir("ketl-bad-");
		const broken1 = chatgptConv({ id: "b1", title: "Broken one" });
		delete broken1.mapping;
		const broken2 = chatgptConv({ id: "b2", title: "Broken two" });
		broken2.mapping = "not a mapping";
		const input = await writeJson(join(dir, "conversations.json"), [broken1, broken2]);
		const vault = await newVault();
		const r = await runCli(["import", input, "--vault", vault, "--json", "--provider", "chatgpt"]);
		expect(r.code).toBe(5);
		const out = JSON.parse(r.out) as {
			status: string;
			counts: { total: number; failed: number };
			failures: { item_id: string; reason: string; title: string | null }[];
		};
		expect(out.counts).toMatchObject({ total: 2, failed: 2 });
		expect(out.status).toBe("failed");
		expect(out.failures.map((f) => f.title).sort()).toEqual(["Broken one", "Broken two"]);
		for (const f of out.failures) expect(f.reason).toMatch(/mapping/);
		expect(await vaultFiles(vault)).toEqual([]);
	});
});
