import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per source file. The CLI
 * bundle is not minified and esbuild marks each module with a `// src/...` comment line, so a bundle line maps
 * back to its source file.
 */

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** Bundle line (0-based) → source module, from esbuild's `// path` markers. */
async function moduleMap(bundlePath: string): Promise<(line: number) => string> {
	const lines = (await readFile(bundlePath, "utf8")).split("\n");
	const starts: { line: number; name: string }[] = [];
	lines.forEach((l, i) => {
		const m = /^\/\/ ((?:src|node_modules|bench|test)\/\S+)$/.exec(l);
		if (m?.[1] !== undefined) {
			// A --ref run bundles from bench/out/snapshot/: report the repository's own paths.
			const name = m[1].replace(/^bench\/out\/snapshot\//, "");
			starts.push({ line: i, name: name.replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, "node_modules/$1") });
		}
	});
	return (line) => {
		let lo = 0;
		let hi = starts.length - 1;
		let found = "(bundle)";
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const s = starts[mid];
			if (s === undefined) break;
			if (s.line <= line) {
				found = s.name;
				lo = mid + 1;
			} else hi = mid - 1;
		}
		return found;
	};
}

export interface ProfileSummary {
	totalMs: number;
	byFunction: { name: string; file: string; selfMs: number }[];
	byFile: { file: string; selfMs: number }[];
}

/**
 * `bundleDir`: where the CLI's bundles are; a frame in one of them (the launcher, the CLI, the reader thread) is
 * mapped back to its source file through that bundle's markers.
 */
export async function summarizeProfile(profilePath: string, bundleDir: string): Promise<ProfileSummary> {
	const profile = JSON.parse(await readFile(profilePath, "utf8")) as CpuProfile;
	const maps = new Map<string, (line: number) => string>();
	for (const node of profile.nodes) {
		const name = /([^/\\]+\.(?:mjs|cjs))$/.exec(node.callFrame.url)?.[1];
		if (name !== undefined && !maps.has(node.callFrame.url))
			maps.set(node.callFrame.url, await moduleMap(join(bundleDir, name)).catch(() => () => `(${name})`));
	}
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
	const fns = new Map<string, { name: string; file: string; selfMs: number }>();
	const files = new Map<string, number>();
	let total = 0;
	for (const node of profile.nodes) {
		const us = self.get(node.id) ?? 0;
		if (us === 0) continue;
		total += us;
		const { functionName, url, lineNumber } = node.callFrame;
		const fileOf = maps.get(url);
		const file = fileOf ? fileOf(lineNumber) : url === "" ? `(${functionName || "native"})` : url.replace(/^node:/, "node:");
		const name = functionName || "(anonymous)";
		const key = `${name}@${file}`;
		const entry = fns.get(key) ?? { name, file, selfMs: 0 };
		entry.selfMs += us / 1000;
		fns.set(key, entry);
		files.set(file, (files.get(file) ?? 0) + us / 1000);
	}
	return {
		totalMs: total / 1000,
		byFunction: [...fns.values()].sort((a, b) => b.selfMs - a.selfMs),
		byFile: [...files.entries()].map(([file, selfMs]) => ({ file, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
	};
}

export function profileMarkdown(s: ProfileSummary, top = 20): string {
	const pct = (ms: number): string => `${((ms / s.totalMs) * 100).toFixed(1)}%`;
	const out = [`Sampled CPU: ${(s.totalMs / 1000).toFixed(2)} s`, "", "| Self time by file | ms | share |", "|---|---:|---:|"];
	for (const f of s.byFile.slice(0, top)) out.push(`| ${f.file} | ${f.selfMs.toFixed(0)} | ${pct(f.selfMs)} |`);
	out.push("", "| Self time by function | file | ms | share |", "|---|---|---:|---:|");
	for (const f of s.byFunction.slice(0, top)) out.push(`| ${f.name} | ${f.file} | ${f.selfMs.toFixed(0)} | ${pct(f.selfMs)} |`);
	return out.join("\n");
}
