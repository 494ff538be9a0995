/**
 * Real CLI processes at once on one vault: a second import, a resume of the running session and a clean are
 * refused with a message naming the running session; the first import ends with one note per conversation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-bundle";
import { claudeConv, SESSION_ROOT_DIR, writeJson } from "./import-support";

const COUNT = 1500;
const FOLDER = "AI Conversations/Claude";
let work = "";
let cliJs = "";
let input = "";

interface Exit {
	code: number | null;
	stdout: string;
	stderr: string;
}

function spawnCli(args: string[]): { child: ChildProcess; done: Promise<Exit> } {
	const child = spawn(process.execPath, [cliJs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
	child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
	return { child, done: new Promise<Exit>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) };
}

function start(args: string[]): Promise<Exit> {
	return spawnCli(args).done;
}

async function count(dir: string): Promise<number> {
	return (await readdir(dir).catch(() => [])).length;
}

describe("one run at a time per vault (real CLI processes)", () => {
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-lock-cli-"));
		cliJs = join(work, "cli.mjs");
		const bundling = buildCli(work);
		const convs = Array.from({ length: COUNT }, (_, i) =>
			claudeConv({
				id: `conv-${i}`,
				title: `Conversation ${i}`,
				updated: "2025-03-01T10:00:00Z",
				messages: [
					{ role: "user", text: `Question ${i}` },
					{ role: "assistant", text: `Answer ${i}` },
				],
			}),
		);
		input = await writeJson(join(work, "export", "conversations.json"), convs);
		await bundling;
	}, 120_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("a second import, a resume of the running session and a clean are refused while an import runs", async () => {
		const vault = join(work, "vault");
		await mkdir(vault);
		const first = start(["import", input, "--vault", vault, "--json"]);
		// Wait until the first run has its session and is writing notes.
		const deadline = Date.now() + 60_000;
		while ((await count(join(vault, FOLDER))) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
		const [session] = await readdir(join(vault, SESSION_ROOT_DIR));
		expect(session).toBeDefined();
		const [second, resume, clean] = await Promise.all([
			start(["import", input, "--vault", vault, "--json"]),
			start(["resume", "--session", session!, "--vault", vault, "--json"]),
			start(["clean", "--days", "0", "--vault", vault, "--json"]),
		]);
		const firstExit = await first;
		expect(firstExit.code, firstExit.stderr).toBe(0);
		for (const refused of [second, resume, clean]) {
			expect(refused.code).not.toBe(0);
			expect(refused.stdout + refused.stderr).toContain(`Another run is changing this vault: import of session ${session}`);
		}
		// One session, one note per conversation, nothing deleted by the clean.
		expect(await readdir(join(vault, SESSION_ROOT_DIR))).toEqual([session]);
		expect(await count(join(vault, FOLDER))).toBe(COUNT);
		expect((JSON.parse(firstExit.stdout) as { counts: { success: number } }).counts.success).toBe(COUNT);
		// Once it is done, the vault is free again: clean runs (and keeps the fresh session).
		const after = await start(["clean", "--days", "30", "--vault", vault, "--json"]);
		expect(after.code, after.stderr).toBe(0);
	}, 180_000);

	it("status shows a killed import as interrupted at once (its lock's process is gone), and resume takes the lock over", async () => {
		const vault = join(work, "vault-killed");
		await mkdir(vault);
		const { child, done } = spawnCli(["import", input, "--vault", vault, "--json"]);
		while ((await count(join(vault, FOLDER))) < 5) await new Promise((r) => setTimeout(r, 5));
		child.kill("SIGKILL");
		await done;
		const [session] = await readdir(join(vault, SESSION_ROOT_DIR));
		const status = await start(["status", "--session", session!, "--vault", vault, "--json"]);
		expect(status.code, status.stderr).toBe(0);
		expect((JSON.parse(status.stdout) as { session: { status: string } }).session.status).toBe("interrupted");
		const all = await start(["status", "--all", "--vault", vault]);
		expect(all.stdout + all.stderr).toMatch(new RegExp(`${session}\\s+interrupted`));
		const resumed = await start(["resume", "--session", session!, "--vault", vault, "--json"]);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(await count(join(vault, FOLDER))).toBe(COUNT);
	}, 180_000);
});
