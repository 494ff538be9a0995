import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time (user + sys, ms) so far of the renderers of the harness's Chromium (its profile folder is on their command
 * line): their main threads (the page's is Obsidian's UI thread; the others idle) and the whole processes. Linux only.
 */
export function rendererCpu(userDataDir: string): { mainMs: number; allMs: number } | null {
	if (process.platform !== "linux") return null;
	const msPerTick = 10; // USER_HZ, 100 on Linux
	// The fields after the command's ")" in a stat line: utime and stime are the 12th and 13th.
	const cpuOf = (statPath: string): number => {
		const line = readFileSync(statPath, "utf8");
		const f = line.slice(line.lastIndexOf(")") + 2).split(" ");
		return (Number(f[11]) + Number(f[12])) * msPerTick;
	};
	let mainMs = 0;
	let allMs = 0;
	let found = false;
	for (const pid of readdirSync("/proc")) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
			if (!command.includes("--type=renderer") || !command.includes(`--user-data-dir=${userDataDir}`)) continue;
			allMs += cpuOf(`/proc/${pid}/stat`);
			mainMs += cpuOf(`/proc/${pid}/task/${pid}/stat`);
			found = true;
		} catch {
			// gone meanwhile
		}
	}
	return found ? { mainMs, allMs } : null;
}
