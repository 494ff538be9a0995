import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import { claudeConv, importJson, newVault, runCli, vaultFiles, writeJson } from "./import-support";

const FOLDER = "AI Conversations/Claude";

/** One conversation of a named project (with thinking in its answer), one without a project, one older. */
async function exportFile(): Promise<string> {
	const dir = await tempDir("ketl-choice-");
	const withThinking = claudeConv({ id: "c1", title: "Packing list", created: "2025-03-09T23:40:00Z", updated: "2025-03-09T23:50:00Z" });
	(withThinking.chat_messages as { content: unknown[] }[])[1]!.content.unshift({ type: "thinking", thinking: "THINKING-MARKER" });
	return writeJson(join(dir, "conversations.json"), [
		{ ...withThinking, project: { uuid: "p-1", name: "Japan trip" } },
		claudeConv({ id: "c2", title: "Loose idea", created: "2025-02-01T08:00:00Z", updated: "2025-02-01T08:10:00Z" }),
		claudeConv({ id: "c3", title: "Plain chat", created: "2024-12-31T20:00:00Z", updated: "2024-12-31T20:05:00Z" }),
	]);
}

describe("import: note metadata flags", () => {
	it("--time-zone, --by-project and --date-prefix: project folder, dated names, zoned times, url and link", async () => {
		const vault = await newVault();
		const r = await importJson([await exportFile()], vault, ["--time-zone", "Asia/Tokyo", "--by-project", "--date-prefix"]);
		expect(r.code).toBe(0);
		expect(await vaultFiles(vault)).toEqual([
			`${FOLDER}/2025-01-01 Plain chat.md`,
			`${FOLDER}/2025-02-01 Loose idea.md`,
			`${FOLDER}/Japan trip/2025-03-10 Packing list.md`,
		]);
		const note = await readFile(join(vault, FOLDER, "Japan trip/2025-03-10 Packing list.md"), "utf8");
		expect(note).toContain(
			"\nurl: https://claude.ai/chat/c1\nproject: Japan trip\ncreated: 2025-03-10T08:40:00+09:00\nupdated: 2025-03-10T08:50:00+09:00\n",
		);
		expect(note).toContain("---\n\n[Open in Claude](https://claude.ai/chat/c1)\n\n## User · 2025-03-01 19:00\n");
	});

	it("without --time-zone: this computer's zone (the tests pin TZ=UTC)", async () => {
		const vault = await newVault();
		expect((await importJson([await exportFile()], vault)).code).toBe(0);
		const note = await readFile(join(vault, FOLDER, "Plain chat.md"), "utf8");
		expect(note).toContain("\ncreated: 2024-12-31T20:00:00+00:00\n");
		expect(note).toContain("## User · 2025-03-01 10:00 UTC\n");
	});

	it("a time zone that does not exist is a usage error (exit 2), nothing written", async () => {
		const vault = await newVault();
		const r = await runCli(["import", await exportFile(), "--vault", vault, "--time-zone", "Mars/Olympus"]);
		expect(r.code).toBe(2);
		expect(r.err).toContain('--time-zone: "Mars/Olympus" is not a time zone');
		expect(await vaultFiles(vault)).toEqual([]);
	});
});

describe("import: re-render on option change", () => {
	it("a changed option rewrites unedited notes (updated, options changed), keeps an edited one; --rerender forces it", async () => {
		const vault = await newVault();
		const input = await exportFile();
		expect((await importJson([input], vault)).json.notes.created).toBe(3);
		await appendFile(join(vault, FOLDER, "Loose idea.md"), "\nMY-EDIT\n");

		const thinking = await importJson([input], vault, ["--include-thinking"]);
		expect(thinking.code).toBe(0);
		expect(thinking.json.notes).toMatchObject({ created: 0, updated: 2, unchanged: 0, preserved: 1 });
		expect(thinking.err).toContain("2 updated (2 re-rendered: options changed or --rerender)");
		expect(await readFile(join(vault, FOLDER, "Packing list.md"), "utf8")).toContain("THINKING-MARKER");
		expect(await readFile(join(vault, FOLDER, "Loose idea.md"), "utf8")).toContain("MY-EDIT");

		const same = await importJson([input], vault, ["--include-thinking"]);
		expect(same.json.notes).toMatchObject({ updated: 0, unchanged: 2, preserved: 1 });

		const forced = await importJson([input], vault, ["--include-thinking", "--rerender"]);
		expect(forced.json.notes).toMatchObject({ updated: 2, unchanged: 0, preserved: 1 });
	});
});

describe("import: choosing what to import", () => {
	it("--select FILE imports the listed ids only (blank lines and # comments skipped)", async () => {
		const vault = await newVault();
		const dir = await tempDir("ketl-select-");
		const ids = join(dir, "ids.txt");
		await writeFile(ids, "# my picks\nc3\n\n  c1  \r\nnot-there\n");
		const r = await importJson([await exportFile()], vault, ["--select", ids]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		expect(await vaultFiles(vault)).toEqual([`${FOLDER}/Packing list.md`, `${FOLDER}/Plain chat.md`]);
		const options = JSON.parse(
			await readFile(join(vault, ".staging/@session", r.json.session_id, "import/extract/input/options.json"), "utf8"),
		) as { select: string[] };
		expect(options.select).toEqual(["c3", "c1", "not-there"]);
	});

	it("--since DATE keeps conversations updated since that day in the import's zone", async () => {
		const vault = await newVault();
		// 2025-02-01 in Tokyo begins at 2025-01-31T15:00Z: "Loose idea" (08:10Z on the 1st) is in, "Plain chat" is not.
		const r = await importJson([await exportFile()], vault, ["--since", "2025-02-01", "--time-zone", "Asia/Tokyo"]);
		expect(r.json.counts.total).toBe(2);
		expect(await vaultFiles(vault)).toEqual([`${FOLDER}/Loose idea.md`, `${FOLDER}/Packing list.md`]);
	});

	it("a missing or empty --select file, or a --since that is not a date, is refused with exit 2", async () => {
		const vault = await newVault();
		const input = await exportFile();
		const dir = await tempDir("ketl-select-");
		const missing = await runCli(["import", input, "--vault", vault, "--select", join(dir, "nope.txt"), "--json"]);
		expect(missing.code).toBe(2);
		expect(missing.err).toMatch(/--select: cannot read .*nope\.txt/);
		await writeFile(join(dir, "empty.txt"), "# nothing\n\n");
		const empty = await runCli(["import", input, "--vault", vault, "--select", join(dir, "empty.txt")]);
		expect(empty.code).toBe(2);
		expect(empty.err).toContain("lists no conversation id");
		const since = await runCli(["import", input, "--vault", vault, "--since", "last week"]);
		expect(since.code).toBe(2);
		expect(since.err).toContain('--since must be a date (2025-03-10) or an ISO 8601 date-time, not "last week"');
		expect(await vaultFiles(vault)).toEqual([]);
	});
});
