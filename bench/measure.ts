import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What one child process cost: wall (measured here), CPU and peak RSS (from the kernel's rusage of the child). */
export interface ChildRun {
	code: number | null;
	stdout: string;
	stderr: string;
	wallMs: number;
	userMs: number;
	sysMs: number;
	peakRssKb: number;
	/**
	 * Bytes the process and its children passed to write() (files, pipes: its stdout included), from the kernel's
	 * `wchar` of this process, which takes in a child's when it is reaped (Linux; NaN elsewhere). Children are run one
	 * at a time, so the difference around one is that child's.
	 */
	writtenBytes: number;
	/** How the rusage was obtained. */
	via: "time -v" | "resourceUsage";
}

const TIME = "/usr/bin/time";

/** This process's `wchar` (bytes passed to write(), reaped children's included), or NaN without /proc. */
function writtenSoFar(): number {
	try {
		return Number(/^wchar: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1] ?? NaN);
	} catch {
		return NaN;
	}
}

/**
 * Preload for when /usr/bin/time is missing: the child writes its own process.resourceUsage() (the same
 * getrusage(RUSAGE_SELF) the kernel keeps) on exit.
 */
const PRELOAD = `import { writeFileSync } from "node:fs";
process.on("exit", () => {
	const u = process.resourceUsage();
	writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify({ user: u.userCPUTime, sys: u.systemCPUTime, maxRss: u.maxRSS }));
});
`;

function parseTimeV(text: string): { userMs: number; sysMs: number; peakRssKb: number } {
	const num = (label: string): number => {
		const m = new RegExp(`${label}[^:]*:\\s*([0-9.]+)`).exec(text);
		return m?.[1] !== undefined ? Number(m[1]) : NaN;
	};
	return { userMs: num("User time") * 1000, sysMs: num("System time") * 1000, peakRssKb: num("Maximum resident set size") };
}

export async function runChild(workDir: string, args: string[], opts: { env?: Record<string, string> } = {}): Promise<ChildRun> {
	const useTime = existsSync(TIME);
	const rusageFile = join(workDir, `rusage-${process.pid}-${Date.now()}.txt`);
	let cmd: string;
	let argv: string[];
	const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
	if (useTime) {
		cmd = TIME;
		argv = ["-v", "-o", rusageFile, process.execPath, ...args];
	} else {
		const preload = join(workDir, "rusage-preload.mjs");
		if (!existsSync(preload)) await writeFile(preload, PRELOAD);
		cmd = process.execPath;
		argv = ["--import", preload, ...args];
		env.BENCH_RUSAGE_FILE = rusageFile;
	}
	const wchar0 = writtenSoFar();
	const t0 = performance.now();
	const child = spawn(cmd, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
	let stdout = "";
	let stderr = "";
	child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
	child.stderr.setEncoding("utf8").on("data", (d: string) => {
		if (stderr.length < 64 * 1024) stderr += d;
	});
	const code = await new Promise<number | null>((resolve, reject) => {
		child.on("error", reject);
		child.on("close", (c) => resolve(c));
	});
	const wallMs = performance.now() - t0;
	const writtenBytes = writtenSoFar() - wchar0;
	let usage = { userMs: NaN, sysMs: NaN, peakRssKb: NaN };
	try {
		const text = await readFile(rusageFile, "utf8");
		if (useTime) usage = parseTimeV(text);
		else {
			const u = JSON.parse(text) as { user: number; sys: number; maxRss: number };
			usage = { userMs: u.user / 1000, sysMs: u.sys / 1000, peakRssKb: u.maxRss };
		}
	} catch {
		// no usage: the child died before writing it (reported as NaN)
	}
	await rm(rusageFile, { force: true });
	// /usr/bin/time prefixes "Command exited with non-zero status N" to its file; the code is the child's own.
	return { code, stdout, stderr, wallMs, ...usage, writtenBytes, via: useTime ? "time -v" : "resourceUsage" };
}
