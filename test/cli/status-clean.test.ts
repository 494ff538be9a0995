import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildCli } from "./cli-bundle";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/cli";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import type { CliIo } from "../../src/cli/output";
import type { SessionStatusReport } from "../../src/cli/commands/status";
import { runStage } from "../../src/core/pipeline/stage-runner";
import { PhaseManager } from "../../src/core/session/phase-manager";
import { SESSION_ROOT } from "../../src/core/session/paths";
import { SessionManager } from "../../src/core/session/session-manager";
import { writeHeartbeat } from "../../src/core/status/session-liveness";
import { silentLogger } from "../../src/core/ports/logger";
import { FakeClock } from "../core/_support/fake-clock";
import { tempDir } from "../core/_support/temp-vault";

function capture(clock?: FakeClock, cwd?: string): { io: CliIo; out: () => string; err: () => string } {
	const out: string[] = [];
	const err: string[] = [];
	return {
		io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), ...(clock ? { clock } : {}), ...(cwd ? { cwd } : {}) },
		out: () => out.join(""),
		err: () => err.join(""),
	};
}

/** A vault with three sessions a day apart; the newest ran an import with a failure. */
async function vaultWithSessions() {
	const dir = await tempDir("ketl-cli-");
	const store = new NodeStagingStore(dir);
	const clock = new FakeClock(new Date(2026, 0, 1, 9, 0, 0));
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) {
		ids.push((await sessions.create({ debugMode: false, provider: "claude" })).session_id);
		clock.advance(24 * 3600 * 1000);
	}
	const newest = ids[2]!;
	await phases.create(newest, "import");
	const ctx = { sessionId: newest, phaseType: "import" as const, store, clock, logger: silentLogger, phases };
	const result = await runStage({
		ctx,
		stage: "transform",
		items: ["a", "b", "c"],
		identify: (id) => ({ id, title: `Conversation ${id}` }),
		process: async (id) => {
			if (id === "b") throw new Error("no messages");
			return { status: "success" };
		},
	});
	await phases.finishPhase(newest, "import", result.counts);
	return { dir, store, clock, ids, newest };
}

describe("status", () => {
	it("shows the latest session with counts per phase and stage, and failures with reasons (JSON)", async () => {
		const v = await vaultWithSessions();
		const c = capture();
		expect(await main(["status", "--vault", v.dir, "--json"], c.io)).toBe(0);
		const report = JSON.parse(c.out()) as SessionStatusReport & { sessions: { session_id: string }[]; broken: unknown[] };
		const phase = report.phases.import!;
		expect(report.session.session_id).toBe(v.newest);
		expect(report.session.status).toBe("partial");
		expect(phase.status).toBe("partial");
		expect(phase.counts).toEqual({ total: 3, success: 2, failed: 1, skipped: 0, review: 0 });
		expect(phase.stages.transform).toEqual({
			status: "completed",
			items_count: 3,
			counts: { total: 3, success: 2, failed: 1, skipped: 0, review: 0 },
		});
		expect(phase.failures).toEqual([{ item_id: "b", title: "Conversation b", stage: "transform", reason: "no messages" }]);
		expect(report.sessions.map((s) => s.session_id)).toEqual([...v.ids].reverse());
		expect(report.broken).toEqual([]);
	});

	it("prints for people on stderr only", async () => {
		const v = await vaultWithSessions();
		const c = capture();
		expect(await main(["status", "--vault", v.dir, "--session", v.newest], c.io)).toBe(0);
		expect(c.out()).toBe("");
		expect(c.err()).toContain(`Session ${v.newest}: partial`);
		expect(c.err()).toContain("transform completed total 3, success 2, failed 1, skipped 0");
		expect(c.err()).toContain('[transform] b "Conversation b": no messages');
	});

	it("--all --json lists the good sessions and reports a corrupt one by path", async () => {
		const v = await vaultWithSessions();
		await writeFile(join(v.dir, SESSION_ROOT, v.ids[1]!, "session.json"), '{"session_id": ');
		const c = capture();
		expect(await main(["status", "--all", "--json", "--vault", v.dir], c.io)).toBe(0);
		const out = JSON.parse(c.out()) as { sessions: { session_id: string }[]; broken: { id: string; path: string; error: string }[] };
		expect(out.sessions.map((s) => s.session_id)).toEqual([v.ids[2], v.ids[0]]);
		expect(out.broken).toEqual([
			{
				id: v.ids[1],
				path: `${SESSION_ROOT}/${v.ids[1]}/session.json`,
				error: expect.stringMatching(/session\.json: invalid JSON/) as unknown,
			},
		]);
	});

	it("exit 2 for a missing, invalid or corrupt session, with one JSON error object", async () => {
		const v = await vaultWithSessions();
		await writeFile(join(v.dir, SESSION_ROOT, v.ids[0]!, "session.json"), JSON.stringify({ session_id: v.ids[0], status: "weird" }));
		for (const [id, pattern] of [
			["20200101_000000", /not found/],
			["nonsense", /Invalid session id/],
			[v.ids[0]!, /session\.json: field "created_at"/],
		] as const) {
			const c = capture();
			expect(await main(["status", "--session", id, "--json", "--vault", v.dir], c.io)).toBe(2);
			expect(c.err()).toMatch(pattern);
			const out = JSON.parse(c.out()) as { error: { message: string; exit_code: number } };
			expect(out.error.exit_code).toBe(2);
		}
	});

	it("exit 2 for an empty vault, a missing vault, and bad arguments", async () => {
		const dir = await tempDir();
		expect(await main(["status", "--vault", dir], capture().io)).toBe(2);
		expect(await main(["status", "--vault", join(dir, "nope")], capture().io)).toBe(2);
		expect(await main(["status", "--bogus"], capture().io)).toBe(2);
		expect(await main(["status", "--all", "--session", "20200101_000000", "--vault", dir], capture().io)).toBe(2);
		expect(await main(["frobnicate"], capture().io)).toBe(2);
		const c = capture();
		expect(await main(["status", "--all", "--json"], { ...c.io, cwd: dir })).toBe(0);
		expect(JSON.parse(c.out())).toEqual({ sessions: [], broken: [] });
	});
});

describe("clean", () => {
	it("deletes sessions older than N days, broken ones by their id, and only lists on --dry-run", async () => {
		const v = await vaultWithSessions();
		// ids: Jan 1, Jan 2, Jan 3 09:00 local. Make the oldest broken.
		await writeFile(join(v.dir, SESSION_ROOT, v.ids[0]!, "session.json"), "garbage");
		await mkdir(join(v.dir, SESSION_ROOT, "not-a-session"));
		const now = new FakeClock(new Date(2026, 0, 4, 10, 0, 0));

		const dry = capture(now);
		expect(await main(["clean", "--days", "2", "--dry-run", "--json", "--vault", v.dir], dry.io)).toBe(0);
		const planned = JSON.parse(dry.out()) as { would_delete: { id: string; broken: boolean }[]; deleted: unknown[]; kept: number };
		expect(planned.would_delete.map((c) => [c.id, c.broken])).toEqual([
			[v.ids[0], true],
			[v.ids[1], false],
		]);
		expect(planned.deleted).toEqual([]);
		expect(planned.kept).toBe(1);
		expect((await readdir(join(v.dir, SESSION_ROOT))).sort()).toEqual([...v.ids, "not-a-session"].sort());

		const real = capture(now);
		expect(await main(["clean", "--days", "2", "--vault", v.dir], real.io)).toBe(0);
		expect(real.out()).toBe("");
		expect(real.err()).toContain("Deleted 2 session(s) older than 2 day(s); 1 kept.");
		expect((await readdir(join(v.dir, SESSION_ROOT))).sort()).toEqual([v.ids[2], "not-a-session"].sort());
	});

	it("never deletes a session that is still running (fresh heartbeat), however old; a dead running one goes", async () => {
		const v = await vaultWithSessions();
		const phases = new PhaseManager(v.store, v.clock);
		// Both older sessions say `running`; only the first has a run beating its heartbeat right now.
		for (const id of [v.ids[0]!, v.ids[1]!]) {
			await phases.create(id, "import");
			await phases.startPhase(id, "import");
		}
		const now = new FakeClock(new Date(2026, 0, 10, 9, 0, 0));
		await writeHeartbeat(v.store, now, v.ids[0]!, "plugin");
		const c = capture(now);
		expect(await main(["clean", "--days", "0", "--json", "--vault", v.dir], c.io)).toBe(0);
		const result = JSON.parse(c.out()) as { deleted: { id: string }[]; running: string[] };
		expect(result.running).toEqual([v.ids[0]]);
		expect(result.deleted.map((d) => d.id)).toEqual([v.ids[1], v.ids[2]]);
		expect(await readdir(join(v.dir, SESSION_ROOT))).toEqual([v.ids[0]]);
	});

	it("defaults to 30 days and rejects a bad --days", async () => {
		const v = await vaultWithSessions();
		const c = capture(new FakeClock(new Date(2026, 0, 31, 9, 30, 0)));
		expect(await main(["clean", "--json", "--vault", v.dir], c.io)).toBe(0);
		expect((JSON.parse(c.out()) as { deleted: { id: string }[] }).deleted.map((d) => d.id)).toEqual([v.ids[0]]);
		expect(await main(["clean", "--days", "-1", "--vault", v.dir], capture().io)).toBe(2);
		expect(await main(["clean", "--days", "ten", "--vault", v.dir], capture().io)).toBe(2);
	});
});

describe("the built CLI (esbuild bundle, child process)", () => {
	let cliJs = "";
	beforeAll(async () => {
		// Not a tempDir(): those are removed after each test, and the bundle serves every test here.
		const { mkdtemp } = await import("node:fs/promises");
		const { tmpdir } = await import("node:os");
		const out = await mkdtemp(join(tmpdir(), "ketl-build-"));
		cliJs = await buildCli(out);
	}, 60_000);

	it("status --json lists sessions and reports the corrupt one; exit codes reach the shell", async () => {
		const v = await vaultWithSessions();
		await writeFile(join(v.dir, SESSION_ROOT, v.ids[0]!, "session.json"), "{");
		const run = promisify(execFile);
		const { stdout, stderr } = await run(process.execPath, [cliJs, "status", "--vault", v.dir, "--json"]);
		const out = JSON.parse(stdout) as { session: { session_id: string }; sessions: { session_id: string }[]; broken: { path: string }[] };
		expect(out.session.session_id).toBe(v.newest);
		expect(out.sessions.map((s) => s.session_id)).toEqual([v.ids[2], v.ids[1]]);
		expect(out.broken.map((b) => b.path)).toEqual([`${SESSION_ROOT}/${v.ids[0]}/session.json`]);
		expect(stderr).toBe("");
		const failed = await run(process.execPath, [cliJs, "status", "--vault", v.dir, "--session", "20200101_000000"]).catch(
			(e: { code: number; stderr: string; stdout: string }) => e,
		);
		expect(failed).toMatchObject({ code: 2, stdout: "" });
		expect((failed as { stderr: string }).stderr).toMatch(/not found/);
	});

	it("runs in a worker with a capped heap: running out says how to raise it, and exits 1", async () => {
		const v = await vaultWithSessions();
		const run = promisify(execFile);
		const failed = await run(process.execPath, [cliJs, "status", "--all", "--vault", v.dir], {
			env: { ...process.env, KNOWLEDGE_ETL_HEAP_MB: "2" },
		}).catch((e: { code: number; stderr: string }) => e);
		expect(failed).toMatchObject({ code: 1 });
		expect((failed as { stderr: string }).stderr).toContain("KNOWLEDGE_ETL_HEAP_MB=1024");
		// 0 turns the worker off: the same command then simply works.
		const ok = await run(process.execPath, [cliJs, "status", "--all", "--vault", v.dir, "--json"], {
			env: { ...process.env, KNOWLEDGE_ETL_HEAP_MB: "0" },
		});
		expect((JSON.parse(ok.stdout) as { sessions: unknown[] }).sessions).toHaveLength(3);
	});
});
