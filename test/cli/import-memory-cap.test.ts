import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-bundle";
import { chatgptConv, notesIn, writeJson } from "./import-support";
import { tempDir } from "../core/_support/temp-vault";

const run = promisify(execFile);

/** Runs the built CLI; resolves with its exit code and output whatever the code. */
async function cli(
	launcher: string,
	args: string[],
	env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
	try {
		const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
		return { code: 0, stdout, stderr };
	} catch (e) {
		const err = e as { code?: number; stdout?: string; stderr?: string };
		return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
	}
}

// Issue 15 item 5: when the memory cap is still hit, a session exists and the message says exactly what to run.
// The cap is made small (KNOWLEDGE_ETL_HEAP_MB=20) and the vault large (30,000 notes an import wrote, found by their
// source ids when the import index does not know a conversation), so that the run is stopped by the cap after its
// session began, as a real run is on a larger vault. (The import index itself no longer does it: it stays on disk,
// a few bytes a record in memory. Nor does 24 MB since the program holds its source once, one byte a character: this
// run then fits; 17 MB still stops it after its session began.)
describe("a run stopped by the memory cap", () => {
	let launcher = "";
	beforeAll(async () => {
		launcher = await buildCli(await tempDir("ketl-cap-cli-"));
	}, 120_000);

	it("names its session and the exact resume command, which then finishes the import", async () => {
		const dir = await tempDir("ketl-cap-");
		const vault = join(dir, "my vault");
		await mkdir(join(vault, "Notes"), { recursive: true });
		for (let i = 0; i < 30_000; i++)
			writeFileSync(
				join(vault, "Notes", `An imported conversation with a long title number ${i}.md`),
				`---\nsource: chatgpt\nsource_id: old-conversation-id-${i}-0000-0000-000000000000\n---\nBody ${i}\n`,
			);
		const input = await writeJson(join(dir, "conversations.json"), [
			chatgptConv({ id: "n1", title: "New one" }),
			chatgptConv({ id: "n2", title: "New two" }),
		]);

		const capped = await cli(launcher, ["import", input, "--vault", vault, "--json"], {
			KNOWLEDGE_ETL_HEAP_MB: "20",
			KNOWLEDGE_ETL_UNCAPPED_MAX_MB: "0",
		});
		expect(capped.code).not.toBe(0);
		const sessions = await readdir(join(vault, ".staging", "@session"));
		expect(sessions).toHaveLength(1);
		const id = sessions[0]!;
		expect(capped.stderr).toContain(`the run needed more than 20 MB of memory and was stopped. Session ${id} keeps what was done`);
		const command = /\n {2}KNOWLEDGE_ETL_HEAP_MB=(\d+) knowledge-etl (resume .*)\n?$/.exec(capped.stderr);
		expect(command?.[2]).toBe(`resume --session ${id} --vault '${vault}' --json`);

		// What it says to run, as it says it (the vault path quoted for the shell: it has a space).
		const resumed = await cli(launcher, ["resume", "--session", id, "--vault", vault, "--json"], { KNOWLEDGE_ETL_HEAP_MB: command![1]! });
		expect(resumed.code).toBe(0);
		expect(JSON.parse(resumed.stdout)).toMatchObject({ session_id: id, status: "completed", counts: { total: 2, success: 2 } });
		expect((await notesIn(vault, "AI Conversations/ChatGPT")).sort()).toEqual(["New one.md", "New two.md"]);
		// Removed here, inside the test's time (the temp folder's cleanup has 10 s).
		await rm(join(vault, "Notes"), { recursive: true, force: true });
	}, 120_000);
});
