import { existsSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { writeExport } from "./generate";
import { runChild } from "./measure";
import { hasChromium, NO_CHROMIUM } from "../test/browser/chromium";
import { openHarness } from "../test/browser/harness/harness";
import { rendererCpu } from "./plugin-browser-cpu";
import { storeCheck, storeMarkdown } from "./plugin-browser-store";
import { profileMarkdown, profileWorkers, summarize, workerProfileMarkdown, type CpuProfile, type ProfileSummary } from "./browser-profile";

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
/** --browser-sizes 2000,10000; "" (or 0) for none (a heap run alone). */
const SIZES = (option("--browser-sizes") ?? "2000,10000")
	.split(",")
	.map(Number)
	.filter((n) => n > 0);
const OUT = option("--out") ?? "bench/results/plugin-browser.md";
const PROFILE_ONLY = argv.includes("--profile-only");
/** --heap-mb 600: one more import, of an export of about that many MB, for the heap's high-water mark (no CLI). */
const HEAP_MB = option("--heap-mb") ? Number(option("--heap-mb")) : null;
/** --heap-file <export>: the heap run on this export (e.g. a real-sized ChatGPT conversations.json) instead of a generated one. */
const HEAP_FILE = option("--heap-file") ?? null;
/**
 * --heap-sample-ms 0: no heap samples during the timed imports (the heap run still takes them). Each sample
 * (measureUserAgentSpecificMemory, eager here) collects the garbage of the page and its worker: every 500 ms that
 * is work the import itself does not do, on both threads.
 */
const HEAP_SAMPLE_MS = Number(option("--heap-sample-ms") ?? 500);
/** --store-check [rounds]: only the stand-in's file store against Node's fs (bench/plugin-browser-store.ts). */
const STORE_CHECK = argv.includes("--store-check")
	? Number(/^\d+$/.test(option("--store-check") ?? "") ? option("--store-check") : 5)
	: null;
/**
 * --path-modes path,none: how the page stands in for the picked File. "path": Obsidian desktop's (Electron's
 * `webUtils.getPathForFile` gives the File a path and the page's `require("fs")` opens it over the same bytes: the
 * plugin then keeps no copy of the conversations, as the CLI); "none": a File without a path (mobile; the plugin keeps
 * extract's copies so that a resume never needs the export). Each size runs in each mode given (default: both).
 */
const PATH_MODES = (option("--path-modes") ?? "path,none").split(",").filter((m): m is PathMode => m === "path" || m === "none");
type PathMode = "path" | "none";
const MODE_LABEL: Record<PathMode, string> = { path: "desktop, with path", none: "no path" };
const PROFILE = PROFILE_ONLY || argv.includes("--profile");
const PROFILE_OUT = option("--profile-out") ?? "bench/results/plugin-browser-profile.md";
const BUILD = process.env.BENCH_BUILD ?? "";
const CLI = join(BUILD, "cli.mjs");
// scripts/bench.mjs runs this bundle from the repository root.
const ROOT = resolve(".");
const WORK = join(ROOT, "bench", "out", "browser");

interface Row {
	conversations: number;
	/** How the picked File was stood in for (see PATH_MODES). */
	mode: PathMode;
	mb: number;
	cliMs: number;
	/** The CLI's CPU time (user + sys) for the import. */
	cliCpuMs: number;
	browserMs: number;
	/**
	 * CPU time (user + sys) of the page's renderer during the import: its main thread (Obsidian's UI thread: the
	 * plugin's part and the stand-in's), and the whole process (the reader's Web Worker and the engine's own threads
	 * too). Null where /proc cannot tell (not Linux). Less moved by the machine's load than wall time.
	 */
	cpu: { mainMs: number; allMs: number } | null;
	notes: number;
	longest: number;
	over50: number;
	longTasks: number;
	heapMb: number | null;
	/** What the in-memory vault held at the end (its files live in the page's heap, unlike Obsidian's on disk). */
	diskMb: number;
	/** The highest heap sample less what the in-memory vault held at that sample. */
	heapLessDiskMb: number | null;
	workers: number;
	/** The panel's work per refresh at the end (median ms of a refresh and of a redraw), and the items it showed. */
	panel: { refreshMs: number; drawMs: number; items: number };
	/** Median ms of the panel's redraws during the import. */
	panelDrawDuringMs: number;
	load: string;
	/** From the profiled run of the same size (--profile): long tasks less the stand-in's own code in them. */
	ours?: { over50: number; longest: number; tasks: number; standInMs: number };
}

async function cliImport(file: string, vault: string): Promise<{ wallMs: number; cpuMs: number }> {
	await rm(vault, { recursive: true, force: true });
	await mkdir(vault, { recursive: true });
	const run = await runChild(WORK, [CLI, "import", file, "--vault", vault, "--json"], { env: { KNOWLEDGE_ETL_HEAP_MB: "0" } });
	if (run.code !== 0) throw new Error(`CLI import failed (${run.code}): ${run.stderr.slice(-500)}`);
	return { wallMs: run.wallMs, cpuMs: run.userMs + run.sysMs };
}

async function browserImport(
	file: string,
	conversations: number,
	options: { shardSizesOnly?: boolean; mode?: PathMode } = {},
): Promise<Omit<Row, "cliMs" | "cliCpuMs" | "mb" | "conversations" | "mode">> {
	const h = await openHarness();
	try {
		h.serve("export", file);
		await h.call("desktopPaths", (options.mode ?? "path") === "path");
		if (options.shardSizesOnly) await h.call("keepShardSizesOnly");
		await h.call("loadPlugin");
		await h.call("fetchExport", `${h.origin}/exports/export`, "export");
		await h.call("openPanel");
		// The heap's high-water mark, sampled through the run (each measurement takes a while; one at a time).
		let sampling = HEAP_SAMPLE_MS > 0 || options.shardSizesOnly === true;
		let heap = 0;
		let heapLessDisk = 0;
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
					heapLessDisk = Math.max(heapLessDisk, bytes - (await h.call("diskBytes")));
				}
				await new Promise((r) => setTimeout(r, HEAP_SAMPLE_MS || 500));
			}
		})();
		await h.call("startLongTasks");
		await h.call("startPanelTiming");
		const cpu0 = rendererCpu(h.userDataDir);
		const t0 = performance.now();
		await h.call("startImport", "export");
		await h.call("whenIdle");
		const ms = performance.now() - t0;
		const cpu1 = rendererCpu(h.userDataDir);
		const tasks = await h.call("stopLongTasks");
		sampling = false;
		await sampler;
		const draws = (await h.call("panelDraws")).map((d) => d.ms).sort((a, b) => a - b);
		const panel = await h.call("measurePanel", 9);
		const notes = Object.keys(await h.call("notes")).length;
		if (notes < conversations * 0.9) throw new Error(`the browser import made ${notes} notes of ${conversations}`);
		return {
			browserMs: ms,
			cpu: cpu0 && cpu1 ? { mainMs: cpu1.mainMs - cpu0.mainMs, allMs: cpu1.allMs - cpu0.allMs } : null,
			notes,
			longest: tasks.longest,
			over50: tasks.over50,
			longTasks: tasks.count,
			heapMb: measured ? heap / 2 ** 20 : null,
			heapLessDiskMb: measured ? heapLessDisk / 2 ** 20 : null,
			diskMb: (await h.call("diskBytes")) / 2 ** 20,
			workers: (await h.call("workers")).started,
			panel,
			panelDrawDuringMs: draws[Math.floor(draws.length / 2)] ?? 0,
			load: loadAverage(),
		};
	} finally {
		await h.close();
	}
}

/** One more import of `file` under the CPU profiler: its long tasks charged to functions. */
async function profiledImport(
	file: string,
	mode: PathMode,
): Promise<{ summary: ProfileSummary; workers: CpuProfile[]; ms: number; load: string }> {
	const h = await openHarness({ minify: false });
	try {
		h.serve("export", file);
		await h.call("desktopPaths", mode === "path");
		await h.call("loadPlugin");
		await h.call("fetchExport", `${h.origin}/exports/export`, "export");
		await h.call("openPanel");
		const cdp = await h.context.newCDPSession(h.page);
		await cdp.send("Profiler.enable");
		await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
		await cdp.send("Profiler.start");
		// The reader's worker too (kept after the plugin ends it, until its profile is taken).
		await h.call("keepEndedWorkers", true);
		const workerProfiler = await profileWorkers(cdp);
		const anchor = await h.call("profileAnchor", 20);
		await h.call("startLongTasks");
		const t0 = performance.now();
		await h.call("startImport", "export");
		await h.call("whenIdle");
		const ms = performance.now() - t0;
		const tasks = await h.call("stopLongTasks");
		const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: CpuProfile };
		const workerProfiles = await workerProfiler.stop();
		await h.call("keepEndedWorkers", false);
		if (process.env.BENCH_PROFILE_DUMP)
			for (const [i, p] of workerProfiles.entries())
				await writeFile(`${process.env.BENCH_PROFILE_DUMP}.worker${i}.cpuprofile`, JSON.stringify(p));
		if (process.env.BENCH_PROFILE_DUMP)
			await writeFile(process.env.BENCH_PROFILE_DUMP, JSON.stringify({ profile, tasks: tasks.tasks, anchor }));
		if (process.env.BENCH_DISK_WRITES) {
			console.log(await h.call("diskWrites", 25));
			console.log(await h.call("diskCalls"));
		}
		return { summary: summarize(profile, tasks.tasks, anchor), workers: workerProfiles, ms, load: loadAverage() };
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
	if (STORE_CHECK !== null) {
		console.log(`plugin in Chromium: the stand-in's file store against Node's fs (${STORE_CHECK} rounds)…`);
		console.log(storeMarkdown(await storeCheck(STORE_CHECK)).join("\n"));
		return;
	}
	const rows: Row[] = [];
	const profiles: string[] = [];
	const oursBySize = new Map<string, NonNullable<Row["ours"]>>();
	for (const n of SIZES)
		for (const mode of PATH_MODES) {
			const file = join(WORK, `claude-${n}`, "conversations.json");
			if (!existsSync(file)) await writeExport(file, "claude", 20_260 + n, { count: n });
			const mb = (await stat(file)).size / 2 ** 20;
			if (PROFILE) {
				console.log(`plugin in Chromium, profiled: ${fmt(n)} conversations (${fmt(mb, 1)} MB), ${MODE_LABEL[mode]}…`);
				const p = await profiledImport(file, mode);
				oursBySize.set(`${n} ${mode}`, {
					over50: p.summary.oursOver50,
					longest: p.summary.oursLongest,
					tasks: p.summary.tasks,
					standInMs: p.summary.standInMs,
				});
				const md = profileMarkdown(
					`${fmt(n)} conversations (${MODE_LABEL[mode]}): ${fmt(p.ms / 1000, 1)} s under the profiler, load average ${p.load}`,
					p.summary,
				);
				for (const [i, w] of p.workers.entries())
					md.push(
						"",
						...workerProfileMarkdown(`${fmt(n)} conversations: the reader's worker${p.workers.length > 1 ? ` ${i + 1}` : ""}`, w),
					);
				console.log(md.join("\n"));
				profiles.push(...md, "");
				if (PROFILE_ONLY) continue;
			}
			console.log(`plugin in Chromium: ${fmt(n)} conversations (${fmt(mb, 1)} MB), ${MODE_LABEL[mode]}…`);
			const cliLoad = loadAverage();
			const cli = await cliImport(file, join(WORK, `vault-cli-${n}`));
			const cliMs = cli.wallMs;
			console.log(`  CLI one thread: ${fmt(cliMs / 1000, 1)} s, CPU ${fmt(cli.cpuMs / 1000, 1)} s (load average before: ${cliLoad})`);
			const b = await browserImport(file, n, { mode });
			console.log(
				`  browser: ${fmt(b.browserMs / 1000, 1)} s, main thread CPU ${b.cpu ? fmt(b.cpu.mainMs / 1000, 1) : "n/a"} s, longest task ${fmt(b.longest)} ms, ${b.over50} over 50 ms, heap ${b.heapMb === null ? "n/a" : fmt(b.heapMb)} MB`,
			);
			const ours = oursBySize.get(`${n} ${mode}`);
			rows.push({ conversations: n, mode, mb, cliMs, cliCpuMs: cli.cpuMs, ...b, ...(ours ? { ours } : {}) });
		}
	let heapRow: Row | null = null;
	if (HEAP_MB !== null || HEAP_FILE !== null) {
		const file = HEAP_FILE ?? join(WORK, `claude-${HEAP_MB}mb`, "conversations.json");
		if (HEAP_MB !== null && !existsSync(file)) await writeExport(file, "claude", 20_260 + HEAP_MB, { minBytes: HEAP_MB * 2 ** 20 });
		const text = await stat(file);
		// The generator's conversations: counted by the notes the import makes (all of them, checked above).
		console.log(`plugin in Chromium, heap run: ${fmt(text.size / 2 ** 20)} MB…`);
		const b = await browserImport(file, 0, { shardSizesOnly: true, mode: PATH_MODES[0] ?? "path" });
		heapRow = { conversations: b.notes, mode: PATH_MODES[0] ?? "path", mb: text.size / 2 ** 20, cliMs: NaN, cliCpuMs: NaN, ...b };
		console.log(
			`  browser: ${fmt(b.browserMs / 1000, 1)} s, ${b.notes} notes, heap ${b.heapMb === null ? "n/a" : fmt(b.heapMb)} MB, less the in-memory vault ${b.heapLessDiskMb === null ? "n/a" : fmt(b.heapLessDiskMb)} MB (the vault's files at the end: ${fmt(b.diskMb)} MB; load ${b.load})`,
		);
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
		await writeFile(resolve(ROOT, PROFILE_OUT), `${[...head, ...profiles].join("\n")}\n`);
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
		'thread during the import. The picked File: "desktop, with path" stands in for Obsidian desktop (Electron\'s',
		'webUtils gives the File its path, the page\'s `require("fs")` opens it over the same bytes, a copy per read): the',
		'plugin keeps no copy of the conversations, as the CLI; "no path" is a File without one (mobile): extract\'s copies',
		"are kept (extract/output/, as large as the export).",
		"",
	);
	md.push(
		"| conversations | the picked File | MB | CLI 1 thread s | browser s | browser conv/s | browser ÷ CLI throughput | CLI CPU s | browser CPU s: UI thread, all threads | longest task ms | tasks > 50 ms | the plugin's: longest ms, tasks > 50 ms (profiled run) | heap MB | heap less the in-memory vault MB | in-memory vault's files MB | panel refresh ms | panel redraw ms (during the import) | load average |",
	);
	md.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
	for (const r of [...rows, ...(heapRow ? [heapRow] : [])]) {
		const cli = Number.isNaN(r.cliMs);
		md.push(
			`| ${fmt(r.conversations)} | ${MODE_LABEL[r.mode]} | ${fmt(r.mb, 1)} | ${cli ? "—" : fmt(r.cliMs / 1000, 1)} | ${fmt(r.browserMs / 1000, 1)} | ${fmt(r.conversations / (r.browserMs / 1000))} | ${cli ? "—" : fmt(r.cliMs / r.browserMs, 2)} | ${cli ? "—" : fmt(r.cliCpuMs / 1000, 1)} | ${r.cpu ? `${fmt(r.cpu.mainMs / 1000, 1)}, ${fmt(r.cpu.allMs / 1000, 1)}` : "n/a"} | ${fmt(r.longest)} | ${r.over50} | ${r.ours ? `${fmt(r.ours.longest)}, ${r.ours.over50} of ${r.ours.tasks}` : "—"} | ${r.heapMb === null ? "n/a" : fmt(r.heapMb)} | ${r.heapLessDiskMb === null ? "n/a" : fmt(r.heapLessDiskMb)} | ${fmt(r.diskMb)} | ${fmt(r.panel.refreshMs, 1)} | ${fmt(r.panel.drawMs, 1)} (${fmt(r.panelDrawDuringMs, 1)}) | ${r.load} |`,
		);
	}
	md.push(
		"",
		"Panel: the session panel's work per refresh at the end of the import, on the finished session of that many",
		"items (median of 9: a refresh reads what the session files gained and builds the model; a redraw rebuilds its",
		"DOM); in parentheses the median redraw during the import. Load average: the machine's (1, 5, 15 min) after the",
		"browser run (2 shared cores). CPU: user + sys during the import, the CLI's process and the page's renderer",
		"(/proc: its main thread, Obsidian's UI thread here, and the whole process with the reader's worker).",
		"",
		"The plugin's long tasks: with `--profile`, a second import of the same export under Chromium's CPU profiler; each",
		"long task less the time its samples spent in the Obsidian stand-in's own code (the harness's vault, adapter and",
		"DOM helpers, which Obsidian's own code does in Obsidian), what remains charged to the plugin (GC included); the",
		"issue's target excepts Obsidian's own work. See bench/results/plugin-browser-profile.md.",
	);
	if (heapRow)
		md.push(
			"",
			`Heap run: an export of ${fmt(heapRow.mb)} MB; extract's copies of the conversations (extract/output/conversations-*.jsonl, as large`,
			"as the export) kept only as sizes in the in-memory vault (Obsidian keeps them on disk); the notes and the other",
			"session files are in the page's heap there, which the next column takes away sample by sample.",
		);
	md.push("", "### Targets", "");
	const big = rows.find((r) => r.conversations >= 10_000) ?? rows.at(-1);
	const met = (ok: boolean): string => (ok ? "**met**" : "**missed**");
	if (big)
		md.push(
			big.ours
				? `- ${met(big.ours.over50 === 0)}: no main-thread task over 50 ms (other than Obsidian's own) during a ${fmt(big.conversations)}-conversation import with the panel open (${MODE_LABEL[big.mode]}): ${big.ours.over50} of the plugin's (longest ${fmt(big.ours.longest)} ms); all tasks, the stand-in's included: ${big.over50} (longest ${fmt(big.longest)} ms)`
				: `- ${met(big.over50 === 0)}: no main-thread task over 50 ms during a ${fmt(big.conversations)}-conversation import with the panel open (${MODE_LABEL[big.mode]}): ${big.over50} (longest ${fmt(big.longest)} ms)`,
		);
	for (const r of rows)
		md.push(
			`- ${met(r.cliMs / r.browserMs >= 0.8)}: browser throughput ≥ 0.8× the CLI's single thread at ${fmt(r.conversations)} (${MODE_LABEL[r.mode]}): ${fmt(r.cliMs / r.browserMs, 2)}×`,
		);
	if (heapRow?.heapMb != null)
		md.push(
			`- ${met((heapRow.heapLessDiskMb ?? heapRow.heapMb) < 300)}: heap under 300 MB on the ${fmt(heapRow.mb)} MB export: ${fmt(heapRow.heapMb)} MB with the in-memory vault's notes and session files, ${fmt(heapRow.heapLessDiskMb ?? NaN)} MB without them`,
		);
	else md.push("- **not run**: heap under 300 MB on the 600 MB export (`--heap-mb 600`)");
	const small = rows[0];
	const largest = heapRow ?? rows.at(-1);
	if (small && largest && largest !== small)
		md.push(
			`- ${met(largest.panel.refreshMs + largest.panel.drawMs <= 2 * (small.panel.refreshMs + small.panel.drawMs))}: the panel's work per refresh at ${fmt(largest.panel.items)} items within 2× of at ${fmt(small.panel.items)}: ${fmt(largest.panel.refreshMs + largest.panel.drawMs, 1)} ms vs ${fmt(small.panel.refreshMs + small.panel.drawMs, 1)} ms`,
		);
	await mkdir(resolve(ROOT, OUT, ".."), { recursive: true });
	await writeFile(resolve(ROOT, OUT), `${md.join("\n")}\n`);
	console.log(md.join("\n"));
}

await main();
