// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { RunController } from "../../src/plugin/run-controller";
import { systemClock } from "../../src/core/ports/clock";
import type { ImportSummary } from "../../src/core/app/types";

describe("the status bar during a run", () => {
	it("follows thousands of progress reports with a few updates, the first and last counts at once", async () => {
		const texts: string[] = [];
		const runs = new RunController({
			store: null as never,
			clock: systemClock,
			setStatusText: (text) => texts.push(text),
			refreshSessionViews: () => undefined,
			notify: () => undefined,
			logDebug: () => undefined,
		});
		const N = 3_000;
		const counts = { total: 0, success: 0, failed: 0, skipped: 0 };
		await runs.start(
			"import",
			null,
			async (hooks) => {
				for (let i = 1; i <= N; i++) hooks.onProgress({ stage: "load", done: i, resumed: 0, counts, total: N } as never);
				await Promise.resolve();
				return { session_id: "s" } as ImportSummary;
			},
			() => "done",
		);
		const progress = texts.filter((t) => /^Import: \d/.test(t));
		expect(progress[0]).toBe("Import: 1 of 3,000");
		expect(progress.at(-1)).toBe("Import: 3,000 of 3,000");
		// Reported 3,000 times in one go: the text was set for the first and the last only (not once per item).
		expect(progress.length).toBeLessThan(10);
		expect(texts.at(-1)).toBe("");
	});
});
