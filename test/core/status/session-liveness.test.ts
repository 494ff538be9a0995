import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appendPipelineStageRecords } from "../../../src/core/logs/pipeline-stages";
import type { Session } from "../../../src/core/model/session";
import { pipelineStagesFile } from "../../../src/core/session/paths";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { SessionManager } from "../../../src/core/session/session-manager";
import {
	findInterruptedSessions,
	heartbeatFile,
	isInterrupted,
	readSessionActivity,
	removeHeartbeat,
	STALE_WITH_HEARTBEAT_MS,
	STALE_WITHOUT_HEARTBEAT_MS,
	writeHeartbeat,
} from "../../../src/core/status/session-liveness";
import { tempVault } from "../_support/temp-vault";

const MIN = 60_000;
const session = (status: Session["status"]): Session => ({
	session_id: "20250101_100000",
	created_at: "2025-01-01T10:00:00.000Z",
	updated_at: "2025-01-01T10:00:00.000Z",
	status,
	phases: {},
	debug_mode: false,
});

describe("isInterrupted", () => {
	const t0 = Date.parse("2025-01-01T10:00:00.000Z");
	const cases: [string, Session["status"], number | null, boolean, number, boolean, boolean][] = [
		// name, status, last activity, heartbeat?, now - t0, live in this process?, interrupted?
		["not running", "partial", t0, false, 600 * MIN, false, false],
		["live in this process, however old", "running", t0, true, 600 * MIN, true, false],
		["heartbeat, fresh", "running", t0, true, STALE_WITH_HEARTBEAT_MS, false, false],
		["heartbeat, stale", "running", t0, true, STALE_WITH_HEARTBEAT_MS + 1, false, true],
		["no heartbeat, a slow item is not a crash", "running", t0, false, 10 * MIN, false, false],
		["no heartbeat, stale", "running", t0, false, STALE_WITHOUT_HEARTBEAT_MS + 1, false, true],
		["no sign of life at all", "running", null, false, 0, false, true],
	];
	it.each(cases)("%s", (_name, status, last, hasHeartbeat, elapsed, live, expected) => {
		const liveIds = new Set(live ? ["20250101_100000"] : []);
		expect(isInterrupted(session(status), { lastActivityMs: last, hasHeartbeat }, t0 + elapsed, { liveIds })).toBe(expected);
	});
});

describe("session activity from the files", () => {
	it("takes the latest of session.json, phase.json times, the item log's mtime and the heartbeat", async () => {
		const { dir, store } = await tempVault();
		let now = new Date("2025-01-01T10:00:00.000Z");
		const clock = { now: () => now };
		const sessions = new SessionManager(store, clock);
		const phases = new PhaseManager(store, clock, sessions);
		const s = await sessions.create({ debugMode: false });
		await phases.create(s.session_id, "import");
		now = new Date("2025-01-01T10:05:00.000Z");
		await phases.startStage(s.session_id, "import", "extract");
		const running = await sessions.load(s.session_id);
		expect(running.status).toBe("running");

		expect(await readSessionActivity(store, running)).toEqual({
			lastActivityMs: Date.parse("2025-01-01T10:05:00.000Z"),
			hasHeartbeat: false,
		});

		// Items finishing touch the log: its mtime is a sign of life.
		await appendPipelineStageRecords(store, s.session_id, "import", [
			{
				timestamp: "2025-01-01T10:06:00.000Z",
				session_id: s.session_id,
				item_id: "a",
				stage: "extract",
				step: "x",
				status: "success",
				timing_ms: 1,
			},
		]);
		const logTime = new Date("2025-01-01T10:20:00.000Z");
		await fs.utimes(path.join(dir, pipelineStagesFile(s.session_id, "import")), logTime, logTime);
		expect((await readSessionActivity(store, running)).lastActivityMs).toBe(logTime.getTime());

		now = new Date("2025-01-01T10:30:00.000Z");
		await writeHeartbeat(store, clock, s.session_id, "plugin");
		expect(await readSessionActivity(store, running)).toEqual({ lastActivityMs: now.getTime(), hasHeartbeat: true });

		// Two minutes after the last beat it is still running; a second later it is interrupted.
		now = new Date(now.getTime() + STALE_WITH_HEARTBEAT_MS);
		expect(await findInterruptedSessions(store, clock, [running])).toEqual(new Set());
		now = new Date(now.getTime() + 1000);
		expect(await findInterruptedSessions(store, clock, [running])).toEqual(new Set([s.session_id]));
		expect(await findInterruptedSessions(store, clock, [running], { liveIds: new Set([s.session_id]) })).toEqual(new Set());

		// A torn heartbeat still counts by its mtime; a removed one does not count at all.
		await store.writeAtomic(heartbeatFile(s.session_id), "{ half");
		expect((await readSessionActivity(store, running)).hasHeartbeat).toBe(true);
		await removeHeartbeat(store, s.session_id);
		expect((await readSessionActivity(store, running)).hasHeartbeat).toBe(false);
	});
});
