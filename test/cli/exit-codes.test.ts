/**
 * One table from error class to exit code (issue 14 item 2): every class the CLI tells apart, and real CLI
 * processes that end with each kind of error.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, SelectionFileError, UsageError, exitCodeOf } from "../../src/cli/errors";
import { EXIT_CODES_HELP } from "../../src/cli/exit-codes";
import { COMMANDS } from "../../src/cli/commands/index";
import {
	ImportSessionError,
	InputError,
	InvalidSessionIdError,
	LlmUnavailableError,
	NetworkError,
	OrganizeSessionError,
	RunCancelledError,
	SessionFileError,
	SessionNotFoundError,
	VaultLockedError,
} from "../../src/core/app/errors";
import { InputCheckError } from "../../src/core/import/pipeline/input-manifest";
import { deadUrl } from "../support/fake-llm-server";
import { buildCli } from "./cli-bundle";
import { SAMPLES } from "./import-support";

describe("exitCodeOf: one table from error class to exit code", () => {
	const fsError = (code: string): Error => Object.assign(new Error(`${code}: x`), { code });
	const cases: [string, number, unknown][] = [
		["UsageError", 2, new UsageError("--nope")],
		["NotFoundError (vault folder)", 2, new NotFoundError("Vault folder not found")],
		["SelectionFileError", 2, new SelectionFileError("--select: cannot read")],
		["InputError", 2, new InputError("x.json", "the file is empty")],
		["ImportSessionError", 2, new ImportSessionError("There is no session to resume")],
		["InputCheckError (a subclass)", 2, new InputCheckError("x.json changed")],
		["OrganizeSessionError", 2, new OrganizeSessionError("no applied organize run")],
		["SessionNotFoundError", 2, new SessionNotFoundError("20240101_000000", ".staging/@session/20240101_000000")],
		["InvalidSessionIdError", 2, new InvalidSessionIdError("nope")],
		["SessionFileError", 2, new SessionFileError("session.json", null, "bad JSON")],
		["a missing file (ENOENT)", 2, fsError("ENOENT")],
		["an unreadable file (EACCES)", 2, fsError("EACCES")],
		["LlmUnavailableError", 3, new LlmUnavailableError("Cannot reach the LLM server")],
		["VaultLockedError", 6, new VaultLockedError(null)],
		["RunCancelledError", 130, new RunCancelledError("Organize cancelled")],
		["a disk full (ENOSPC)", 1, fsError("ENOSPC")],
		["NetworkError outside a model call", 1, new NetworkError("reset")],
		["a plain Error (a bug)", 1, new Error("boom")],
		["not an Error at all", 1, "a string"],
	];
	it.each(cases)("%s → %i", (_name, code, error) => {
		expect(exitCodeOf(error)).toBe(code);
	});

	it("every command's --help and the command list name every exit code", () => {
		for (const code of [0, 1, 2, 3, 4, 5, 6, 130]) expect(EXIT_CODES_HELP).toMatch(new RegExp(`\\b${code} [a-z]`));
		for (const command of COMMANDS)
			expect({ command: command.name, has: command.usage.includes(EXIT_CODES_HELP) }).toEqual({ command: command.name, has: true });
	});
});

describe("exit codes of real CLI processes", () => {
	let work = "";
	let cliJs = "";
	const CHATGPT = join(SAMPLES, "chatgpt", "conversations.json");

	function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
		const child = spawn(process.execPath, [cliJs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
		child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
		return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
	}

	async function vault(name: string): Promise<string> {
		const dir = join(work, name);
		await mkdir(dir);
		return dir;
	}

	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), "ketl-exit-codes-"));
		cliJs = await buildCli(work);
	}, 120_000);

	afterAll(async () => {
		if (work) await rm(work, { recursive: true, force: true });
	});

	it("a usage error exits 2 naming the option, with the usage", async () => {
		const r = await run(["import", CHATGPT, "--vault", await vault("usage"), "--no-such-option"]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain("--no-such-option");
		expect(r.stderr).toContain("Usage: knowledge-etl import");
	}, 60_000);

	it("a missing input file exits 2 naming it, and writes nothing", async () => {
		const dir = await vault("missing");
		const r = await run(["import", join(work, "nowhere", "conversations.json"), "--vault", dir, "--json"]);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain("nowhere");
		expect(JSON.parse(r.stdout)).toMatchObject({ error: { exit_code: 2 } });
		expect(await readdir(dir)).toEqual([]);
	}, 60_000);

	it("a locked vault exits 6 naming the run that holds it, for import and organize alike", async () => {
		const dir = await vault("locked");
		await mkdir(join(dir, ".staging"));
		const now = new Date().toISOString();
		// Held by a live process of this host (this test's own), with a fresh heartbeat: not stale.
		const lock = { token: "t", app: "cli", pid: process.pid, host: hostname(), operation: "import", session: "20260101_101500" };
		await writeFile(join(dir, ".staging", "vault.lock"), `${JSON.stringify({ ...lock, started_at: now, heartbeat_at: now })}\n`);
		const imported = await run(["import", CHATGPT, "--vault", dir, "--json"]);
		expect(imported.code, imported.stderr).toBe(6);
		expect(imported.stderr).toContain("Another run is changing this vault: import of session 20260101_101500");
		expect(imported.stderr).not.toMatch(/\n\s+at /); // an expected refusal: no stack
		expect(JSON.parse(imported.stdout)).toMatchObject({ error: { exit_code: 6 } });
		await mkdir(join(dir, "Inbox"));
		await writeFile(join(dir, "Inbox", "Docker.md"), "# Docker\n\nA container image.\n");
		const organized = await run(["organize", "Inbox", "--apply", "--vault", dir]);
		expect(organized.code, organized.stderr).toBe(6);
	}, 60_000);

	it("an LLM server that cannot be reached exits 3, for import and organize alike", async () => {
		const url = await deadUrl();
		const imported = await run(["import", CHATGPT, "--vault", await vault("llm"), "--llm", "ollama", "--llm-url", url, "--model", "m"]);
		expect(imported.code, imported.stderr).toBe(3);
		expect(imported.stderr).toContain("ollama serve");
		const dir = await vault("llm-organize");
		await mkdir(join(dir, "Inbox"));
		await writeFile(join(dir, "Inbox", "Docker.md"), "# Docker\n\nA container image.\n");
		const organized = await run(["organize", "Inbox", "--vault", dir, "--llm", "ollama", "--llm-url", url, "--model", "m", "--json"]);
		expect(organized.code, organized.stderr).toBe(3);
		expect(JSON.parse(organized.stdout)).toMatchObject({ error: { exit_code: 3 } });
	}, 60_000);

	it("a session that does not exist exits 2 in every command that takes one", async () => {
		const dir = await vault("no-session");
		for (const args of [
			["resume", "--session", "20240101_000000"],
			["retry", "--session", "20240101_000000"],
			["status", "--session", "20240101_000000"],
			["organize", "--undo", "20240101_000000"],
			["organize", "--apply-plan", "20240101_000000"],
		]) {
			const r = await run([...args, "--vault", dir]);
			expect({ args, code: r.code }).toEqual({ args, code: 2 });
			expect(r.stderr).toContain("20240101_000000");
		}
	}, 120_000);
});
