import { readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SessionFileError } from "../../../src/core/session/errors";
import { SESSION_ROOT } from "../../../src/core/session/paths";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { tempVault } from "../_support/temp-vault";

async function walk(dir: string, root = dir): Promise<string[]> {
	const out: string[] = [];
	for (const e of await readdir(dir, { withFileTypes: true })) {
		const p = join(dir, e.name);
		out.push(relative(root, p) + (e.isDirectory() ? "/" : ""));
		if (e.isDirectory()) out.push(...(await walk(p, root)));
	}
	return out.sort();
}

async function setup() {
	const { dir, store } = await tempVault();
	const clock = new FakeClock(new Date(2026, 0, 24, 16, 45, 49));
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);
	const session = await sessions.create({ debugMode: false });
	return { dir, store, clock, sessions, phases, id: session.session_id };
}

describe("PhaseManager", () => {
	it("stages updated at the same time keep each other's changes (the import runs its stages together)", async () => {
		const { phases, id } = await setup();
		await phases.create(id, "import");
		await Promise.all([
			phases.startStage(id, "import", "extract"),
			phases.startStage(id, "import", "transform"),
			phases.startStage(id, "import", "load"),
		]);
		await Promise.all(
			Array.from({ length: 30 }, (_, i) => {
				const stage = (["extract", "transform", "load"] as const)[i % 3]!;
				return phases.updateStage(id, "import", stage, { items_count: i });
			}),
		);
		await Promise.all([phases.finishStage(id, "import", "extract"), phases.finishStage(id, "import", "load", { failed: true })]);
		const phase = await phases.load(id, "import");
		expect(phase.status).toBe("running");
		expect([phase.stages.extract.status, phase.stages.transform.status, phase.stages.load.status]).toEqual([
			"completed",
			"running",
			"failed",
		]);
		expect([phase.stages.extract.items_count, phase.stages.transform.items_count, phase.stages.load.items_count]).toEqual([27, 28, 29]);
	});

	it("creates exactly the phase folder layout", async () => {
		const { dir, phases, id } = await setup();
		await phases.create(id, "import");
		expect(await walk(join(dir, SESSION_ROOT, id))).toEqual([
			"import/",
			"import/extract/",
			"import/extract/input/",
			"import/extract/output/",
			"import/load/",
			"import/load/output/",
			"import/phase.json",
			"import/transform/",
			"import/transform/output/",
			"session.json",
		]);
	});

	it("writes a pending phase.json that round-trips", async () => {
		const { dir, phases, id } = await setup();
		const created = await phases.create(id, "organize");
		const onDisk = JSON.parse(await readFile(join(dir, SESSION_ROOT, id, "organize", "phase.json"), "utf8")) as unknown;
		expect(onDisk).toEqual(created);
		expect(created).toMatchObject({
			phase_type: "organize",
			status: "pending",
			started_at: null,
			completed_at: null,
			counts: { total: 0, success: 0, failed: 0, skipped: 0 },
		});
		expect(created.stages.extract).toEqual({
			stage_type: "extract",
			status: "pending",
			started_at: null,
			completed_at: null,
			items_count: 0,
			steps: [],
		});
		expect(await phases.load(id, "organize")).toEqual(created);
		// create again (a resume) keeps what is there
		await phases.startStage(id, "organize", "extract");
		expect((await phases.create(id, "organize")).stages.extract.status).toBe("running");
	});

	it("names phase.json and the field on a schema failure", async () => {
		const { dir, phases, id } = await setup();
		await phases.create(id, "import");
		const path = join(dir, SESSION_ROOT, id, "import", "phase.json");
		const raw = JSON.parse(await readFile(path, "utf8")) as { stages: { load: { items_count: unknown } } };
		raw.stages.load.items_count = "many";
		await writeFile(path, JSON.stringify(raw));
		const err = await phases.load(id, "import").catch((e: unknown) => e);
		expect(err).toBeInstanceOf(SessionFileError);
		expect((err as Error).message).toContain(`${SESSION_ROOT}/${id}/import/phase.json`);
		expect((err as SessionFileError).field).toBe("stages.load.items_count");
	});

	it("moves through pending → running → completed and updates the session", async () => {
		const { phases, sessions, clock, id } = await setup();
		await phases.create(id, "import");
		const running = await phases.startStage(id, "import", "extract");
		expect(running.status).toBe("running");
		expect(running.stages.extract.status).toBe("running");
		expect((await sessions.load(id)).status).toBe("running");
		clock.advance(1000);
		const finished = await phases.finishStage(id, "import", "extract", {
			items_count: 3,
			counts: { total: 3, success: 3, failed: 0, skipped: 0 },
		});
		expect(finished.stages.extract).toMatchObject({ status: "completed", items_count: 3 });
		const done = await phases.finishPhase(id, "import", { total: 3, success: 3, failed: 0, skipped: 0 });
		expect(done.status).toBe("completed");
		const session = await sessions.load(id);
		expect(session.status).toBe("completed");
		expect(session.phases.import).toEqual({
			status: "completed",
			counts: { total: 3, success: 3, failed: 0, skipped: 0 },
			completed_at: clock.now().toISOString(),
		});
	});

	it.each([
		[{ total: 3, success: 2, failed: 1, skipped: 0 }, "partial"],
		[{ total: 2, success: 0, failed: 2, skipped: 0 }, "failed"],
		[{ total: 0, success: 0, failed: 0, skipped: 0 }, "completed"],
	] as const)("finishPhase(%j) → %s, and the session follows", async (counts, expected) => {
		const { phases, sessions, id } = await setup();
		await phases.create(id, "import");
		await phases.startPhase(id, "import");
		expect((await phases.finishPhase(id, "import", { ...counts })).status).toBe(expected);
		expect((await sessions.load(id)).status).toBe(expected);
	});

	it("session status combines phases; an error fails the phase", async () => {
		const { phases, sessions, id } = await setup();
		await phases.create(id, "import");
		await phases.create(id, "organize");
		await phases.finishPhase(id, "import", { total: 1, success: 1, failed: 0, skipped: 0 });
		await phases.finishPhase(id, "organize", { total: 1, success: 1, failed: 0, skipped: 0 }, "Cancelled");
		const s = await sessions.load(id);
		expect(s.phases.organize).toMatchObject({ status: "failed", error: "Cancelled" });
		expect(s.status).toBe("partial");
	});

	it("refuses a phase for a missing session", async () => {
		const { phases } = await setup();
		await expect(phases.create("20200101_000000", "import")).rejects.toThrow(/not found/);
	});
});
