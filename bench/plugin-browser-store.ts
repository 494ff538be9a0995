import { readFileSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { prepareStoreWork, STORE_WORK, type StoreWorkName, type WorkStore } from "../test/browser/harness/store-work";
import { openHarness } from "../test/browser/harness/harness";
import { rendererCpu } from "./plugin-browser-cpu";

/**
 * Does the browser harness's file store cost what Obsidian's does, no less and no more (issue 17 item 6)? Obsidian
 * desktop's adapter writes through Node's fs on the renderer's main thread (writeFile, appendFile, readFile, ranged
 * reads through a file handle). The same calls' shapes (test/browser/harness/store-work.ts) are timed here on the
 * stand-in in the page (its main thread's CPU, from /proc) and on Node's fs in this process (its main thread's CPU:
 * the system calls themselves run on libuv's pool, as they do in Obsidian), on a RAM disk (/dev/shm: no device, the
 * cheapest a real disk can be) and on the temp folder, alternating. `npm run bench -- --browser-only --store-check`.
 */

/** CPU ms (user + sys) of this process's main thread so far. */
function mainThreadCpuMs(): number {
	const line = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
	const f = line.slice(line.lastIndexOf(")") + 2).split(" ");
	return (Number(f[11]) + Number(f[12])) * 10;
}

async function nodeStore(root: string): Promise<{ store: WorkStore; done: () => Promise<void> }> {
	const dir = await mkdtemp(join(root, "ketl-store-"));
	const store: WorkStore = {
		append: (p, d) => appendFile(join(dir, p), d),
		write: (p, d) => writeFile(join(dir, p), d),
		read: (p) => readFile(join(dir, p), "utf8"),
		readRange: async (p, position, length) => {
			const h = await open(join(dir, p), "r");
			try {
				const { size } = await h.stat();
				const want = Math.max(0, Math.min(length, size - position));
				return (await h.read(new Uint8Array(want), 0, want, position)).bytesRead;
			} finally {
				await h.close();
			}
		},
		mkdir: (p) => mkdir(join(dir, p), { recursive: true }).then(() => undefined),
	};
	return { store, done: () => rm(dir, { recursive: true, force: true }) };
}

export interface StoreCost {
	/** Per store, per work: [wall ms, main-thread CPU ms] of each round. */
	rows: Map<string, Map<StoreWorkName, [number, number][]>>;
	rounds: number;
	load: string;
}

export async function storeCheck(rounds: number): Promise<StoreCost> {
	const rows = new Map<string, Map<StoreWorkName, [number, number][]>>();
	const put = (store: string, work: StoreWorkName, wall: number, cpu: number): void => {
		const byWork = rows.get(store) ?? new Map<StoreWorkName, [number, number][]>();
		byWork.set(work, [...(byWork.get(work) ?? []), [wall, cpu]]);
		rows.set(store, byWork);
	};
	const works = Object.keys(STORE_WORK) as StoreWorkName[];
	const h = await openHarness();
	try {
		for (let r = 0; r < rounds; r++) {
			for (const [i, work] of works.entries()) {
				const c0 = rendererCpu(h.userDataDir);
				const wall = await h.call("storeWork", work, i === 0);
				const c1 = rendererCpu(h.userDataDir);
				put("stand-in, Chromium page", work, wall, c0 && c1 ? c1.mainMs - c0.mainMs : NaN);
			}
			for (const root of ["/dev/shm", os.tmpdir()]) {
				const { store, done } = await nodeStore(root);
				await prepareStoreWork(store);
				for (const work of works) {
					const c0 = mainThreadCpuMs();
					const t0 = performance.now();
					await STORE_WORK[work](store);
					put(`Node fs, ${root}`, work, performance.now() - t0, mainThreadCpuMs() - c0);
				}
				await done();
			}
		}
	} finally {
		await h.close();
	}
	return {
		rows,
		rounds,
		load: os
			.loadavg()
			.map((l) => l.toFixed(1))
			.join(" "),
	};
}

export function storeMarkdown(cost: StoreCost): string[] {
	const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
	const stores = [...cost.rows.keys()];
	const works = Object.keys(STORE_WORK) as StoreWorkName[];
	const md = [
		`| work (median of ${cost.rounds}: main-thread CPU ms / wall ms; load ${cost.load}) | ${stores.join(" | ")} |`,
		`|---|${stores.map(() => "---:").join("|")}|`,
	];
	for (const w of works)
		md.push(
			`| ${w} | ${stores
				.map((s) => {
					const runs = cost.rows.get(s)!.get(w)!;
					return `${median(runs.map((x) => x[1])).toFixed(0)} / ${median(runs.map((x) => x[0])).toFixed(0)}`;
				})
				.join(" | ")} |`,
		);
	return md;
}
