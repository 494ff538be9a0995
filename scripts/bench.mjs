// `npm run bench` / `npm run bench:quick` (the benchmark itself is bench/bench.ts): bundles the benchmark, the floor and the CLI with esbuild (no new
// dependency), then runs the benchmark. Options pass through to bench/bench.ts (--quick, --sizes, --big-mb,
// --llm-count, --no-big, --no-llm, --cpu-prof, --keep, --out). `--ref <commit>` measures that commit instead of
// the working tree (its src/, bench/ and test/support/ are extracted with `git archive` into bench/out/).
import esbuild from "esbuild";
import { execFileSync, spawn } from "node:child_process";
import { builtinModules } from "node:module";
import { existsSync, mkdirSync, rmSync } from "node:fs";
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
const node = {
	bundle: true,
	format: "esm",
	platform: "node",
	target: "node20",
	external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
	banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
	logLevel: "warning",
	sourcemap: false,
	minify: false,
};
// The CLI as `npm run build` makes it (dist/cli.js, cli-worker.js, extract-worker.js), as .mjs files; an older
// commit (--ref) may have fewer of these entries.
const cliEntries = Object.fromEntries(
	Object.entries({ cli: "src/cli/main.ts", "cli-worker": "src/cli/cli-worker.ts", "extract-worker": "src/cli/extract-thread/extract-worker.ts" }).filter(([, path]) =>
		existsSync(join(root, path)),
	).map(([name, path]) => [name, join(root, path)]),
);
for (const name of ["cli-worker", "extract-worker"]) if (!(name in cliEntries)) rmSync(join(out, `${name}.mjs`), { force: true });
await Promise.all([
	esbuild.build({ ...node, entryPoints: cliEntries, outdir: out, outExtension: { ".js": ".mjs" } }),
	esbuild.build({ ...node, entryPoints: [join(root, "bench/floor.ts")], outfile: join(out, "floor.mjs") }),
	esbuild.build({ ...node, entryPoints: [join(root, "bench/bench.ts")], outfile: join(out, "bench.mjs") }),
]);

const child = spawn(process.execPath, [join(out, "bench.mjs"), ...argv], {
	stdio: "inherit",
	env: { ...process.env, BENCH_BUILD: out, BENCH_COMMIT: commit, BENCH_SOURCE: source },
	cwd: repo,
});
child.on("close", (code) => {
	process.exitCode = code ?? 1;
});
