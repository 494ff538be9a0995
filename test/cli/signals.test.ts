/**
 * Ctrl-C (SIGINT) and SIGTERM stop a real CLI process like the panel's Cancel (issue 15 item 7): the write in hand
 * finishes, the session is left `stopped` (not running, not failed), the summary and the `--json` object are
 * printed, the exit code is 130; `resume` then finishes to the same notes as an uninterrupted run. The command
 * runs in a worker thread (a large import) or in the launcher's own thread: both are tried.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-bundle";
import { allFiles, claudeConv, SESSION_ROOT_DIR, vaultFiles, withoutSession, writeJson } from "./import-support";

const COUNT = 3000;
const FOLDER = "AI Conversations/Claude";
/** Notes in the organize case. */
const NOTES = 200;

let work = "";
let cliJs = "";
let input = "";
let reference = "";

interface Exit {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Exit> } {
	const child = spawn(process.execPath, [cliJs, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
	child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
	const done = new Promise<Exit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
	return { child, done };
}

/** Runs `args`, sends `signal` once `ready` says so (polled); fails when the run finished first. */
async function runAndSignal(
	args: string[],
	signal: NodeJS.Signals,
	ready: () => Promise<boolean>,
	env: NodeJS.ProcessEnv = {},
): Promise<Exit> {
	const { child, done } = start(args, env);
	let finished = false;
	void done.then(() => (finished = true));
	let sent = false;
	const deadline = Date.now() + 60_000;
	while (!finished && Date.now() < deadline) {
		if (await ready()) {
			sent = child.kill(signal);
			break;
		}
		await new Promise((r) => setTimeout(r, 5));
	}
	const exit = await done;
	expect(sent, `the run finished before the ${signal}: ${exit.stderr}`).toBe(true);
	return exit;
}

async function notes(vault: string): Promise<string[]> {
	return (await readdir(join(vault, FOLDER)).catch(() => [])).filter((n) => n.endsWith(".md"));
}

async function sessionJson(vault: string, id: string): Promise<{ status: string; phases: Record<string, { status: string }> }> {
	return JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, id, "session.json"), "utf8")) as {
		status: string;
		phases: Record<string, { status: string }>;
	};
}

interface Contract {
	session_id: string;
	status: string;
	counts: { total: number; success: number; failed: number; skipped: number };
	notes: { created: number };
}

/** Interrupts an import with `signal`, checks what it left, resumes it and compares with the reference vault. */
async function interruptAndResume(name: string, signal: NodeJS.Signals, env: NodeJS.ProcessEnv): Promise<void> {
	const vault = join(work, name);
	await mkdir(vault);
	const exit = await runAndSignal(
		["import", input, "--vault", vault, "--json"],
		signal,
		async () => (await notes(vault)).length >= 20,
		env,
	);
	expect(exit.signal, exit.stderr).toBeNull();
	expect(exit.code, exit.stderr).toBe(130);
	expect(exit.stderr).toContain("Stopping after the current write");
	// One JSON object on stdout: the session, stopped, with its counts.
	const summary = JSON.parse(exit.stdout) as Contract;
	expect(summary.status).toBe("stopped");
	expect(summary.counts.failed).toBe(0);
	expect(summary.counts.success).toBeGreaterThan(0);
	expect(summary.counts.success).toBeLessThan(COUNT);
	// The write in hand was finished: every note on disk is counted, no temp file is left.
	const written = await notes(vault);
	expect(summary.notes.created).toBe(written.length);
	expect((await allFiles(vault)).filter((f) => /\.tmp-/.test(f))).toEqual([]);
	expect(exit.stderr).toContain(`Resume with: knowledge-etl resume --session ${summary.session_id}`);
	// The session says stopped (not running, not failed): status shows it so, and resume goes on.
	const session = await sessionJson(vault, summary.session_id);
	expect({ session: session.status, import: session.phases.import?.status }).toEqual({ session: "stopped", import: "stopped" });
	const status = await start(["status", "--session", summary.session_id, "--vault", vault, "--json"]).done;
	expect((JSON.parse(status.stdout) as { session: { status: string } }).session.status).toBe("stopped");

	const resumed = await start(["resume", "--session", summary.session_id, "--vault", vault, "--json"], env).done;
	expect(resumed.code, resumed.stderr).toBe(0);
	expect((JSON.parse(resumed.stdout) as Contract).counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });
	const files = await vaultFiles(vault);
	expect(files).toEqual(await vaultFiles(reference));
	for (const f of files) {
		const [mine, theirs] = await Promise.all([readFile(join(vault, f), "utf8"), readFile(join(reference, f), "utf8")]);
		expect(withoutSession(mine), f).toBe(withoutSession(theirs));
	}
	expect((await sessionJson(vault, summary.session_id)).status).toBe("completed");
}

describe("Ctrl-C and SIGTERM stop a CLI run like the panel's Cancel (child processes)", () => {
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-signals-"));
		const bundling = buildCli(work).then((path) => (cliJs = path));
		const convs = Array.from({ length: COUNT }, (_, i) =>
			claudeConv({
				id: `conv-${String(i).padStart(5, "0")}`,
				title: i % 9 === 0 ? `Topic ${i % 40}` : `Conversation ${i}`,
				updated: `2025-03-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`,
				messages: [
					{ role: "user", text: `Question ${i}` },
					{ role: "assistant", text: `Answer ${i}, at some length so that each note takes a moment to write.` },
				],
			}),
		);
		input = await writeJson(join(work, "export", "conversations.json"), convs);
		await bundling;
		reference = join(work, "reference");
		await mkdir(reference);
		const full = await start(["import", input, "--vault", reference, "--json"]).done;
		expect(full.code, full.stderr).toBe(0);
		expect(await notes(reference)).toHaveLength(COUNT);
	}, 180_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("SIGINT while an import runs in the worker thread: exit 130, stopped, then resume gives the same notes", async () => {
		// KNOWLEDGE_ETL_UNCAPPED_MAX_MB=0: the command runs in the capped worker thread, as a large import does.
		await interruptAndResume("sigint-worker", "SIGINT", { KNOWLEDGE_ETL_UNCAPPED_MAX_MB: "0" });
	}, 180_000);

	it("SIGTERM while an import runs in the launcher's thread: the same", async () => {
		await interruptAndResume("sigterm-here", "SIGTERM", {});
	}, 180_000);

	it("organize --apply-plan stopped by SIGINT: exit 130, stopped; resume finishes it, undo gives every byte back", async () => {
		const vault = join(work, "organize");
		await mkdir(join(vault, "Inbox"), { recursive: true });
		const topics = ["a hotel and a flight for the trip", "budget, invoice and revenue of the company", "kubernetes deploy and docker"];
		const prose = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";
		for (let i = 0; i < NOTES; i++) {
			const text = `---\ntags: alpha, beta\n---\n# Note ${i}\n\nAbout ${topics[i % 3]}. See [[Note ${(i + 1) % NOTES}]]. ${prose}\n`;
			await writeFile(join(vault, "Inbox", `Note ${i}.md`), text);
		}
		// Every rule, so that each note is edited and moved: the apply takes long enough to be stopped part way.
		const preview = await start(["organize", "Inbox", "--vault", vault, "--json", "--normalize", "all"]).done;
		expect(preview.code, preview.stderr).toBe(0);
		const session = (JSON.parse(preview.stdout) as { session: string }).session;
		const original = await hashes(vault);
		const reference = join(work, "organize-reference");
		await cp(vault, reference, { recursive: true });
		expect((await start(["organize", "--apply-plan", session, "--vault", reference]).done).code).toBe(0);

		const journal = join(vault, SESSION_ROOT_DIR, session, "organize", "load", "output", "journal.jsonl");
		const lines = async (): Promise<number> => ((await readFile(journal, "utf8").catch(() => "")).match(/\n/g) ?? []).length;
		const exit = await runAndSignal(
			["organize", "--apply-plan", session, "--vault", vault, "--json"],
			"SIGINT",
			async () => (await lines()) >= 60,
		);
		expect(exit.code, exit.stderr).toBe(130);
		expect(JSON.parse(exit.stdout)).toMatchObject({ session, cancelled: true });
		expect((await sessionJson(vault, session)).status).toBe("stopped");
		const moved = Object.keys(await hashes(vault)).filter((p) => !p.startsWith("Inbox/")).length;
		expect(moved).toBeLessThan(NOTES);

		const resumed = await start(["organize", "--resume", session, "--vault", vault, "--json"]).done;
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(await hashes(vault)).toEqual(await hashes(reference));
		const undo = await start(["organize", "--undo", session, "--vault", vault, "--json"]).done;
		expect(undo.code, undo.stderr).toBe(0);
		expect(await hashes(vault)).toEqual(original);
	}, 180_000);
});

/** Every note outside dot-folders with its SHA-256. */
async function hashes(root: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const f of await vaultFiles(root))
		out[f] = createHash("sha256")
			.update(await readFile(join(root, f)))
			.digest("hex");
	return out;
}
