/**
 * settleTargets decides most notes without a promise or a look at the disk (issue 20): held to the way it decided
 * before (referenceSettle, the earlier code: every note's target checked through an async `free`, the disk asked
 * whenever the plan and the listing did not hold the name) on generated plans with case-only differences, names
 * taken on disk but not listed, folders missing, every status and the three policies.
 */
import { describe, expect, it } from "vitest";
import type { NoteVault } from "../../../src/core/ports/note-vault";
import type { ConflictPolicy, PlanItem } from "../../../src/core/organize/plan";
import { settleTargets } from "../../../src/core/organize/plan-organize";
import { random } from "../yaml/yaml-gen";

async function referenceSettle(
	vault: NoteVault,
	items: PlanItem[],
	existing: readonly string[],
	policy: ConflictPolicy,
): Promise<PlanItem[]> {
	const taken = new Set(existing.map((path) => path.toLowerCase()));
	const claimed = new Set<string>();
	const leaving = new Set(items.filter((item) => item.status === "planned").map((item) => item.from.toLowerCase()));
	const folders = new Map<string, Promise<boolean>>();
	const onDisk = async (candidate: string): Promise<boolean> => {
		const folder = candidate.slice(0, Math.max(0, candidate.lastIndexOf("/")));
		let there = folders.get(folder);
		if (there === undefined) {
			there = folder === "" ? Promise.resolve(true) : vault.exists(folder);
			folders.set(folder, there);
		}
		return (await there) && vault.exists(candidate);
	};
	const out: PlanItem[] = items.slice();
	for (const item of items) {
		if (item.status === "unchanged" || (item.status === "planned" && item.from === item.to)) claimed.add(item.to.toLowerCase());
	}
	for (let index = 0; index < items.length; index++) {
		const item = items[index]!;
		if (item.status !== "planned" || item.from === item.to) continue;
		const self = item.from.toLowerCase();
		const free = async (candidate: string): Promise<boolean> => {
			const lower = candidate.toLowerCase();
			if (lower === self) return true;
			if (claimed.has(lower) || taken.has(lower)) return false;
			return !(await onDisk(candidate));
		};
		if (await free(item.to)) {
			claimed.add(item.to.toLowerCase());
			continue;
		}
		const wanted = item.to;
		if (policy === "skip") {
			out[index] = {
				...item,
				to: item.from,
				status: "skipped",
				reason: `"${wanted}" already exists`,
				conflict: { wanted, resolution: "skip" },
			};
			continue;
		}
		if (policy === "overwrite" && !claimed.has(wanted.toLowerCase()) && !leaving.has(wanted.toLowerCase())) {
			claimed.add(wanted.toLowerCase());
			out[index] = { ...item, conflict: { wanted, resolution: "overwrite" } };
			continue;
		}
		const stem = wanted.slice(0, -3);
		let to = wanted;
		for (let n = 1; ; n++) {
			to = `${stem} ${n}.md`;
			if (await free(to)) break;
		}
		claimed.add(to.toLowerCase());
		const status = to === item.from && item.frontmatterChanges.length === 0 && !item.contentChanged ? "unchanged" : "planned";
		out[index] = { ...item, to, status, conflict: to === item.from ? undefined : { wanted, resolution: "rename" } };
	}
	return out;
}

const FOLDERS = ["", "A", "a", "A/Sub", "B", "Gone"];
const NAMES = ["x", "X", "y", "x 1", "X 2", "Note", "note 1"];
const STATUSES: PlanItem["status"][] = ["planned", "planned", "planned", "unchanged", "skipped", "failed"];

function scenario(seed: number) {
	const rnd = random(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
	const join = (folder: string, name: string): string => (folder === "" ? `${name}.md` : `${folder}/${name}.md`);
	// On disk: some names in folders that exist ("Gone" never does); the listing misses some of them.
	const files = new Set<string>();
	for (const folder of FOLDERS.slice(0, 5)) for (const name of NAMES) if (rnd() < 0.3) files.add(join(folder, name));
	const folders = new Set(FOLDERS.slice(1, 5).filter(() => rnd() < 0.8));
	for (const file of files) if (file.includes("/")) folders.add(file.slice(0, file.lastIndexOf("/")));
	const existing = [...files].filter(() => rnd() < 0.7);
	const items: PlanItem[] = [];
	const count = Math.floor(rnd() * 14);
	for (let i = 0; i < count; i++) {
		const from = rnd() < 0.4 && existing.length > 0 ? pick(existing) : `In/${pick(NAMES)} ${i}.md`;
		if (items.some((item) => item.from === from)) continue;
		// Its own path, another planned note's (leaving it, or not), or a name in a folder.
		const to = rnd() < 0.15 ? from : rnd() < 0.3 && items.length > 0 ? pick(items).from : join(pick(FOLDERS), pick(NAMES));
		items.push({
			from,
			to,
			status: pick(STATUSES),
			reason: "r",
			frontmatterChanges: rnd() < 0.5 ? [] : [{ key: "tags", kind: "add", after: ["t"] }],
			contentChanged: rnd() < 0.3,
		});
	}
	const asked: string[] = [];
	const vault = {
		exists: (path: string) => {
			asked.push(path);
			return Promise.resolve(files.has(path) || folders.has(path));
		},
	} as unknown as NoteVault;
	return { vault, items, existing, asked };
}

describe("settleTargets", () => {
	it("settles 3,000 generated plans as the per-note async version did, under each policy", async () => {
		let renamed = 0;
		let conflicts = 0;
		for (let seed = 1; seed <= 1000; seed++) {
			for (const policy of ["rename", "skip", "overwrite"] as const) {
				const { vault, items, existing } = scenario(seed);
				const expected = await referenceSettle(vault, items, existing, policy);
				expect(await settleTargets(vault, items, existing, policy), `seed ${seed}, ${policy}`).toEqual(expected);
				renamed += expected.filter((item, i) => item.to !== items[i]!.to && item.conflict?.resolution === "rename").length;
				conflicts += expected.filter((item) => item.conflict !== undefined).length;
			}
		}
		// The generator reaches the interesting cases.
		expect(renamed).toBeGreaterThan(500);
		expect(conflicts).toBeGreaterThan(1500);
	});

	it("asks the disk about a name only when the plan and the listing cannot tell, and about a missing folder once", async () => {
		const items: PlanItem[] = Array.from({ length: 50 }, (_, i) => ({
			from: `In/n${i}.md`,
			to: `New/n${i}.md`,
			status: "planned" as const,
			reason: "r",
			frontmatterChanges: [],
			contentChanged: false,
		}));
		const asked: string[] = [];
		const vault = { exists: (path: string) => (asked.push(path), Promise.resolve(false)) } as unknown as NoteVault;
		const out = await settleTargets(vault, items, [], "rename");
		expect(out.map((item) => item.to)).toEqual(items.map((item) => item.to));
		expect(asked).toEqual(["New"]);
	});
});
