// Bundles from one source tree:
//   main.js     — the Obsidian plugin (CommonJS, as Obsidian loads it); only Obsidian's own modules are external.
//   dist/       — the headless CLI on Node (ESM), same core, three files that must stay together:
//     cli.js            the `knowledge-etl` bin (with a shebang): a small launcher that starts…
//     cli-worker.js     …the CLI itself, in a worker thread with a capped heap;
//     extract-worker.js the reader of large exports, in its own thread during an import.
// `node esbuild.config.mjs` watches both; `node esbuild.config.mjs production` builds once, minified plugin.
import esbuild from "esbuild";
import { builtinModules } from "node:module";

const production = process.argv[2] === "production";

const plugin = {
	entryPoints: ["src/plugin/main.ts"],
	bundle: true,
	outfile: "main.js",
	format: "cjs",
	platform: "browser",
	target: "es2022",
	external: ["obsidian", "electron", "@codemirror/*", "@lezer/*"],
	logLevel: "info",
	sourcemap: production ? false : "inline",
	treeShaking: true,
	minify: production,
};

const cli = {
	entryPoints: { cli: "src/cli/main.ts", "cli-worker": "src/cli/cli-worker.ts", "extract-worker": "src/cli/extract-thread/extract-worker.ts" },
	bundle: true,
	outdir: "dist",
	format: "esm",
	platform: "node",
	target: "node20",
	external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
	banner: {
		js: "#!/usr/bin/env node\nimport { createRequire as __ketlCreateRequire } from 'node:module'; const require = __ketlCreateRequire(import.meta.url);",
	},
	logLevel: "info",
	sourcemap: production ? false : "inline",
};

if (production) {
	await Promise.all([esbuild.build(plugin), esbuild.build(cli)]);
} else {
	const contexts = await Promise.all([esbuild.context(plugin), esbuild.context(cli)]);
	await Promise.all(contexts.map((c) => c.watch()));
}
