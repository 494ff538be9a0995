import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExport } from "../../bench/generate";
import { hasChromium, NO_CHROMIUM } from "./chromium";
import { openHarness, type BrowserHarness } from "./harness/harness";

/**
 * The plugin as Obsidian runs it: the built main.js in headless Chromium over an in-memory vault (harness/), driven
 * through its commands, its import dialog and its panel. An import is cancelled from the panel, the plugin is
 * reloaded (a new main.js evaluation, a new plugin over the same vault: the picked File is gone), the panel shows
 * the session Stopped with counts that add up, and Resume finishes it: the notes equal an uninterrupted import's.
 */

const COUNT = 300;
let h: BrowserHarness;
let dir = "";

/** A note without its `session:` line (the only line that differs between two sessions' notes). */
function withoutSession(notes: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(notes).map(([p, text]) => [p, text.replace(/^session:.*\n/m, "")]));
}

/** "1,204 of 2,000 conversations · 3 failed" → the numbers. */
function countsOf(text: string | null): { done: number; total: number } | null {
	const m = /^([\d,]+) of ([\d,]+)/.exec(text ?? "");
	return m ? { done: Number(m[1]!.replace(/,/g, "")), total: Number(m[2]!.replace(/,/g, "")) } : null;
}

describe.skipIf(!hasChromium)(
	hasChromium ? "the plugin in headless Chromium" : `the plugin in headless Chromium: SKIPPED, ${NO_CHROMIUM}`,
	() => {
		beforeAll(async () => {
			dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-browser-import-"));
			const written = await writeExport(path.join(dir, "claude", "conversations.json"), "claude", 17, { count: COUNT });
			h = await openHarness();
			h.serve("claude", written.path);
			// Another export of the same name and as many conversations (another seed): what a changed file looks like.
			const changed = await writeExport(path.join(dir, "changed", "conversations.json"), "claude", 18, { count: COUNT });
			h.serve("changed", changed.path);
		}, 60_000);

		afterAll(async () => {
			await h?.close();
			if (dir) await fs.rm(dir, { recursive: true, force: true });
		});

		/** The notes of an uninterrupted import of the export (made by the first test). */
		let expected: Record<string, string> = {};

		/** After a reload: the panel shows the session Stopped, resumable, with counts that add up; its phase counts. */
		async function stoppedAfterReload(id: string): Promise<{ extractDone: boolean }> {
			await h.call("unloadPlugin");
			await h.call("loadPlugin");
			await h.call("openPanel");
			const after = await h.call("panelState");
			expect(after.badge).toBe("Stopped");
			expect(after.canResume).toBe(true);
			for (const s of after.stages) expect(s.status).not.toBe("Failed");
			const phase = JSON.parse((await h.call("stagingFile", `.staging/@session/${id}/import/phase.json`))!) as {
				stages: { extract: { status: string } };
				counts: { total: number; success: number; failed: number; skipped: number; review?: number; pending?: number };
			};
			const c = phase.counts;
			expect(c.failed).toBe(0);
			// In-flight items are pending, not failed: every conversation seen is counted once.
			expect(c.success + c.failed + c.skipped + (c.review ?? 0) + (c.pending ?? 0)).toBe(c.total);
			const load = countsOf(after.stages.find((s) => s.stage === "load")?.counts ?? null);
			expect(load?.done ?? 0).toBe(c.success);
			expect(countsOf(after.stages.find((s) => s.stage === "extract")?.counts ?? null)?.total ?? 0).toBe(c.total);
			return { extractDone: phase.stages.extract.status === "completed" };
		}

		/** Resume from the panel; the notes then equal the uninterrupted import's. */
		async function resumeToTheEnd(extractDone: boolean): Promise<void> {
			const asked = await h.call("resumeFromPanel", "claude");
			// The File is gone with the reload: where extract had not read it all, the dialog asks for it by name.
			if (extractDone) expect(asked).toEqual([]);
			else {
				expect(asked).toHaveLength(1);
				expect(asked[0]).toMatch(/"conversations\.json"/);
			}
			expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
			expect(withoutSession(await h.call("notes"))).toEqual(expected);
			expect((await h.call("panelState")).badge).toBe("Done");
			expect((await h.call("workers")).live).toBe(0);
		}

		async function freshImport(): Promise<void> {
			await h.call("freshVault");
			await h.call("loadPlugin");
			await h.call("fetchExport", `${h.origin}/exports/claude`, "claude");
			await h.call("openPanel");
			await h.call("startImport", "claude");
		}

		/** Until the page has started `started` workers in all (a worker starts once the import has its session). */
		async function waitForWorker(started: number): Promise<void> {
			for (let i = 0; i < 500 && (await h.call("workers")).started < started; i++) await new Promise((r) => setTimeout(r, 10));
		}

		async function sessionId(): Promise<string> {
			const ids = await h.call("sessionIds");
			expect(ids).toHaveLength(1);
			return ids[0]!;
		}

		it("an uninterrupted import reads the export in a Web Worker, ended when the import is done", async () => {
			await h.call("loadPlugin");
			await h.call("fetchExport", `${h.origin}/exports/claude`, "claude");
			await h.call("startImport", "claude");
			await h.call("whenIdle");
			expect(await h.call("workers")).toEqual({ started: 1, terminated: 1, live: 0 });
			expected = withoutSession(await h.call("notes"));
			expect(Object.keys(expected).length).toBeGreaterThan(COUNT * 0.9);
			expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
		}, 60_000);

		it("a preview reads the export in a worker; Start then takes its reading (no second read) and makes the same notes", async () => {
			await h.call("freshVault");
			await h.call("loadPlugin");
			await h.call("fetchExport", `${h.origin}/exports/claude`, "claude");
			const run = await h.call("previewThenStart", "claude");
			expect(run.conversations).toMatch(/conversations/);
			expect(run.byPreview).toBe(1);
			expect(run.byStart).toBe(0);
			expect(withoutSession(await h.call("notes"))).toEqual(expected);
			expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
			expect((await h.call("workers")).live).toBe(0);
		}, 60_000);

		it("cancel from the panel part way, reload the plugin: the panel shows Stopped with counts that add up; Resume ends as the uninterrupted import", async () => {
			// A slow disk for this one: the import of 300 conversations must still be running when Cancel is clicked
			// (it had ended before the button was found once, on a quiet machine).
			await h.call("slowNoteWrites", 15);
			await freshImport();
			await h.page.waitForFunction(
				() => {
					const counts = document.querySelector('.knowledge-etl-detail [data-stage="load"] .knowledge-etl-stage-counts')?.textContent ?? "";
					const m = /^([\d,]+) of/.exec(counts);
					return m !== null && Number(m[1]!.replace(/,/g, "")) >= 20;
				},
				undefined,
				{ timeout: 60_000, polling: 5 },
			);
			await h.call("cancelFromPanel");
			await h.call("whenIdle");
			await h.call("slowNoteWrites", 0);
			expect((await h.call("workers")).live).toBe(0);
			const partial = Object.keys(await h.call("notes")).length;
			expect(partial).toBeGreaterThan(0);
			expect(partial).toBeLessThan(Object.keys(expected).length);
			const { extractDone } = await stoppedAfterReload(await sessionId());
			await resumeToTheEnd(extractDone);
		}, 60_000);

		it("where no worker can start, the import reads on the UI thread, makes the same notes, and debug mode says why", async () => {
			await h.call("freshVault");
			await h.call("loadPlugin");
			await h.call("setDebug", true);
			await h.call("fetchExport", `${h.origin}/exports/claude`, "claude");
			const logs = (h as unknown as { logs: string[] }).logs;
			const before = logs.length;
			await h.call("forbidWorkers");
			const started = (await h.call("workers")).started;
			try {
				await h.call("startImport", "claude");
				await h.call("whenIdle");
			} finally {
				await h.call("allowWorkers");
			}
			expect((await h.call("workers")).started).toBe(started);
			expect(withoutSession(await h.call("notes"))).toEqual(expected);
			expect(logs.slice(before).some((l) => /The export reader cannot run in a worker here; reading on the UI thread/.test(l))).toBe(true);
		}, 60_000);

		it("cancel while the worker reads ends the worker; quit while it reads ends it too; after the reload Resume asks for the export by name", async () => {
			const before = await h.call("workers");
			// The worker's batches arrive late, so that it is still reading when Cancel and the quit come.
			await h.call("slowWorkerMessages", 100);
			await freshImport();
			await waitForWorker(before.started + 1);
			expect((await h.call("workers")).live).toBe(1);
			await h.call("cancelFromPanel");
			await h.call("whenIdle");
			const afterCancel = await h.call("workers");
			expect(afterCancel.started).toBe(before.started + 1);
			expect(afterCancel.live).toBe(0);

			// Obsidian quits (the plugin unloads) while the worker reads.
			await freshImport();
			await waitForWorker(afterCancel.started + 1);
			expect((await h.call("workers")).live).toBe(1);
			await h.call("unloadPlugin");
			expect((await h.call("workers")).live).toBe(0);
			await h.call("slowWorkerMessages", 0);
			const { extractDone } = await stoppedAfterReload(await sessionId());
			expect(extractDone).toBe(false);
			await resumeToTheEnd(extractDone);
		}, 60_000);

		/** Cancelled part way on the desktop (the export's path recorded), then the plugin reloaded: Stopped. */
		async function desktopImportStopped(): Promise<string> {
			await h.call("slowNoteWrites", 15);
			await freshImport();
			await h.page.waitForFunction(
				() =>
					/^([1-9][\d,]*) of/.test(
						document.querySelector('.knowledge-etl-detail [data-stage="load"] .knowledge-etl-stage-counts')?.textContent ?? "",
					),
				undefined,
				{ timeout: 60_000, polling: 5 },
			);
			await h.call("cancelFromPanel");
			await h.call("whenIdle");
			await h.call("slowNoteWrites", 0);
			const id = await sessionId();
			// No copy of the conversations in the session: the export is reopened by its path.
			expect((await h.call("diskWrites", 10_000)).filter((w) => w.path.includes("/extract/output/"))).toEqual([]);
			const options = JSON.parse((await h.call("stagingFile", `.staging/@session/${id}/import/extract/input/options.json`))!) as {
				keepConversations?: boolean;
			};
			expect(options.keepConversations).toBe(false);
			const { extractDone } = await stoppedAfterReload(id);
			expect(extractDone).toBe(false);
			return id;
		}

		it("desktop (the export's path recorded): no copies of the conversations; after a reload Resume reopens the export by its path, asking nothing", async () => {
			await h.call("desktopPaths", true);
			try {
				await desktopImportStopped();
				const asked = await h.call("resumeFromPanel", "claude");
				expect(asked).toEqual([]);
				expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
				expect(withoutSession(await h.call("notes"))).toEqual(expected);
				expect((await h.call("workers")).live).toBe(0);
			} finally {
				await h.call("desktopPaths", false);
			}
		}, 60_000);

		it("desktop, the export moved away after the reload: Resume asks for it by name and ends as the uninterrupted import", async () => {
			await h.call("desktopPaths", true);
			try {
				await desktopImportStopped();
				await h.call("moveExport", "claude");
				const asked = await h.call("resumeFromPanel", "claude");
				expect(asked).toHaveLength(1);
				expect(asked[0]).toMatch(/"conversations\.json"/);
				expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
				expect(withoutSession(await h.call("notes"))).toEqual(expected);
			} finally {
				await h.call("moveExport", "claude", true);
				await h.call("desktopPaths", false);
			}
		}, 60_000);

		it("a changed file picked again is refused, naming the file, and the session stays stopped; the right one then ends it", async () => {
			await h.call("desktopPaths", true);
			try {
				await desktopImportStopped();
				await h.call("moveExport", "claude");
				await h.call("fetchExport", `${h.origin}/exports/changed`, "changed");
				const refused = await h.call("repickFromPanel", "changed");
				expect(refused).toMatch(/^"conversations\.json" is not the file this session was reading: it /);
				expect(await h.call("isRunning")).toBe(false);
				// The dialog stays open for the right file; given it, the resume ends as the uninterrupted import.
				expect(await h.call("repickFromPanel", "claude")).toBeNull();
				expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
				expect(withoutSession(await h.call("notes"))).toEqual(expected);
			} finally {
				await h.call("moveExport", "claude", true);
				await h.call("desktopPaths", false);
			}
		}, 60_000);
	},
);
