import { existsSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { writeExport } from "./generate";
import { runChild } from "./measure";
import { hasChromium, NO_CHROMIUM } from "../test/browser/chromium";
import { openHarness } from "../test/browser/harness/harness";
import { profileMarkdown, summarize, type CpuProfile, type ProfileSummary } from "./browser-profile";

/**
 * The "plugin in Chromium" section of the benchmark (issue 17 item 6): the built main.js in headless Chromium over the
 * harness's in-memory Obsidian (test/browser/harness/), importing generated exports through its command with the
 * session panel open, beside the CLI in one thread (KNOWLEDGE_ETL_HEAP_MB=0) on the same files. Per size: wall time
 * and conversations per second; the main thread's long tasks during the import (PerformanceObserver "longtask": the
 * longest, and how many over 50 ms); the heap's high-water mark (performance.measureUserAgentSpecificMemory, which
 * counts the page and its workers, sampled through the import). Runnable alone: `npm run bench -- --browser-only`
 * (scripts/bench.mjs builds the CLI and this file); writes bench/results/plugin-browser.md.
 * Options: --browser-sizes 2000,10000 (conversations), --out <file>; --profile: after each size's timed run, one more
 * import under Chromium's CPU profiler (main.js unminified), whose long tasks are charged to functions
 * (bench/browser-profile.ts) into --profile-out (default bench/results/plugin-browser-profile.md); --profile-only:
 * only those runs (no CLI, no timed run).
 */

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
	const i = argv.indexOf(name);
	return i >= 0 ? argv[i + 1] : undefined;
}
const SIZES = (option("--browser-sizes") ?? "2000,10000").split(",").map(Number);
const OUT = option("--out") ?? "bench/results/plugin-browser.md";
const PROFILE_ONLY = argv.includes("--profile-only");
const PROFILE = PROFILE_ONLY || argv.includes("--profile");
const PROFILE_OUT = option("--profile-out") ?? "bench/results/plugin-browser-profile.md";
const BUILD = process.env.BENCH_BUILD ?? "";
const CLI = join(BUILD, "cli.mjs");
// scripts/bench.mjs runs this bundle from the repository root.
const ROOT = resolve(".");
const WORK = join(ROOT, "bench", "out", "browser");

interface Row {
	conversations: number;
	mb: number;
	cliMs: number;
	browserMs: number;
	notes: number;
	longest: number;
	over50: number;
	longTasks: number;
	heapMb: number | null;
	/** What the in-memory vault held at the end (its files live in the page's heap, unlike Obsidian's on disk). */
	diskMb: number;
	workers: number;
}

async function cliImport(file: string, vault: string): Promise<number> {
	await rm(vault, { recursive: true, force: true });
	await mkdir(vault, { recursive: true });
	const run = await runChild(WORK, [CLI, "import", file, "--vault", vault, "--json"], { env: { KNOWLEDGE_ETL_HEAP_MB: "0" } });
	if (run.code !== 0) throw new Error(`CLI import failed (${run.code}): ${run.stderr.slice(-500)}`);
	return run.wallMs;
}

async function browserImport(file: string, conversations: number): Promise<Omit<Row, "cliMs" | "mb" | "conversations">> {
	const h = await openHarness();
	try {
		h.serve("export", file);
		await h.call("loadPlugin");
		await h.call("fetchExport", `${h.origin}/exports/export`, "export");
		await h.call("openPanel");
		// The heap's high-water mark, sampled through the run (each measurement takes a while; one at a time).
		let sampling = true;
		let heap = 0;
		let measured = false;
		const sampler = (async () => {
			while (sampling) {
				const bytes = await h.page.evaluate(async () => {
					const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
					if (!window.crossOriginIsolated || !p.measureUserAgentSpecificMemory) return null;
					return (await p.measureUserAgentSpecificMemory()).bytes;
				});
				if (bytes !== null) {
					measured = true;
					heap = Math.max(heap, bytes);
				}
				await new Promise((r) => setTimeout(r, 500));
			}
		})();
		await h.call("startLongTasks");
		const t0 = performance.now();
		await h.call("startImport", "export");
		await h.call("whenIdle");
		const ms = performance.now() - t0;
		const tasks = await h.call("stopLongTasks");
		sampling = false;
		await sampler;
		const notes = Object.keys(await h.call("notes")).length;
		if (notes < conversations * 0.9) throw new Error(`the browser import made ${notes} notes of ${conversations}`);
		return {
			browserMs: ms,
			notes,
			longest: tasks.longest,
			over50: tasks.over50,
			longTasks: tasks.count,
			heapMb: measured ? heap / 2 ** 20 : null,
			diskMb: (await h.call("diskBytes")) / 2 ** 20,
			workers: (await h.call("workers")).started,
		};
	} finally {
		await h.close();
	}
}

/** One more import of `file` under the CPU profiler: its long tasks charged to functions. */
async function profiledImport(file: string): Promise<{ summary: ProfileSummary; ms: number; load: string }> {
	const h = await openHarness({ minify: false });
	try {
		h.serve("export", file);
		await h.call("loadPlugin");
		await h.call("fetchExport", `${h.origin}/exports/export`, "export");
		await h.call("openPanel");
		const cdp = await h.context.newCDPSession(h.page);
		await cdp.send("Profiler.enable");
		await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
		await cdp.send("Profiler.start");
		const anchor = await h.call("profileAnchor", 20);
		await h.call("startLongTasks");
		const t0 = performance.now();
		await h.call("startImport", "export");
		await h.call("whenIdle");
		const ms = performance.now() - t0;
		const tasks = await h.call("stopLongTasks");
		const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: CpuProfile };
		if (process.env.BENCH_PROFILE_DUMP)
			await writeFile(process.env.BENCH_PROFILE_DUMP, JSON.stringify({ profile, tasks: tasks.tasks, anchor }));
		if (process.env.BENCH_DISK_WRITES) {
			console.log(await h.call("diskWrites", 25));
			console.log(await h.call("diskCalls"));
		}
		return { summary: summarize(profile, tasks.tasks, anchor), ms, load: loadAverage() };
	} finally {
		await h.close();
	}
}

function loadAverage(): string {
	return os
		.loadavg()
		.map((l) => l.toFixed(1))
		.join(" ");
}

const fmt = (n: number, d = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
	if (!hasChromium) {
		console.log(`plugin in Chromium: SKIPPED, ${NO_CHROMIUM}`);
		return;
	}
	if (!BUILD || !existsSync(CLI)) throw new Error("BENCH_BUILD is not set: run through `npm run bench -- --browser-only`");
	await mkdir(WORK, { recursive: true });
	const rows: Row[] = [];
	const profiles: string[] = [];
	for (const n of SIZES) {
		const file = join(WORK, `claude-${n}`, "conversations.json");
		if (!existsSync(file)) await writeExport(file, "claude", 20_260 + n, { count: n });
		const mb = (await stat(file)).size / 2 ** 20;
		if (PROFILE) {
			console.log(`plugin in Chromium, profiled: ${fmt(n)} conversations (${fmt(mb, 1)} MB)…`);
			const p = await profiledImport(file);
			const md = profileMarkdown(`${fmt(n)} conversations: ${fmt(p.ms / 1000, 1)} s under the profiler, load average ${p.load}`, p.summary);
			console.log(md.join("\n"));
			profiles.push(...md, "");
			if (PROFILE_ONLY) continue;
		}
		console.log(`plugin in Chromium: ${fmt(n)} conversations (${fmt(mb, 1)} MB)…`);
		const cliMs = await cliImport(file, join(WORK, `vault-cli-${n}`));
		console.log(`  CLI one thread: ${fmt(cliMs / 1000, 1)} s`);
		const b = await browserImport(file, n);
		console.log(
			`  browser: ${fmt(b.browserMs / 1000, 1)} s, longest task ${fmt(b.longest)} ms, ${b.over50} over 50 ms, heap ${b.heapMb === null ? "n/a" : fmt(b.heapMb)} MB`,
		);
		rows.push({ conversations: n, mb, cliMs, ...b });
	}
	if (PROFILE) {
		const head = [
			"## Plugin in Chromium: what makes the main thread's long tasks",
			"",
			"A CPU profile of the page's main thread (CDP Profiler, 0.5 ms sampling) during an import with the panel open",
			"(main.js unminified), cut to the long tasks' windows (PerformanceObserver longtask). Written by",
			"`npm run bench -- --browser-only --profile`.",
			"",
		];
		await writeFile(join(ROOT, PROFILE_OUT), `${[...head, ...profiles].join("\n")}\n`);
	}
	if (PROFILE_ONLY) return;
	const md: string[] = [];
	md.push("## Plugin in Chromium", "");
	md.push(
		"The built main.js in headless Chromium (Debian's chromium) over the",
		"harness's in-memory Obsidian (test/browser/harness), importing through its command with the session panel open; the CLI in",
		"one thread (KNOWLEDGE_ETL_HEAP_MB=0) on the same file. Heap: performance.measureUserAgentSpecificMemory (page and its",
		"workers), highest sample; it counts the harness's in-memory vault (every note and session file, which Obsidian keeps",
		"on disk), whose size at the end is given beside it. Long tasks: PerformanceObserver longtask on the page's main",
		"thread during the import.",
		"",
	);
	md.push(
		"| conversations | MB | CLI 1 thread s | browser s | browser conv/s | browser ÷ CLI throughput | longest task ms | tasks > 50 ms | heap MB | in-memory vault's files MB | workers |",
	);
	md.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
	for (const r of rows) {
		md.push(
			`| ${fmt(r.conversations)} | ${fmt(r.mb, 1)} | ${fmt(r.cliMs / 1000, 1)} | ${fmt(r.browserMs / 1000, 1)} | ${fmt(r.conversations / (r.browserMs / 1000))} | ${fmt(r.cliMs / r.browserMs, 2)} | ${fmt(r.longest)} | ${r.over50} | ${r.heapMb === null ? "n/a" : fmt(r.heapMb)} | ${fmt(r.diskMb)} | ${r.workers} |`,
		);
	}
	md.push("", "### Targets", "");
	const big = rows.find((r) => r.conversations >= 10_000) ?? rows.at(-1)!;
	const met = (ok: boolean): string => (ok ? "**met**" : "**missed**");
	md.push(
		`- ${met(big.over50 === 0)}: no main-thread task over 50 ms during a ${fmt(big.conversations)}-conversation import with the panel open: ${big.over50} (longest ${fmt(big.longest)} ms)`,
	);
	for (const r of rows)
		md.push(
			`- ${met(r.cliMs / r.browserMs >= 0.8)}: browser throughput ≥ 0.8× the CLI's single thread at ${fmt(r.conversations)}: ${fmt(r.cliMs / r.browserMs, 2)}×`,
		);
	md.push("- **not run**: heap under 300 MB on the 600 MB export (the sizes above give the heap on smaller exports)");
	await mkdir(join(ROOT, OUT, ".."), { recursive: true });
	await writeFile(join(ROOT, OUT), `${md.join("\n")}\n`);
	console.log(md.join("\n"));
}

await main();
