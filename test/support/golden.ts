import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, expect } from "vitest";

/**
 * Golden files ("recorded expected outputs").
 *
 * Normal run: `check(name, actual)` compares `actual` with `<dir>/<name>` and fails with a diff when they differ
 * or when the file does not exist yet.
 * Re-recording is explicit: with `UPDATE_EXPECTED=1`, every `check` writes `actual` to its file, and the suite
 * then fails on purpose ("re-recorded N files; review the diff and run again without UPDATE_EXPECTED"), so that a
 * person reads `git diff` before the new outputs are trusted.
 *
 * Usage (at the top level of a test file, since it registers an `afterAll`):
 *   const golden = useGolden(fileURLToPath(new URL("../fixtures/x", import.meta.url)));
 *   it("renders", () => golden.check("a.expected.md", render(a)));
 */
export interface Golden {
	check(name: string, actual: string): void;
	/** Names checked so far (for orphan detection). */
	readonly checked: ReadonlySet<string>;
}

export const isUpdatingExpected = (): boolean => process.env.UPDATE_EXPECTED === "1";

export function useGolden(dir: string): Golden {
	const checked = new Set<string>();
	const rerecorded: string[] = [];
	const updating = isUpdatingExpected();

	afterAll(() => {
		if (updating && rerecorded.length > 0) {
			throw new Error(`re-recorded ${rerecorded.length} files in ${dir}; review the diff and run again without UPDATE_EXPECTED`);
		}
	});

	return {
		checked,
		check(name: string, actual: string): void {
			checked.add(name);
			const path = join(dir, name);
			if (updating) {
				mkdirSync(dirname(path), { recursive: true });
				writeFileSync(path, actual, "utf8");
				rerecorded.push(name);
				return;
			}
			if (!existsSync(path)) {
				throw new Error(`no expected file ${path}; run once with UPDATE_EXPECTED=1 to record it, then review it`);
			}
			expect(actual, `output differs from ${path} (UPDATE_EXPECTED=1 re-records)`).toBe(readFileSync(path, "utf8"));
		},
	};
}
