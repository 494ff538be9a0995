import { mkdir, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { writeExport } from "./generate";
import { runChild, type ChildRun } from "./measure";

/**
 * Issue 15, item 5: "1,000,000 conversations import and re-import under the same peak memory as 35,000 (target under
 * 300 MB)". Opt-in (`npm run bench -- --million`, with `--no-sizes --no-big --no-llm --no-organize --no-plugin` to
 * run it alone): it generates a 3.96 GB Claude export of 1,000,000 short conversations (two messages, short answers)
 * and one of 35,000 of the same shape, and imports each into a fresh vault, then again into the vault it made (an
 * unchanged re-import), with the CLI's default settings (its 192 MB worker heap). Each run once; a run that fails is
 * a row with its exit code, not the end of the benchmark. `--million-count N` makes the large one N conversations
 * and `--million-reference N` the small one (to try the path quickly). About 9 GB of tmpfs at a million.
 */

const SMALL = { minMessages: 2, maxMessages: 2, answerScale: 0.05 };
const REFERENCE = 35_000;
const TARGET_MB = 300;

export interface MillionRow {
	conversations: number;
	bytes: number;
	run: "import" | "re-import";
	child: ChildRun;
	/** What `--json` said (created/unchanged counts), or why it said nothing. */
	outcome: string;
	load: number;
}

export async function millionRows(
	root: string,
	cli: string,
	count: number,
	log: (s: string) => void,
	reference = REFERENCE,
): Promise<MillionRow[]> {
	const rows: MillionRow[] = [];
	for (const n of [reference, count]) {
		const dir = join(root, "data", `million-${n}`);
		const vault = join(root, `million-vault-${n}`);
		await rm(dir, { recursive: true, force: true });
		await rm(vault, { recursive: true, force: true });
		await mkdir(vault, { recursive: true });
		log(`million: generating ${n} short Claude conversations…`);
		const w = await writeExport(join(dir, "conversations.json"), "claude", 20260 + n, { count: n, profile: SMALL });
		for (const run of ["import", "re-import"] as const) {
			const child = await runChild(root, [cli, "import", w.path, "--vault", vault, "--json"]);
			const load = loadavg()[0] ?? NaN;
			let outcome: string;
			try {
				const r = JSON.parse(child.stdout) as {
					counts?: { success?: number };
					notes?: Record<string, number>;
					error?: { message?: string };
				};
				outcome = r.notes
					? `${r.counts?.success ?? 0} imported: ${r.notes.created ?? 0} created, ${r.notes.unchanged ?? 0} unchanged`
					: (r.error?.message ?? child.stdout.slice(0, 200));
			} catch {
				outcome = `no JSON: ${child.stderr.replace(/\s+/g, " ").slice(0, 200)}`;
			}
			log(
				`million ${n} ${run}: exit ${child.code}, ${(child.peakRssKb / 1024).toFixed(0)} MB, ${((child.userMs + child.sysMs) / 1000).toFixed(1)} s CPU`,
			);
			rows.push({ conversations: n, bytes: w.bytes, run, child, outcome, load });
		}
		await rm(vault, { recursive: true, force: true });
		await rm(dir, { recursive: true, force: true });
	}
	return rows;
}

export function millionMarkdown(rows: readonly MillionRow[]): string[] {
	const md = [
		"## A million conversations (issue 15)",
		"",
		"Short Claude conversations (two messages each), default settings, one run each: import into a fresh vault, then the same export again into that vault.",
		"",
		"| Conversations | MB | Run | Exit | Peak RSS MB | CPU s | Wall s | Load (1 min) | Result |",
		"|---:|---:|---|---:|---:|---:|---:|---:|---|",
	];
	for (const r of rows)
		md.push(
			`| ${r.conversations.toLocaleString("en-US")} | ${(r.bytes / 1024 / 1024).toFixed(0)} | ${r.run} | ${r.child.code} | ${(r.child.peakRssKb / 1024).toFixed(0)} | ${((r.child.userMs + r.child.sysMs) / 1000).toFixed(1)} | ${(r.child.wallMs / 1000).toFixed(1)} | ${r.load.toFixed(1)} | ${r.outcome} |`,
		);
	md.push("");
	return md;
}

/**
 * The targets: every run exits 0 with the large one's peak under 300 MB (issue 15's number), and, stricter, within
 * 1.25× the 35,000 one's (memory flat in the number of conversations: what "the same peak as 35,000" would be).
 */
export function millionTargets(rows: readonly MillionRow[]): { name: string; met: boolean; detail: string }[] {
	const reference = rows[0]?.conversations ?? REFERENCE;
	const ref = Math.max(...rows.filter((r) => r.conversations === reference).map((r) => r.child.peakRssKb / 1024));
	const large = rows.filter((r) => r.conversations !== reference);
	if (large.length === 0) return [];
	const peak = Math.max(...large.map((r) => r.child.peakRssKb / 1024));
	const n = large[0]!.conversations.toLocaleString("en-US");
	const at = reference.toLocaleString("en-US");
	return [
		{
			name: `${n} conversations import and re-import (exit 0) under ${TARGET_MB} MB peak RSS`,
			met: large.every((r) => r.child.code === 0) && peak <= TARGET_MB,
			detail: `${peak.toFixed(0)} MB; exits ${large.map((r) => r.child.code).join(", ")}`,
		},
		{
			name: `${n} conversations' peak within 1.25× the ${at} peak (flat in the number of conversations)`,
			met: peak <= ref * 1.25,
			detail: `${peak.toFixed(0)} MB vs ${ref.toFixed(0)} MB at ${at} (${(peak / ref).toFixed(2)}×)`,
		},
	];
}
