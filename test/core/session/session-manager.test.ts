import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SessionFileError, SessionNotFoundError, InvalidSessionIdError } from "../../../src/core/session/errors";
import { SESSION_ROOT } from "../../../src/core/session/paths";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { tempVault } from "../_support/temp-vault";

async function setup() {
	const { dir, store } = await tempVault();
	const clock = new FakeClock(new Date(2026, 0, 24, 16, 45, 49, 417));
	return { dir, store, clock, sessions: new SessionManager(store, clock) };
}

describe("SessionManager", () => {
	it("creates a session with a local-time id and a pending session.json", async () => {
		const { dir, sessions } = await setup();
		const s = await sessions.create({ debugMode: true, provider: "claude" });
		expect(s.session_id).toBe("20260124_164549");
		const onDisk = JSON.parse(await readFile(join(dir, SESSION_ROOT, s.session_id, "session.json"), "utf8")) as unknown;
		expect(onDisk).toEqual({
			session_id: "20260124_164549",
			created_at: new Date(2026, 0, 24, 16, 45, 49, 417).toISOString(),
			updated_at: new Date(2026, 0, 24, 16, 45, 49, 417).toISOString(),
			status: "pending",
			phases: {},
			debug_mode: true,
			provider: "claude",
		});
	});

	it("never reuses an id: the same second gives the next free one", async () => {
		const { sessions } = await setup();
		const ids = [];
		for (let i = 0; i < 3; i++) ids.push((await sessions.create({ debugMode: false })).session_id);
		expect(ids).toEqual(["20260124_164549", "20260124_164550", "20260124_164551"]);
	});

	it("round-trips through save and load, updating updated_at", async () => {
		const { sessions, clock } = await setup();
		const s = await sessions.create({ debugMode: false });
		clock.advance(5000);
		s.status = "running";
		s.phases.import = { status: "running", counts: { total: 3, success: 1, failed: 1, skipped: 1, review: 0 } };
		const saved = await sessions.save(s);
		expect(saved.updated_at).toBe(clock.now().toISOString());
		expect(await sessions.load(s.session_id)).toEqual(saved);
	});

	it("names the file and the field when session.json fails the schema", async () => {
		const { dir, sessions } = await setup();
		const s = await sessions.create({ debugMode: false });
		const path = join(dir, SESSION_ROOT, s.session_id, "session.json");
		const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
		raw.phases = { import: { status: "exploded", counts: { total: 0, success: 0, failed: 0, skipped: 0 } } };
		await writeFile(path, JSON.stringify(raw));
		const err = await sessions.load(s.session_id).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(SessionFileError);
		expect((err as SessionFileError).field).toBe("phases.import.status");
		expect((err as Error).message).toContain(`${SESSION_ROOT}/${s.session_id}/session.json`);
		expect((err as Error).message).toContain("phases.import.status");
	});

	it("names the file for invalid JSON", async () => {
		const { dir, sessions } = await setup();
		const s = await sessions.create({ debugMode: false });
		await writeFile(join(dir, SESSION_ROOT, s.session_id, "session.json"), '{"session_id": "2026');
		await expect(sessions.load(s.session_id)).rejects.toThrow(/session\.json: invalid JSON/);
	});

	it("rejects bad and unknown ids", async () => {
		const { sessions } = await setup();
		await expect(sessions.load("../etc")).rejects.toBeInstanceOf(InvalidSessionIdError);
		await expect(sessions.load("20260101_000000")).rejects.toBeInstanceOf(SessionNotFoundError);
	});

	it("lists newest first and reports broken sessions beside the good ones", async () => {
		const { dir, sessions, clock } = await setup();
		const a = await sessions.create({ debugMode: false });
		clock.advance(60_000);
		const b = await sessions.create({ debugMode: false });
		clock.advance(60_000);
		const c = await sessions.create({ debugMode: false });
		await writeFile(join(dir, SESSION_ROOT, b.session_id, "session.json"), "{ not json");
		// A folder that is not a session and a leftover temp file are ignored.
		await writeFile(join(dir, SESSION_ROOT, a.session_id, "session.json.tmp-0123456789ab"), "{");
		const { mkdir } = await import("node:fs/promises");
		await mkdir(join(dir, SESSION_ROOT, "notes"));
		const list = await sessions.list();
		expect(list.sessions.map((s) => s.session_id)).toEqual([c.session_id, a.session_id]);
		expect(list.broken).toHaveLength(1);
		expect(list.broken[0]).toMatchObject({ id: b.session_id, path: `${SESSION_ROOT}/${b.session_id}/session.json` });
		expect(list.broken[0]!.error).toMatch(/invalid JSON/);
		expect((await sessions.latest())?.session_id).toBe(c.session_id);
	});

	it("latest is null without sessions; delete removes the folder", async () => {
		const { dir, sessions } = await setup();
		expect(await sessions.latest()).toBeNull();
		const s = await sessions.create({ debugMode: false });
		await sessions.delete(s.session_id);
		expect(await readdir(join(dir, SESSION_ROOT))).toEqual([]);
	});
});
