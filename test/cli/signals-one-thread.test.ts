/**
 * Ctrl-C in one-thread mode (KNOWLEDGE_ETL_HEAP_MB=0: the command runs in the launcher's own thread). The CLI vault
 * does its I/O synchronously, so an organize run never let the event loop turn: the signal's handler waited until
 * every note was moved, and the run ended "applied" with exit 0. The vault now lets the loop turn every few
 * milliseconds, so the stop is seen between two notes, as in the worker thread (signals.test.ts).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-bundle";
import { SESSION_ROOT_DIR, vaultFiles } from "./import-support";

const NOTES = 300;
const ONE_THREAD = { KNOWLEDGE_ETL_HEAP_MB: "0" };

let work = "";
let cliJs = "";

interface Exit {
	code: number | null;
	stdout: string;
	stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, signalWhen?: () => Promise<boolean>): Promise<Exit & { signalled: boolean }> {
	const child = spawn(process.execPath, [cliJs, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
	child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
	let finished = false;
	let signalled = false;
	const done = new Promise<Exit & { signalled: boolean }>((resolve) =>
		child.on("close", (code) => {
			finished = true;
			resolve({ code, stdout, stderr, signalled });
		}),
	);
	if (signalWhen)
		void (async () => {
			const deadline = Date.now() + 60_000;
			while (!finished && Date.now() < deadline) {
				if (await signalWhen()) {
					signalled = child.kill("SIGINT");
					return;
				}
				await new Promise((r) => setTimeout(r, 2));
			}
		})();
	return done;
}

async function hashes(root: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const f of await vaultFiles(root))
		out[f] = createHash("sha256")
			.update(await readFile(join(root, f)))
			.digest("hex");
	return out;
}

describe("Ctrl-C in one-thread mode (KNOWLEDGE_ETL_HEAP_MB=0) stops organize between notes", () => {
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-signals-one-"));
		cliJs = await buildCli(work);
	}, 120_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("organize --apply-plan: SIGINT part way → exit 130, stopped, part of the notes changed; resume finishes it, undo gives every byte back", async () => {
		const vault = join(work, "organize");
		await mkdir(join(vault, "Inbox"), { recursive: true });
		const topics = ["a hotel and a flight for the trip", "budget, invoice and revenue of the company", "kubernetes deploy and docker"];
		const prose = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";
		for (let i = 0; i < NOTES; i++) {
			const text = `---\ntags: alpha, beta\n---\n# Note ${i}\n\nAbout ${topics[i % 3]}. See [[Note ${(i + 1) % NOTES}]]. ${prose}\n`;
			await writeFile(join(vault, "Inbox", `Note ${i}.md`), text);
		}
		const preview = await run(["organize", "Inbox", "--vault", vault, "--json", "--normalize", "all"], ONE_THREAD);
		expect(preview.code, preview.stderr).toBe(0);
		const session = (JSON.parse(preview.stdout) as { session: string }).session;
		const original = await hashes(vault);
		const reference = join(work, "organize-reference");
		await cp(vault, reference, { recursive: true });
		expect((await run(["organize", "--apply-plan", session, "--vault", reference], ONE_THREAD)).code).toBe(0);

		const journal = join(vault, SESSION_ROOT_DIR, session, "organize", "load", "output", "journal.jsonl");
		const lines = async (): Promise<number> => ((await readFile(journal, "utf8").catch(() => "")).match(/\n/g) ?? []).length;
		const exit = await run(
			["organize", "--apply-plan", session, "--vault", vault, "--json"],
			ONE_THREAD,
			async () => (await lines()) >= 40,
		);
		expect(exit.signalled, `the run finished before the SIGINT: ${exit.stderr}`).toBe(true);
		expect(exit.stderr).toContain("Stopping after the current write");
		expect(exit.code, exit.stderr).toBe(130);
		expect(JSON.parse(exit.stdout)).toMatchObject({ session, cancelled: true });
		const session_ = JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, session, "session.json"), "utf8")) as { status: string };
		expect(session_.status).toBe("stopped");
		// Part way: some notes changed (edited or moved), not all of them.
		const now = await hashes(vault);
		expect(Object.keys(original).filter((p) => now[p] !== original[p]).length).toBeGreaterThan(0);
		expect(now).not.toEqual(await hashes(reference));

		const resumed = await run(["organize", "--resume", session, "--vault", vault, "--json"], ONE_THREAD);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(await hashes(vault)).toEqual(await hashes(reference));
		const undo = await run(["organize", "--undo", session, "--vault", vault, "--json"], ONE_THREAD);
		expect(undo.code, undo.stderr).toBe(0);
		expect(await hashes(vault)).toEqual(original);
	}, 180_000);
});
