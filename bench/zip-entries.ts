import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { chatgptWith, fakeBytes } from "../test/support/attachment-exports";
import { storedZip } from "../test/support/stored-zip";
import { runChild, type ChildRun } from "./measure";

/**
 * Issue 15, item 5: "many zip entries: keep only what a conversation references, never one object per entry for the
 * whole run", and its benchmark row "100,000 zip entries". A ChatGPT zip holds one entry per upload: here 5
 * conversations that refer to 10 files, among N uploads (stored, 64 bytes each): N = 10 (the files alone), 100,000
 * and 300,000. Each imported by the CLI with its default settings, the sizes alternated, each run checked to have
 * written the 10 files.
 *
 * The bounds are slopes between the two large sizes, where the fixed costs are the same (the zip's first 100,000
 * entries already grew both threads' young generations to their full size: ~55 MB over the 10 files alone, whatever
 * comes after). Peak RSS: at most 100 bytes an entry. Kept now is ~42 bytes an upload (ExportFiles' fingerprint table
 * and record places); one object per entry, as before, cost ~590 (the reader's list of every entry and ExportFiles'
 * Map: 150 → 265 MB from 100,000 to 300,000). CPU: at most 15 µs an entry: reading and parsing a central directory
 * record, its references and their fingerprints measure 5–8 µs; before, 18 µs (an async generator step per entry).
 */

export interface ZipEntriesRun {
	entries: number;
	zipBytes: number;
	child: ChildRun;
	load: number;
}

export const ZIP_ENTRY_RSS_BYTES = 100;
export const ZIP_ENTRY_CPU_US = 15;
const CONVERSATIONS = 5;

/** 64 bytes that start like a PNG, different for every upload (two equal files would be written once). */
function uploadBytes(i: number): Uint8Array {
	const bytes = fakeBytes(1, 64);
	bytes.set(new TextEncoder().encode(String(i).padStart(12, "0")), 16);
	return bytes;
}

const fileId = (i: number): string => `file-Up${String(i).padStart(6, "0")}x`;

/** The zip: conversations.json, then `entries` uploads (at least 10) of which each conversation refers to two. */
export function zipWithEntries(entries: number): Uint8Array {
	const spread = Math.max(1, Math.floor(entries / CONVERSATIONS));
	const referenced = Array.from({ length: CONVERSATIONS }, (_, c) => [c * spread, c * spread + spread - 1]);
	const conversations = referenced.map(([a, b], c) =>
		chatgptWith(`conv-${c}`, `Photos ${c}`, [
			{
				author: { role: "user" },
				content: {
					content_type: "multimodal_text",
					parts: [
						{ content_type: "image_asset_pointer", asset_pointer: `file-service://${fileId(a!)}`, size_bytes: 64 },
						{ content_type: "image_asset_pointer", asset_pointer: `file-service://${fileId(b!)}`, size_bytes: 64 },
						"What are these?",
					],
				},
			},
			{ author: { role: "assistant" }, content: { content_type: "text", parts: ["Two photos."] } },
		]),
	);
	const files: [string, Uint8Array][] = [["conversations.json", new TextEncoder().encode(JSON.stringify(conversations))]];
	for (let i = 0; i < entries; i++) files.push([`${fileId(i)}-IMG_${i}.png`, uploadBytes(i)]);
	return storedZip(files);
}

/** Imports a zip of each size in `sizes` (uploads, at least 10), the sizes alternated, `repeats` times each. */
export async function zipEntriesRuns(
	root: string,
	cli: string,
	sizes: readonly number[],
	repeats: number,
	log: (s: string) => void,
): Promise<ZipEntriesRun[]> {
	const runs: ZipEntriesRun[] = [];
	const dir = join(root, "data", "zip-entries");
	await mkdir(dir, { recursive: true });
	const zips = new Map<number, { path: string; bytes: number }>();
	for (const n of sizes) {
		const bytes = zipWithEntries(n);
		const path = join(dir, `chatgpt-${n}.zip`);
		await writeFile(path, bytes);
		zips.set(n, { path, bytes: bytes.length });
	}
	try {
		for (let i = 0; i < repeats; i++) {
			for (const [n, zip] of zips) {
				const vault = join(root, "zip-entries-vault");
				await rm(vault, { recursive: true, force: true });
				await mkdir(vault, { recursive: true });
				const child = await runChild(root, [cli, "import", zip.path, "--vault", vault, "--json"]);
				const load = loadavg()[0] ?? NaN;
				const written = await readdir(join(vault, "AI Conversations", "attachments")).catch(() => []);
				await rm(vault, { recursive: true, force: true });
				if (child.code !== 0 || written.length !== 2 * CONVERSATIONS)
					throw new Error(
						`the zip of ${n} entries: exit ${child.code}, ${written.length} of ${2 * CONVERSATIONS} files written: ${child.stderr.slice(0, 500)}`,
					);
				log(`zip entries ${n}: ${(child.wallMs / 1000).toFixed(2)} s, ${(child.peakRssKb / 1024).toFixed(0)} MB, load ${load.toFixed(2)}`);
				runs.push({ entries: n, zipBytes: zip.bytes, child, load });
			}
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
	return runs;
}

const median = (xs: number[]): number => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

interface Summary {
	entries: number;
	zipMb: number;
	wallS: number;
	cpuS: number;
	peakMb: number;
	load: string;
}

function summarise(runs: ZipEntriesRun[]): Summary[] {
	const by = new Map<number, ZipEntriesRun[]>();
	for (const r of runs) by.set(r.entries, [...(by.get(r.entries) ?? []), r]);
	return [...by.entries()].map(([entries, rs]) => ({
		entries,
		zipMb: (rs[0]?.zipBytes ?? NaN) / (1024 * 1024),
		wallS: median(rs.map((r) => r.child.wallMs)) / 1000,
		cpuS: median(rs.map((r) => r.child.userMs + r.child.sysMs)) / 1000,
		peakMb: Math.max(...rs.map((r) => r.child.peakRssKb)) / 1024,
		load: rs.map((r) => r.load.toFixed(1)).join(", "),
	}));
}

export function zipEntriesMarkdown(runs: ZipEntriesRun[]): string[] {
	const rows = summarise(runs);
	const n = rows.length ? Math.max(...rows.map((r) => runs.filter((x) => x.entries === r.entries).length)) : 0;
	return [
		"## Many zip entries: a ChatGPT zip of 5 conversations among many uploads",
		"",
		`\`knowledge-etl import <zip> --vault <empty> --json\`, default settings; the 5 conversations refer to 10 of the uploads (each checked written); the smallest zip holds those 10 alone. Sizes alternated, median of ${n} runs (peak RSS: the highest), load average (1 min) after each run. The targets are the slopes between the two largest sizes (bench/zip-entries.ts says why).`,
		"",
		"| Zip entries (uploads) | Zip MB | Wall s | CPU s (user + sys) | Peak RSS MB | Load after each run |",
		"|---:|---:|---:|---:|---:|---|",
		...rows.map(
			(r) =>
				`| ${r.entries.toLocaleString("en-US")} | ${r.zipMb.toFixed(1)} | ${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.peakMb.toFixed(0)} | ${r.load} |`,
		),
		"",
	];
}

export function zipEntriesTargets(runs: ZipEntriesRun[]): { name: string; met: boolean | null; detail: string }[] {
	const rows = summarise(runs).sort((a, b) => a.entries - b.entries);
	const large = rows[rows.length - 1];
	const middle = rows[rows.length - 2];
	if (!large || !middle) return [];
	const extra = large.entries - middle.entries;
	const rssPer = ((large.peakMb - middle.peakMb) * 1024 * 1024) / extra;
	const cpuPer = ((large.cpuS - middle.cpuS) * 1e6) / extra;
	const span = `from ${middle.entries.toLocaleString("en-US")} to ${large.entries.toLocaleString("en-US")} zip entries`;
	return [
		{
			name: `Many zip entries: peak RSS grows at most ${ZIP_ENTRY_RSS_BYTES} bytes an entry ${span} (no object per entry)`,
			met: rssPer <= ZIP_ENTRY_RSS_BYTES,
			detail: `${middle.peakMb.toFixed(0)} → ${large.peakMb.toFixed(0)} MB: ${rssPer.toFixed(0)} bytes an entry`,
		},
		{
			name: `Many zip entries: CPU grows at most ${ZIP_ENTRY_CPU_US} µs an entry ${span}`,
			met: cpuPer <= ZIP_ENTRY_CPU_US,
			detail: `${middle.cpuS.toFixed(2)} → ${large.cpuS.toFixed(2)} s: ${cpuPer.toFixed(1)} µs an entry`,
		},
	];
}
