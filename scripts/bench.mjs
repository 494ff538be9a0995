// `npm run bench` / `npm run bench:quick` (the benchmark itself is bench/bench.ts): bundles the benchmark, the floor and the CLI with esbuild (no new
// dependency), then runs the benchmark. Options pass through to bench/bench.ts (--quick, --sizes, --big-mb,
// --llm-count, --no-big, --no-llm, --cpu-prof, --keep, --out). `--ref <commit>` measures that commit instead of
// the working tree (its src/, bench/ and test/support/ are extracted with `git archive` into bench/out/).
import esbuild from "esbuild";
import { execFileSync, spawn } from "node:child_process";
import { builtinModules } from "node:module";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { buildCli, warmCodeCache } from "./cli-build.mjs";
import { pluginBuildOptions } from "./plugin-build.mjs";
import { join, resolve } from "node:path";

const argv = process.argv.slice(2);
const repo = resolve(import.meta.dirname, "..");
let root = repo;
let source = "working tree";
let commit;
const refAt = argv.indexOf("--ref");
if (refAt >= 0) {
	const ref = argv[refAt + 1];
	argv.splice(refAt, 2);
	commit = execFileSync("git", ["rev-parse", "--short", ref], { cwd: root, encoding: "utf8" }).trim();
	const snapshot = join(repo, "bench", "out", "snapshot");
	rmSync(snapshot, { recursive: true, force: true });
	mkdirSync(snapshot, { recursive: true });
	execFileSync("sh", ["-c", `git archive ${commit} src bench test/support | tar -x -C "${snapshot}"`], { cwd: root, stdio: "inherit" });
	root = snapshot; // node_modules resolve upwards from there to the repository's
	source = `commit ${commit}`;
} else {
	try {
		commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
		const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "bench"], { cwd: root, encoding: "utf8" }).trim();
		if (dirty) source = `working tree, uncommitted changes in ${dirty.split("\n").length} file(s) under src/ or bench/`;
	} catch {
		commit = "unknown";
	}
}

const out = join(repo, "bench", "out", "build");
mkdirSync(out, { recursive: true });

// `--browser-only`: only the "plugin in Chromium" section (bench/plugin-browser.ts), beside the CLI it builds.
if (argv.includes("--browser-only")) {
	await Promise.all([
		buildCli({ root, outdir: out, ext: ".mjs", production: true, logLevel: "warning" }),
		esbuild.build({
			bundle: true,
			format: "esm",
			platform: "node",
			target: "node20",
			external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), "esbuild", "playwright-core"],
			banner: {
				js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
			},
			logLevel: "warning",
			entryPoints: [join(repo, "bench/plugin-browser.ts")],
			outfile: join(out, "plugin-browser.mjs"),
		}),
	]);
	const browser = spawn(process.execPath, [join(out, "plugin-browser.mjs"), ...argv.filter((a) => a !== "--browser-only")], {
		stdio: "inherit",
		env: { ...process.env, BENCH_BUILD: out },
		cwd: repo,
	});
	browser.on("close", (code) => process.exit(code ?? 1));
	await new Promise(() => undefined);
}
const node = {
	bundle: true,
	format: "esm",
	platform: "node",
	target: "node20",
	external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
	banner: {
		js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
	},
	logLevel: "warning",
	sourcemap: false,
	minify: false,
};
await Promise.all([
	// The CLI as `npm run build` makes it (scripts/cli-build.mjs), with .mjs names (but the program's, .cjs).
	buildCli({ root, outdir: out, ext: ".mjs", production: true, logLevel: "warning" }),
	esbuild.build({ ...node, entryPoints: [join(root, "bench/floor.ts")], outfile: join(out, "floor.mjs") }),
	// The note floor over the measured tree's core (a --ref commit that predates it: the working tree's, and its core).
	esbuild.build({
		...node,
		entryPoints: [join(existsSync(join(root, "bench/note-floor.ts")) ? root : repo, "bench/note-floor.ts")],
		outfile: join(out, "note-floor.mjs"),
	}),
	esbuild.build({ ...node, entryPoints: [join(root, "bench/bench.ts")], outfile: join(out, "bench.mjs") }),
	// The read-all floor and the plugin-load child are the working tree's (a --ref commit may predate them).
	esbuild.build({ ...node, entryPoints: [join(repo, "bench/read-all.ts")], outfile: join(out, "read-all.mjs") }),
	esbuild.build({ ...node, entryPoints: [join(repo, "bench/plugin-load.ts")], outfile: join(out, "plugin-load.mjs") }),
	// main.js as `npm run build` makes it (scripts/plugin-build.mjs), for the plugin-load row.
	esbuild.build(pluginBuildOptions({ entry: join(root, "src/plugin/main.ts"), outfile: join(out, "main.js"), logLevel: "warning" })),
]);

// Its code cache, as the build saves it (a tree without it, --ref of an older commit, has none to save).
warmCodeCache(join(out, "cli.mjs"), out);

const child = spawn(process.execPath, [join(out, "bench.mjs"), ...argv], {
	stdio: "inherit",
	env: { ...process.env, BENCH_BUILD: out, BENCH_COMMIT: commit, BENCH_SOURCE: source },
	cwd: repo,
});
child.on("close", (code) => {
	process.exitCode = code ?? 1;
});
