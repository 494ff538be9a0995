/**
 * The notes a phase shows (panel-model's mergeWrittenNotes): the log's, then the load manifest's newest first, with
 * a total of every entry the log did not list. Checked against the walk of the whole manifest it replaces (the
 * oracle below) over seeded random cases: repeated paths, paths both logged and in the manifest, lists shorter and
 * longer than the cap; and the count of paths is made once per manifest, not once per refresh.
 */
import { describe, expect, it } from "vitest";
import { mergeWrittenNotes } from "../../../src/core/status/panel-model";
import type { LoggedNote } from "../../../src/core/status/phase-log";
import { seededRandom } from "../../support/seeded-random";

function oracle(
	fromLog: { list: readonly LoggedNote[]; total: number },
	written: readonly { path: string; outcome: string }[],
	max: number,
) {
	const notes = { list: [...fromLog.list], total: fromLog.total };
	const listed = new Set(notes.list.map((n) => n.path));
	for (let i = written.length - 1; i >= 0; i--) {
		const w = written[i]!;
		if (listed.has(w.path)) continue;
		notes.total++;
		if (notes.list.length < max)
			notes.list.push({ path: w.path, title: w.path.slice(w.path.lastIndexOf("/") + 1).replace(/\.md$/i, ""), outcome: w.outcome });
	}
	return notes;
}

describe("mergeWrittenNotes", () => {
	it("gives the list and total of a walk of the whole manifest, over 3,000 seeded cases", () => {
		const random = seededRandom(17);
		const pick = (n: number): number => Math.floor(random() * n);
		for (let c = 0; c < 3000; c++) {
			const paths = Array.from({ length: 1 + pick(40) }, (_, i) => `AI Conversations/Claude/Note ${i}.md`);
			const logged: LoggedNote[] = Array.from({ length: pick(12) }, () => ({
				path: paths[pick(paths.length)]!,
				title: null,
				outcome: "created",
			}));
			const fromLog = { list: logged, total: logged.length + pick(5) };
			const written = Array.from({ length: pick(60) }, () => ({
				path: paths[pick(paths.length)]!,
				outcome: random() < 0.5 ? "created" : "updated",
			}));
			const max = 1 + pick(15);
			expect(mergeWrittenNotes(fromLog, written, max), `case ${c}`).toEqual(oracle(fromLog, written, max));
		}
	});

	it("counts a manifest's paths once, however many refreshes read the same list", () => {
		const written = Array.from({ length: 5000 }, (_, i) => ({ path: `N/${i}.md`, outcome: "created" }));
		const fromLog = { list: [{ path: "N/4999.md", title: "x", outcome: "updated" }], total: 1 };
		const first = mergeWrittenNotes(fromLog, written, 30);
		expect(first.total).toBe(5000);
		expect(first.list.map((n) => n.path).slice(0, 3)).toEqual(["N/4999.md", "N/4998.md", "N/4997.md"]);
		// The same list again: no walk of its 5,000 entries (a path read through the list would be seen).
		let reads = 0;
		const watched = new Proxy(written, {
			get(target, key, receiver) {
				if (typeof key === "string" && /^\d+$/.test(key)) reads++;
				return Reflect.get(target, key, receiver) as unknown;
			},
		});
		mergeWrittenNotes(fromLog, watched, 30); // a new array object: counted once
		reads = 0;
		const again = mergeWrittenNotes(fromLog, watched, 30);
		expect(again).toEqual(first);
		expect(reads).toBeLessThan(40);
	});
});
