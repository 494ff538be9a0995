// Lint = the Obsidian community-review config (eslint-plugin-obsidianmd recommended,
// which already includes typescript-eslint's type-checked rules) plus our layering rule:
// only src/plugin/ may import `obsidian`.
import { defineConfig, globalIgnores } from "eslint/config";
import obsidianmd from "eslint-plugin-obsidianmd";
import globals from "globals";

// Frontmatter YAML is read and written by our own small reader and writer (src/core/yaml): the `yaml` package was
// ~100 KB of main.js. It stays a devDependency, for the tests that compare ours with it.
const noYamlPackage = {
	name: "yaml",
	message: "Use src/core/yaml (parseYaml, emitMapping, editYaml): the yaml package is kept out of the plugin bundle.",
};

const noObsidianOutsidePlugin = {
	"no-restricted-imports": [
		"error",
		{
			paths: [
				{
					name: "obsidian",
					message: "Only src/plugin/ may import obsidian: the core and the CLI run without Obsidian.",
				},
				noYamlPackage,
			],
		},
	],
};

// The hosts (the CLI, the plugin) come into the core through its one front door, src/core/app (the service and
// what it re-exports), never into a core module directly: a policy then lives once, in the core, not once per host.
const throughTheFrontDoor = {
	group: ["**/core/**", "!**/core/app", "!**/core/app/**"],
	message: "The CLI and the plugin import the core only through src/core/app (add what you need to its exports).",
};

// zod as a namespace (`import * as z from "…/model/zod"`): the named `{ z }` export is an object holding every
// schema, so a bundler keeps all of zod (and its locales) for it: main.js was 944 KB with it, 586 KB without.
const zodAsNamespace = {
	"no-restricted-syntax": [
		"error",
		{
			selector: 'ImportDeclaration[importKind!="type"][source.value=/^zod(\\/.*)?$|\\/model\\/zod$/] > ImportSpecifier[importKind!="type"]',
			message: 'Import zod as a namespace: `import * as z from "…/model/zod"` (a named import keeps all of zod in the bundle).',
		},
	],
};

// zod in src is `zod/mini`, imported through src/core/model/zod, which also sets its English messages (zod/mini has
// none by itself, and every reason we show quotes them). Classic zod's methods keep ~100 KB of it in main.js.
const zodThroughModel = {
	regex: "^zod(/.*)?$",
	message: 'Import zod as `import * as z from "…/core/model/zod"` (zod/mini with its English messages), not from "zod".',
};

export default defineConfig([
	globalIgnores(["node_modules/", "dist/", "main.js", "demo-vault/", "docs/", "coverage/", "bench/out/"]),
	...obsidianmd.configs.recommended,
	{
		languageOptions: {
			parserOptions: {
				projectService: {
					allowDefaultProject: ["eslint.config.mjs", "esbuild.config.mjs", "scripts/*.mjs", "bench/*.mjs"],
				},
				tsconfigRootDir: import.meta.dirname,
			},
		},
	},
	{
		files: ["src/core/**/*.ts"],
		ignores: ["src/core/model/zod.ts"],
		rules: {
			"no-restricted-imports": ["error", { paths: noObsidianOutsidePlugin["no-restricted-imports"][1].paths, patterns: [zodThroughModel] }],
		},
	},
	{
		// the one module that imports zod/mini itself (and sets its English messages)
		files: ["src/core/model/zod.ts"],
		rules: noObsidianOutsidePlugin,
	},
	{
		// The UI's English texts live in the message table (test/plugin/no-inline-ui-strings.test.ts keeps them
		// there), so the review's sentence-case check is pointed at it.
		files: ["src/plugin/i18n/en.ts"],
		rules: {
			"obsidianmd/ui/sentence-case-locale-module": [
				"error",
				{
					brands: ["ChatGPT", "Claude", "Ollama", "OpenAI", "Obsidian", "Europe/Paris", "Asia/Tokyo"],
					// Fragments set inside sentences ("whole vault", "1 note") and menu paths quoted as the apps write them.
					ignoreRegex: ["^[a-z0-9({…]", "→", "e\\.g\\.", '"[A-Z]'],
				},
			],
		},
	},
	{
		files: ["src/plugin/**/*.ts"],
		rules: { "no-restricted-imports": ["error", { paths: [noYamlPackage], patterns: [throughTheFrontDoor, zodThroughModel] }] },
	},
	{
		files: ["src/cli/**/*.ts"],
		rules: {
			"no-restricted-imports": [
				"error",
				{ paths: noObsidianOutsidePlugin["no-restricted-imports"][1].paths, patterns: [throughTheFrontDoor, zodThroughModel] },
			],
		},
	},
	{
		files: ["**/*.ts"],
		rules: zodAsNamespace,
	},
	{
		// Node-side code: the CLI, tests, benchmarks, build scripts. The browser/popout-window
		// rules of the Obsidian review do not apply there.
		files: ["src/cli/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.{ts,mjs}", "*.mjs", "vitest.config.ts"],
		languageOptions: { globals: { ...globals.node } },
		rules: {
			"obsidianmd/no-nodejs-modules": "off",
			"obsidianmd/prefer-window-timers": "off",
			"obsidianmd/no-global-this": "off",
			"obsidianmd/prefer-active-doc": "off",
			"no-console": "off",
			// the review's console rule, re-issued with its own message
			"obsidianmd/rule-custom-message": "off",
			// a vault made by a script (the demo) has no configured config folder yet
			"obsidianmd/hardcoded-config-path": "off",
		},
	},
	{
		files: ["test/**/*.ts"],
		rules: {
			"@typescript-eslint/no-non-null-assertion": "off",
			"obsidianmd/ui/sentence-case": "off",
		},
	},
	{
		// The stand-in for Obsidian itself: it implements createEl, configDir and Vault.trash, so the rules
		// that steer plugin code towards those APIs do not apply to it.
		files: ["test/stubs/**/*.ts"],
		rules: {
			"obsidianmd/prefer-create-el": "off",
			"obsidianmd/hardcoded-config-path": "off",
			"obsidianmd/prefer-file-manager-trash-file": "off",
		},
	},
]);
