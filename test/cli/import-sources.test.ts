import { readFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isUpdatingExpected, useGolden } from "../support/golden";
import { tempDir } from "../core/_support/temp-vault";
import { frontmatterValue, importJson, newVault, notesIn, readNote, runCli, snapshot, withoutSession, writeZip } from "./import-support";

/**
 * Every web-export source end to end through the CLI, from our own fixtures (test/fixtures/sources, shaped like the
 * real exports: see each module's header): the notes are golden files, a second import of the same export changes
 * nothing, and the notes land in `AI Conversations/<Provider>/` with `source: <provider>`.
 */

const SOURCES = fileURLToPath(new URL("../fixtures/sources/", import.meta.url));
const golden = useGolden(join(SOURCES, "expected"));
const text = (name: string): string => readFileSync(join(SOURCES, name), "utf8");

interface Case {
	name: string;
	provider: string;
	folder: string;
	/** Writes the export into `dir`; returns the paths to pass. */
	make(dir: string): Promise<string[]>;
	notes: number;
}

const copy = async (dir: string, from: string, to: string): Promise<string> => {
	const path = join(dir, to);
	await mkdir(join(path, ".."), { recursive: true });
	await copyFile(join(SOURCES, from), path);
	return path;
};

const CASES: Case[] = [
	{
		name: "deepseek",
		provider: "deepseek",
		folder: "DeepSeek",
		notes: 2,
		make: async (dir) => [
			await writeZip(join(dir, "deepseek_data-2025-04-03.zip"), {
				"conversations.json": text("deepseek-conversations.json"),
				"user.json": '{"email":"x@y.z"}',
			}),
		],
	},
	{
		name: "grok",
		provider: "grok",
		folder: "Grok",
		notes: 2,
		make: async (dir) => [
			await writeZip(join(dir, "grok-export.zip"), {
				"ttl/30d/export_data/a1b2c3d4/prod-grok-backend.json": text("grok-prod-grok-backend.json"),
				"ttl/30d/export_data/a1b2c3d4/prod-mc-auth-mgmt-api.json": '{"user":{"email":"x@y.z","birthDate":"1990-01-01"}}',
			}),
		],
	},
	{
		name: "lechat",
		provider: "lechat",
		folder: "Le Chat",
		notes: 2,
		make: async (dir) => [
			await copy(dir, "lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json", "chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json"),
			await copy(dir, "lechat-chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json", "chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json"),
		],
	},
	{
		name: "perplexity",
		provider: "perplexity",
		folder: "Perplexity",
		notes: 2,
		make: async (dir) => [
			await copy(dir, "perplexity-thread.json", "lofoten-thread.json"),
			await copy(dir, "perplexity-entries.json", "walrus-thread.json"),
		],
	},
	{
		name: "gemini-json",
		provider: "gemini",
		folder: "Gemini",
		notes: 3,
		make: async (dir) => [
			await writeZip(join(dir, "takeout-20250305T101500Z-001.zip"), {
				"Takeout/My Activity/Gemini Apps/MyActivity.json": text("gemini-MyActivity.json"),
				"Takeout/My Activity/Search/MyActivity.json":
					'[{"header":"Search","title":"Searched for x","time":"2025-03-01T10:00:00.000Z","products":["Search"]}]',
			}),
		],
	},
	{
		name: "gemini-html",
		provider: "gemini",
		folder: "Gemini",
		notes: 3,
		make: async (dir) => [await copy(dir, "gemini-MyActivity.html", "MyActivity.html")],
	},
];

describe("web-export sources through the CLI (our own fixtures)", () => {
	for (const c of CASES) {
		it(`${c.name}: golden notes, then a re-import changes nothing`, async () => {
			const vault = await newVault();
			const inputs = await c.make(await tempDir());
			const first = await importJson(inputs, vault);
			expect(first.json.status).toBe("completed");
			expect(first.json.failures).toEqual([]);
			expect(first.json.notes.created).toBe(c.notes);
			const folder = `AI Conversations/${c.folder}`;
			const names = await notesIn(vault, folder);
			expect(names).toHaveLength(c.notes);
			for (const n of names) {
				const note = await readNote(vault, `${folder}/${n}`);
				expect(frontmatterValue(note, "source")).toBe(c.provider);
				golden.check(`${c.name}/${n}`, withoutSession(note));
			}
			expect(JSON.stringify([...(await snapshot(vault)).values()].map((v) => v.text))).not.toMatch(/x@y\.z|1990-01-01/);

			const before = await snapshot(vault);
			const again = await importJson(inputs, vault);
			expect(again.json.failures).toEqual([]);
			expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: c.notes });
			expect(await snapshot(vault)).toEqual(before);
		});
	}

	it("a folder of Le Chat chat files (its unzipped export) is found and imported", async () => {
		const dir = await tempDir();
		await copy(dir, "lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json", "export/chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json");
		await copy(dir, "lechat-chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json", "export/chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json");
		const vault = await newVault();
		const run = await importJson([join(dir, "export")], vault);
		expect(run.json.notes.created).toBe(2);
		expect(await notesIn(vault, "AI Conversations/Le Chat")).toHaveLength(2);
	});

	it("--provider names each source; a wrong one is refused with the file named", async () => {
		const dir = await tempDir();
		const input = await copy(dir, "perplexity-thread.json", "thread.json");
		const right = await importJson([input], await newVault(), ["--provider", "perplexity"]);
		expect(right.json.notes.created).toBe(1);
		const wrong = await runCli(["import", input, "--vault", await newVault(), "--provider", "grok"]);
		expect(wrong.code).toBe(2);
		expect(wrong.err).toContain("thread.json");
		const unknown = await runCli(["import", input, "--vault", await newVault(), "--provider", "bard"]);
		expect(unknown.err).toMatch(/--provider must be auto, claude, chatgpt, .*gemini/);
	});
});

afterAll(() => {
	if (isUpdatingExpected()) return;
	expect(golden.checked.size).toBeGreaterThan(0);
});
