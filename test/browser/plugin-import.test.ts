import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExport } from "../../bench/generate";
import { hasChromium, NO_CHROMIUM } from "./chromium";
import { ORIGIN, openHarness, type BrowserHarness } from "./harness/harness";

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
		}, 60_000);

		afterAll(async () => {
			await h?.close();
			if (dir) await fs.rm(dir, { recursive: true, force: true });
		});

		it("import, cancel from the panel, reload the plugin, resume: the panel shows Stopped with counts that add up, and the notes equal an uninterrupted import's", async () => {
			// The uninterrupted import, in a vault of its own.
			await h.call("loadPlugin");
			await h.call("fetchExport", `${ORIGIN}/exports/claude`, "claude");
			await h.call("startImport", "claude");
			await h.call("whenIdle");
			const expected = withoutSession(await h.call("notes"));
			expect(Object.keys(expected).length).toBeGreaterThan(COUNT * 0.9);
			expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
			await h.call("unloadPlugin");

			// A fresh vault: import, cancel part way from the panel.
			await h.call("freshVault");
			await h.call("loadPlugin");
			await h.call("fetchExport", `${ORIGIN}/exports/claude`, "claude");
			await h.call("openPanel");
			await h.call("startImport", "claude");
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
			const [id] = await h.call("sessionIds");
			const partial = Object.keys(await h.call("notes")).length;
			expect(partial).toBeGreaterThan(0);
			expect(partial).toBeLessThan(Object.keys(expected).length);

			// Reload: main.js evaluated again, a new plugin over the same vault.
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
			const extractDone = phase.stages.extract.status === "completed";
			expect(c.failed).toBe(0);
			// In-flight items are pending, not failed: every conversation seen is counted once.
			expect(c.success + c.failed + c.skipped + (c.review ?? 0) + (c.pending ?? 0)).toBe(c.total);
			expect(c.pending).toBeGreaterThan(0);
			const load = countsOf(after.stages.find((s) => s.stage === "load")?.counts ?? null);
			expect(load?.done).toBeGreaterThan(0);
			expect(load!.done).toBe(c.success);
			expect(countsOf(after.stages.find((s) => s.stage === "extract")?.counts ?? null)?.total).toBe(c.total);

			// Resume from the panel (the export is picked again when the session still needs it).
			const asked = await h.call("resumeFromPanel", "claude");
			// The File is gone with the reload: where extract had not read it all, the dialog asks for it by name.
			if (extractDone) expect(asked).toEqual([]);
			else {
				expect(asked).toHaveLength(1);
				expect(asked[0]).toMatch(/"conversations\.json"/);
			}
			expect((await h.call("notices")).at(-1)).toMatch(/^Import (completed|done)/);
			expect(withoutSession(await h.call("notes"))).toEqual(expected);
			const done = await h.call("panelState");
			expect(done.badge).toBe("Done");
		}, 120_000);
	},
);
