/**
 * A real child process (the esbuild bundle of the CLI) is SIGKILLed in the middle of an import, then the session
 * is resumed; the vault must equal an uninterrupted run's, file by file (apart from the `session:` line).
 */
import { readLoadManifest } from "../../src/core/import/pipeline/compact-session";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCli } from "./cli-bundle";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { allFiles, claudeConv, frontmatterValue, SESSION_ROOT_DIR, vaultFiles, withoutSession, writeJson } from "./import-support";

const COUNT = 1200;
const FOLDER = "AI Conversations/Claude";

let work = "";
let cliJs = "";
let input = "";
let reference = "";
let referenceFiles: string[] = [];

interface Exit {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Exit> } {
	const child = spawn(process.execPath, [cliJs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
	child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
	const done = new Promise<Exit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
	return { child, done };
}

async function run(args: string[]): Promise<Exit> {
	return start(args).done;
}

async function countNotes(vault: string): Promise<number> {
	try {
		return (await readdir(join(vault, FOLDER))).filter((n) => n.endsWith(".md")).length;
	} catch {
		return 0;
	}
}

async function onlySession(vault: string): Promise<string> {
	const ids = await readdir(join(vault, SESSION_ROOT_DIR));
	expect(ids).toHaveLength(1);
	return ids[0]!;
}

/** Starts an import into `vault` and SIGKILLs it once `ready` says so (polled); returns whether it was killed. */
async function importAndKill(vault: string, ready: () => Promise<boolean>): Promise<Exit> {
	const { child, done } = start(["import", input, "--vault", vault, "--json"]);
	let finished = false;
	void done.then(() => (finished = true));
	const deadline = Date.now() + 60_000;
	while (!finished && Date.now() < deadline) {
		if (await ready()) {
			child.kill("SIGKILL");
			break;
		}
		await new Promise((r) => setTimeout(r, 15));
	}
	const exit = await done;
	expect(exit.signal, `the import finished before it could be killed: ${exit.stderr}`).toBe("SIGKILL");
	return exit;
}

/** Resumes the vault's session and checks it equals the reference vault, file by file. */
async function resumeAndCompare(vault: string): Promise<void> {
	const session = await onlySession(vault);
	const resumed = await run(["resume", "--session", session, "--vault", vault, "--json"]);
	expect(resumed.code, resumed.stderr).toBe(0);
	const summary = JSON.parse(resumed.stdout) as {
		session_id: string;
		counts: Record<string, number>;
		notes: Record<string, number>;
		failures: unknown[];
	};
	expect(summary.session_id).toBe(session);
	expect(summary.counts).toEqual({ total: COUNT, success: COUNT, failed: 0, skipped: 0 });
	expect(summary.failures).toEqual([]);
	// A note written just before the kill but not yet logged is found again, not created twice.
	expect(summary.notes.created! + summary.notes.unchanged!).toBe(COUNT);

	const files = await vaultFiles(vault);
	expect(files).toEqual(referenceFiles);
	const ids = new Set<string>();
	for (const f of files) {
		const [mine, theirs] = await Promise.all([readFile(join(vault, f), "utf8"), readFile(join(reference, f), "utf8")]);
		expect(withoutSession(mine), f).toBe(withoutSession(theirs));
		expect(frontmatterValue(mine, "session")).toBe(session);
		ids.add(frontmatterValue(mine, "source_id") ?? "");
	}
	expect(ids.size).toBe(COUNT);
	// No temp file anywhere (vault or staging), and the load manifest names every note once (no copies kept).
	const everything = await allFiles(vault);
	expect(everything.filter((f) => /\.tmp-|\.tmp$|~$/.test(f))).toEqual([]);
	const output = everything.filter((f) => f.startsWith(`.staging/@session/${session}/import/load/output/`));
	expect(output).toEqual([`.staging/@session/${session}/import/load/output/manifest.jsonl`]);
	// Read packed or not (the session packs it when it completes); a line cut by the kill is skipped.
	const named = new Set((await readLoadManifest(new NodeStagingStore(vault), session)).map((m) => m.p));
	expect(named.size).toBe(COUNT);
}

describe("crash and resume (child process, SIGKILL)", () => {
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-crash-"));
		cliJs = join(work, "cli.mjs");
		const bundling = buildCli(work);
		// Small conversations with repeated titles (so names depend on order: `Topic 7`, `Topic 7 1`, …), code and unicode.
		const convs = Array.from({ length: COUNT }, (_, i) =>
			claudeConv({
				id: `conv-${String(i).padStart(5, "0")}`,
				title: i % 7 === 0 ? `Topic ${i % 50}` : `Conversation ${i} — ünïcode ✓`,
				updated: `2025-03-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`,
				messages: [
					{ role: "user", text: `Question ${i}: how do I do this?` },
					{ role: "assistant", text: `Like this:\n\n\`\`\`js\nconsole.log(${i});\n\`\`\`` },
				],
			}),
		);
		input = await writeJson(join(work, "export", "conversations.json"), convs);
		await bundling;
		reference = join(work, "vault-B");
		await import("node:fs/promises").then((fs) => fs.mkdir(reference));
		const b = await run(["import", input, "--vault", reference, "--json"]);
		expect(b.code, b.stderr).toBe(0);
		referenceFiles = await vaultFiles(reference);
		expect(referenceFiles).toHaveLength(COUNT);
	}, 120_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("killed during load (some notes written, not all), then resumed: the same vault as an uninterrupted run", async () => {
		const vault = join(work, "vault-A-load");
		await import("node:fs/promises").then((fs) => fs.mkdir(vault));
		await importAndKill(vault, async () => {
			const n = await countNotes(vault);
			return n >= COUNT / 3 && n < COUNT;
		});
		const written = await countNotes(vault);
		expect(written).toBeGreaterThan(0);
		expect(written).toBeLessThan(COUNT);
		await resumeAndCompare(vault);
	}, 120_000);

	it("killed early, while the export is still being read (extract not finished), then resumed from the recorded input: the same vault", async () => {
		// The stages run at the same time, so notes appear while extract is still reading the export.
		const vault = join(work, "vault-A-extract");
		await import("node:fs/promises").then((fs) => fs.mkdir(vault));
		await importAndKill(vault, async () => (await countNotes(vault)) >= 20);
		const written = await countNotes(vault);
		expect(written).toBeLessThan(COUNT / 4);
		const phase = JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, await onlySession(vault), "import", "phase.json"), "utf8")) as {
			stages: { extract: { status: string } };
		};
		expect(phase.stages.extract.status).toBe("running"); // so the resume must read the export again
		await resumeAndCompare(vault);
	}, 120_000);
});
