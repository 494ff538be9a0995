// Bundles from one source tree:
//   main.js — the Obsidian plugin (CommonJS, as Obsidian loads it); only Obsidian's own modules are external.
//   dist/   — the headless CLI on Node, same core: cli.js (the bin), cli-worker.cjs and extract-worker.cjs (with
//             their code caches), which must stay together (see scripts/cli-build.mjs).
// `node esbuild.config.mjs` watches both; `node esbuild.config.mjs production` builds once, minified plugin, and
// saves the CLI's code caches with small warm-up runs (an import, an organize preview).
import esbuild from "esbuild";
import { resolve } from "node:path";
import { cliBuildOptions, buildCli, warmCodeCache } from "./scripts/cli-build.mjs";
import { pluginBuildOptions } from "./scripts/plugin-build.mjs";

const production = process.argv[2] === "production";
const root = resolve(import.meta.dirname);
const outdir = resolve(root, "dist");

const plugin = pluginBuildOptions({ production });

if (production) {
	const [, launcher] = await Promise.all([esbuild.build(plugin), buildCli({ root, outdir, production })]);
	for (const cache of warmCodeCache(launcher, outdir)) console.log(`  dist/${cache} (V8 code cache, from a warm-up run)`);
} else {
	const contexts = await Promise.all([plugin, ...cliBuildOptions({ root, outdir, production })].map((o) => esbuild.context(o)));
	await Promise.all(contexts.map((c) => c.watch()));
}
