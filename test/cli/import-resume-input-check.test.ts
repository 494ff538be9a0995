/**
 * Resume compares the export with the one the session began with: an import killed while the export was still
 * being read, then the export replaced (by `[]`, by another export of the same size) or removed, is refused with
 * a message naming the file; with the original back, the resume finishes every conversation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
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
let saved = "";

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
	return { child, done: new Promise<Exit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

/** Notes in `dir` (not the temp file a killed write leaves: a later run removes it, issue 15). */
async function count(dir: string): Promise<number> {
	return (await readdir(dir).catch(() => [])).filter((name) => name.endsWith(".md")).length;
}

describe("resume checks the inputs against the session's manifest", () => {
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-resume-input-"));
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
		saved = join(work, "original.json");
		await copyFile(input, saved);
		await bundling;
	}, 120_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("refuses `[]`, a same-size different file and a missing file, naming it; finishes with the original back", async () => {
		const vault = join(work, "vault");
		await mkdir(vault);
		const { child, done } = start(["import", input, "--vault", vault, "--json"]);
		while ((await count(join(vault, FOLDER))) < 20) await new Promise((r) => setTimeout(r, 5));
		child.kill("SIGKILL");
		expect((await done).signal).toBe("SIGKILL");
		const [session] = await readdir(join(vault, SESSION_ROOT_DIR));
		const phase = JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, session!, "import", "phase.json"), "utf8")) as {
			stages: { extract: { status: string } };
		};
		expect(phase.stages.extract.status).toBe("running");
		const notesBefore = await count(join(vault, FOLDER));

		await writeFile(input, "[]");
		const empty = await start(["resume", "--session", session!, "--vault", vault, "--json"]).done;
		expect(empty.code).toBe(2);
		expect(empty.stdout + empty.stderr).toMatch(/the input "[^"]*conversations\.json" changed \([\d,]+ bytes then, 2 now\)/);

		const original = await readFile(saved);
		const tampered = Buffer.from(original);
		tampered[tampered.length - 10] = tampered[tampered.length - 10] === 0x30 ? 0x31 : 0x30; // same size, last MiB differs
		await writeFile(input, tampered);
		const same = await start(["resume", "--session", session!, "--vault", vault, "--json"]).done;
		expect(same.code).toBe(2);
		expect(same.stdout + same.stderr).toContain("changed (same size, different content)");

		await unlink(input);
		const missing = await start(["resume", "--session", session!, "--vault", vault, "--json"]).done;
		expect(missing.code).not.toBe(0);
		expect(missing.stdout + missing.stderr).toContain("conversations.json");

		// Nothing was marked done from another file: with the original back, the resume imports every conversation.
		expect(await count(join(vault, FOLDER))).toBe(notesBefore);
		await copyFile(saved, input);
		const resumed = await start(["resume", "--session", session!, "--vault", vault, "--json"]).done;
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(await count(join(vault, FOLDER))).toBe(COUNT);
	}, 180_000);
});
