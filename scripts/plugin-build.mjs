// How the plugin (main.js) is built, for `npm run build` (esbuild.config.mjs), the bundle test
// (test/plugin/bundle.test.ts) and the benchmark's plugin-load row (scripts/bench.mjs): one set of options.
//   CommonJS, as Obsidian loads it; only Obsidian's own modules are external. The engine (src/plugin/engine.ts) is
//   reached through import() only, which esbuild keeps as lazy modules inside the one file.
//   Minified in production. Every module's own "use strict" is left out (tsconfig's strict adds one to each lazy
//   module, ~2 KB) and the file says it once at the top instead: the whole bundle stays strict code.

/** esbuild's options for main.js from `entry` into `outfile`. */
export function pluginBuildOptions({ entry = "src/plugin/main.ts", outfile = "main.js", production = true, logLevel = "info" } = {}) {
	return {
		entryPoints: [entry],
		bundle: true,
		outfile,
		format: "cjs",
		platform: "browser",
		target: "es2022",
		external: ["obsidian", "electron", "@codemirror/*", "@lezer/*"],
		logLevel,
		sourcemap: production ? false : "inline",
		treeShaking: true,
		minify: production,
		tsconfigRaw: { compilerOptions: { alwaysStrict: false, strict: false, target: "ES2022", useDefineForClassFields: true } },
		banner: { js: '"use strict";' },
		// Text as UTF-8, not \u escapes: the UI's Japanese messages (src/plugin/i18n/ja.ts) are 29 KB escaped, 17 KB as
		// they are. Obsidian reads main.js as UTF-8.
		charset: "utf8",
	};
}
