/**
 * Hygiene the plugin keeps (issue 14 item 6): no module-level state (a Map, WeakMap or Set at the top of a module
 * lives as long as Obsidian's window and outlives a plugin that is disabled and enabled again, so state goes on
 * the plugin or the object that owns it), and commands and actions get the plugin's services (services.ts), never
 * the plugin class: only the registration code imports main.ts.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const PLUGIN = join(import.meta.dirname, "../../src/plugin");

async function sources(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...(await sources(path)));
		else if (entry.name.endsWith(".ts")) out.push(path);
	}
	return out.sort();
}

/** Top-level declarations of mutable module state: `let`, or a Map / WeakMap / Set / WeakSet made at load. */
function moduleState(text: string): string[] {
	return text
		.split("\n")
		.filter((line) => /^(export\s+)?(let|var)\s/.test(line) || /^(export\s+)?const\s+\w+[^=]*=\s*new\s+(Weak)?(Map|Set)\b/.test(line));
}

describe("the plugin's module state and its services", () => {
	it("no module keeps state at its top level (the locale of the window apart)", async () => {
		const found: Record<string, string[]> = {};
		for (const file of await sources(PLUGIN)) {
			const lines = moduleState(await readFile(file, "utf8"));
			if (lines.length > 0) found[relative(PLUGIN, file)] = lines;
		}
		// i18n: Obsidian's language is one per window (it reloads plugins when it changes), not one per plugin.
		expect(found).toEqual({ "i18n/index.ts": ['let current: Locale = "en";'] });
	});

	it("the scan finds module state where there is some", () => {
		expect(moduleState("const cache = new WeakMap<Plugin, X>();\nexport let n = 0;\n\tlet inside = 1;\n")).toEqual([
			"const cache = new WeakMap<Plugin, X>();",
			"export let n = 0;",
		]);
	});

	it("only the registration code imports the plugin class; commands and actions take its services", async () => {
		const importers: string[] = [];
		for (const file of await sources(PLUGIN)) {
			if (/import type KnowledgeEtlPlugin from "(\.\.\/)*\.?\/?main"/.test(await readFile(file, "utf8")))
				importers.push(relative(PLUGIN, file));
		}
		expect(importers).toEqual(["commands/palette.ts", "settings-tab.ts"]);
	});
});
