// Two bundles from one source tree:
//   main.js     — the Obsidian plugin (CommonJS, as Obsidian loads it); only Obsidian's own modules are external.
//   dist/cli.js — the headless CLI on Node (ESM, with a shebang), same core.
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
	entryPoints: ["src/cli/main.ts"],
	bundle: true,
	outfile: "dist/cli.js",
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
