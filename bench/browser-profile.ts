/**
 * Which work makes the page's long tasks (issue 17): a Chromium CPU profile of the page's main thread (CDP
 * Profiler, through playwright-core) taken during an import, cut to the windows of the long tasks that
 * PerformanceObserver saw, and each sample charged to functions. Used by bench/plugin-browser.ts (`--profile`).
 *
 * The two clocks are tied by an anchor: the page runs `profileAnchor` (the harness's page script) busy for a few
 * ms right after the profiler starts; its first sample in the profile is the performance.now() it returned.
 */

/** The parts of a CDP Profiler.Profile this reads. */
export interface CpuProfile {
	nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export interface Task {
	start: number;
	duration: number;
}

export interface Charge {
	name: string;
	ms: number;
}

export interface TaskCause {
	start: number;
	duration: number;
	/**
	 * ms of the task in the Obsidian stand-in's own code (the harness's harness.js: its vault, adapter, DOM helpers),
	 * called by the plugin or not: what Obsidian itself would spend. The rest of the task is charged to the plugin.
	 */
	standInMs: number;
	/** The outermost frame of the plugin's main.js in the task's heaviest stack (what the event loop ran). */
	entry: string;
	/** The heaviest main.js functions, inclusive, in the task. */
	top: Charge[];
}

export interface ProfileSummary {
	tasks: number;
	/** ms of long tasks the profile covered (samples found in their windows). */
	sampledMs: number;
	/** Inclusive ms per main.js function over all long tasks (a function counted once per sample). */
	inclusive: Charge[];
	/** Self ms per function (any script, and the engine's own: GC, "(program)") over all long tasks. */
	self: Charge[];
	/** Per long task, longest first. */
	byTask: TaskCause[];
	/** Long tasks whose share outside the stand-in's own code is still over 50 ms (the plugin's long tasks). */
	oursOver50: number;
	/** The longest such share, ms. */
	oursLongest: number;
	/** ms of all long tasks spent in the stand-in's own code. */
	standInMs: number;
}

function frameName(f: CpuProfile["nodes"][number]["callFrame"]): string {
	const file = f.url ? f.url.split("/").pop() : "";
	return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
}

const isPlugin = (url: string): boolean => url.endsWith("main.js");
/** The harness's page script: the Obsidian stand-in (test/browser/harness/memory-obsidian.ts and the stub's UI). */
const isStandIn = (url: string): boolean => url.endsWith("/harness.js");

/**
 * Whose a sample is: the innermost frame of either script decides (a native call such as JSON.parse or
 * TextDecoder.decode is charged to the script that made it); samples of neither (GC, the engine's own) are the
 * plugin's, so that the plugin's share is never understated.
 */
function standInSample(stack: readonly CpuProfile["nodes"][number][]): boolean {
	for (const n of stack) {
		if (isPlugin(n.callFrame.url)) return false;
		if (isStandIn(n.callFrame.url)) return true;
	}
	return false;
}

/** The long tasks' causes. `anchor`: the performance.now() profileAnchor returned. */
export function summarize(profile: CpuProfile, tasks: readonly Task[], anchor: number, anchorName = "profileAnchor"): ProfileSummary {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const stackOf = (id: number): CpuProfile["nodes"][number][] => {
		const out = [];
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) out.push(byId.get(at)!);
		return out; // leaf first
	};
	// Sample times (ms on the profile's clock) and the interval each stands for.
	const times: number[] = [];
	let t = profile.startTime;
	for (const d of profile.timeDeltas) {
		t += d;
		times.push(t / 1000);
	}
	let offset = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		if (stackOf(profile.samples[i]!).some((n) => n.callFrame.functionName === anchorName)) {
			offset = times[i]! - anchor;
			break;
		}
	}
	const weight = (i: number): number => (i + 1 < times.length ? times[i + 1]! - times[i]! : 0);
	const inclusive = new Map<string, number>();
	const self = new Map<string, number>();
	const add = (m: Map<string, number>, k: string, ms: number): void => void m.set(k, (m.get(k) ?? 0) + ms);
	const byTask: TaskCause[] = [];
	let sampledMs = 0;
	// Samples are in time order; tasks too once sorted.
	const sorted = [...tasks].sort((a, b) => a.start - b.start);
	let i = 0;
	for (const task of sorted) {
		const from = task.start + offset;
		const to = from + task.duration;
		while (i < times.length && times[i]! < from) i++;
		const taskInclusive = new Map<string, number>();
		const entries = new Map<string, number>();
		let standInMs = 0;
		for (let j = i; j < times.length && times[j]! < to; j++) {
			const ms = weight(j);
			sampledMs += ms;
			const stack = stackOf(profile.samples[j]!);
			if (standInSample(stack)) standInMs += ms;
			add(self, frameName(stack[0]!.callFrame), ms);
			const seen = new Set<string>();
			let outer = "";
			for (const n of stack) {
				if (!isPlugin(n.callFrame.url)) continue;
				const name = frameName(n.callFrame);
				outer = name;
				if (seen.has(name)) continue;
				seen.add(name);
				add(inclusive, name, ms);
				add(taskInclusive, name, ms);
			}
			add(entries, outer || frameName(stack[0]!.callFrame), ms);
		}
		const top = [...taskInclusive].sort((a, b) => b[1] - a[1]);
		const entry = [...entries].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "(no samples)";
		byTask.push({
			start: task.start,
			duration: task.duration,
			standInMs: Math.min(standInMs, task.duration),
			entry,
			top: top.slice(0, 40).map(([name, ms]) => ({ name, ms })),
		});
	}
	const list = (m: Map<string, number>, n: number): Charge[] =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([name, ms]) => ({ name, ms }));
	byTask.sort((a, b) => b.duration - a.duration);
	const ours = byTask.map((t) => t.duration - t.standInMs);
	return {
		tasks: tasks.length,
		sampledMs,
		inclusive: list(inclusive, 40),
		self: list(self, 25),
		byTask,
		oursOver50: ours.filter((ms) => ms > 50).length,
		oursLongest: Math.max(0, ...ours),
		standInMs: byTask.reduce((sum, t) => sum + t.standInMs, 0),
	};
}

/** The summary as Markdown. */
export function profileMarkdown(title: string, s: ProfileSummary, longest = 12): string[] {
	const r = (n: number): string => Math.round(n).toLocaleString("en-US");
	const md = [`### ${title}`, ""];
	md.push(`${s.tasks} long tasks; ${r(s.sampledMs)} ms of them sampled.`, "");
	md.push(
		`The stand-in's own code (harness.js: Obsidian's part) took ${r(s.standInMs)} ms of them; less that, ${s.oursOver50} tasks are over 50 ms (the plugin's), the longest ${r(s.oursLongest)} ms.`,
		"",
	);
	md.push("Inclusive ms per main.js function, over all long tasks:", "", "| function | ms |", "|---|---:|");
	for (const c of s.inclusive.slice(0, 25)) md.push(`| \`${c.name}\` | ${r(c.ms)} |`);
	md.push(
		"",
		"Self ms per function (any script; the engine's own in parentheses), over all long tasks:",
		"",
		"| function | ms |",
		"|---|---:|",
	);
	for (const c of s.self.slice(0, 15)) md.push(`| \`${c.name}\` | ${r(c.ms)} |`);
	md.push(
		"",
		`The ${longest} longest tasks:`,
		"",
		"| task ms | stand-in ms | entry | heaviest main.js functions (inclusive ms) |",
		"|---:|---:|---|---|",
	);
	for (const task of s.byTask.slice(0, longest))
		md.push(
			`| ${r(task.duration)} | ${r(task.standInMs)} | \`${task.entry}\` | ${task.top
				.slice(0, 6)
				.map((c) => `\`${c.name}\` ${r(c.ms)}`)
				.join(", ")} |`,
		);
	return md;
}

/** The part of playwright-core's CDPSession used here. */
interface CdpLike {
	send(method: string, params?: Record<string, unknown>): Promise<unknown>;
	on(event: string, listener: (e: Record<string, unknown>) => void): unknown;
}

/**
 * CPU profiles of the page's dedicated workers (the plugin's export reader), through the page's CDP session: each
 * worker is attached as it starts (paused until its profiler runs, so the profile has its whole life) and its
 * messages go through Target.sendMessageToTarget. `stop` returns one profile per worker; the page must keep ended
 * workers alive until then (the harness's keepEndedWorkers).
 */
export async function profileWorkers(cdp: CdpLike, intervalUs = 500): Promise<{ stop: () => Promise<CpuProfile[]> }> {
	let nextId = 1_000_000;
	const pending = new Map<number, (result: Record<string, unknown>) => void>();
	const sessions: Promise<string>[] = [];
	const send = (sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
		new Promise((resolve) => {
			const id = nextId++;
			pending.set(id, resolve);
			void cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) });
		});
	cdp.on("Target.receivedMessageFromTarget", (e) => {
		const m = JSON.parse(String(e.message)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
		if (m.id === undefined) return;
		const done = pending.get(m.id);
		pending.delete(m.id);
		done?.(m.result ?? { error: m.error });
	});
	cdp.on("Target.attachedToTarget", (e) => {
		const info = e.targetInfo as { type: string };
		const sessionId = String(e.sessionId);
		if (info.type !== "worker") return;
		sessions.push(
			(async () => {
				await send(sessionId, "Profiler.enable");
				await send(sessionId, "Profiler.setSamplingInterval", { interval: intervalUs });
				await send(sessionId, "Profiler.start");
				await send(sessionId, "Runtime.runIfWaitingForDebugger");
				return sessionId;
			})(),
		);
	});
	await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
	return {
		stop: async () => {
			const out: CpuProfile[] = [];
			for (const s of await Promise.all(sessions)) {
				const r = await send(s, "Profiler.stop");
				if (r.profile) out.push(r.profile as CpuProfile);
			}
			return out;
		},
	};
}

/** A whole profile (a worker's): busy ms, and self and inclusive ms per function, heaviest first. */
export function profileTotals(profile: CpuProfile, n = 30): { busyMs: number; idleMs: number; self: Charge[]; inclusive: Charge[] } {
	const byId = new Map(profile.nodes.map((x) => [x.id, x]));
	const parent = new Map<number, number>();
	for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
	const self = new Map<string, number>();
	const inclusive = new Map<string, number>();
	let busy = 0;
	let idle = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		const leaf = byId.get(profile.samples[i]!)!;
		if (leaf.callFrame.functionName === "(idle)") {
			idle += ms;
			continue;
		}
		busy += ms;
		const name = frameName(leaf.callFrame);
		self.set(name, (self.get(name) ?? 0) + ms);
		const seen = new Set<string>();
		for (let at: number | undefined = leaf.id; at !== undefined; at = parent.get(at)) {
			const f = frameName(byId.get(at)!.callFrame);
			if (seen.has(f)) continue;
			seen.add(f);
			inclusive.set(f, (inclusive.get(f) ?? 0) + ms);
		}
	}
	const list = (m: Map<string, number>): Charge[] =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([name, ms]) => ({ name, ms }));
	return { busyMs: busy, idleMs: idle, self: list(self), inclusive: list(inclusive) };
}

/** A worker's profile as Markdown. */
export function workerProfileMarkdown(title: string, p: CpuProfile): string[] {
	const t = profileTotals(p);
	const r = (x: number): string => Math.round(x).toLocaleString("en-US");
	const md = [`### ${title}`, "", `Busy ${r(t.busyMs)} ms, idle ${r(t.idleMs)} ms.`, "", "| self ms | function |", "|---:|---|"];
	for (const c of t.self.slice(0, 25)) md.push(`| ${r(c.ms)} | \`${c.name}\` |`);
	md.push("", "| inclusive ms | function |", "|---:|---|");
	for (const c of t.inclusive.slice(0, 30)) md.push(`| ${r(c.ms)} | \`${c.name}\` |`);
	return md;
}
