import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AA_TEXT, blend, contrast, parseColour, THEMES, themeColour, themeVariables } from "./palette";

/**
 * Every text colour styles.css sets, against Obsidian's real default palette (obsidian-theme.css, each value
 * with its source), in the light and the dark theme: WCAG AA for small text (4.5:1). The plugin's texts are
 * small (12–13px), so no rule gets the 3:1 of large text. Runs without a browser; the screenshot test checks
 * the rendered pages as well.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const styles = readFileSync(path.join(ROOT, "styles.css"), "utf8");
const palette = themeVariables(readFileSync(path.join(ROOT, "test/browser/obsidian-theme.css"), "utf8"));

interface Rule {
	selector: string;
	decls: Map<string, string>;
}

function rules(css: string): Rule[] {
	const out: Rule[] = [];
	for (const m of css.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
		const decls = new Map<string, string>();
		for (const d of m[2]!.split(";")) {
			const kv = /^\s*([\w-]+)\s*:\s*([\s\S]+?)\s*$/.exec(d);
			if (kv) decls.set(kv[1]!, kv[2]!);
		}
		out.push({ selector: m[1]!.trim().replace(/\s+/g, " "), decls });
	}
	return out;
}

/** The surfaces the plugin's elements sit on: the panel, dialogs and settings (primary), previews (secondary). */
const SURFACES = ["var(--background-primary)", "var(--background-secondary)"];

describe("text contrast of styles.css against Obsidian's default palette", () => {
	const coloured = rules(styles).filter((r) => r.decls.has("color"));

	it("reads the palette and finds the rules (the check has something to check)", () => {
		expect(coloured.length).toBeGreaterThan(10);
		// The values the issue measured: Obsidian's light orange and green give 2.95:1 and 2.61:1 on white.
		const white = parseColour("#ffffff");
		expect(contrast(themeColour(palette.light, "var(--text-warning)"), white)).toBeCloseTo(2.95, 2);
		expect(contrast(themeColour(palette.light, "var(--text-success)"), white)).toBeCloseTo(2.61, 2);
	});

	for (const theme of THEMES) {
		it(`${theme} theme: every text colour reaches ${AA_TEXT}:1 on what is behind it`, () => {
			const vars = palette[theme];
			const failures: string[] = [];
			for (const rule of coloured) {
				const colourValue = rule.decls.get("color")!;
				if (colourValue === "inherit" || colourValue === "currentColor") continue;
				const own = rule.decls.get("background-color") ?? rule.decls.get("background");
				for (const surfaceValue of SURFACES) {
					const surface = themeColour(vars, surfaceValue);
					const behind = own && own !== "transparent" ? blend(themeColour(vars, own), surface) : surface;
					const text = blend(themeColour(vars, colourValue), behind);
					const ratio = contrast(text, behind);
					if (ratio < AA_TEXT) failures.push(`${rule.selector}: ${colourValue} on ${own ?? surfaceValue} = ${ratio.toFixed(2)}:1`);
				}
			}
			expect(failures).toEqual([]);
		});
	}
});
