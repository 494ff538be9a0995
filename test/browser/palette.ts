/**
 * Obsidian's default palette as recorded in obsidian-theme.css (values and their sources are there), and the
 * WCAG 2 colour arithmetic the contrast tests use: parse a CSS colour, blend a translucent one over what is
 * behind it, and the contrast ratio of two colours.
 */

export type Rgba = readonly [number, number, number, number];
export type Theme = "light" | "dark";
export const THEMES: readonly Theme[] = ["light", "dark"];

/** WCAG AA: small text needs 4.5:1; large text (≥ 24px, or ≥ 18.66px bold) 3:1. */
export const AA_TEXT = 4.5;
export const AA_LARGE_TEXT = 3;

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
	const sat = Math.min(1, Math.max(0, s / 100));
	const lig = Math.min(1, Math.max(0, l / 100));
	const a = sat * Math.min(lig, 1 - lig);
	const f = (n: number) => {
		const k = (n + h / 30) % 12;
		return lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
	};
	return [f(0) * 255, f(8) * 255, f(4) * 255];
}

/**
 * A CSS colour as [r, g, b, alpha] (0–255, alpha 0–1): #rgb, #rrggbb, rgb()/rgba() with commas or spaces,
 * hsl()/hsla(), `color(srgb r g b / a)` (what Chromium reports for color-mix), white, black, transparent.
 */
export function parseColour(text: string): Rgba {
	const s = text.trim().toLowerCase();
	if (s === "white") return [255, 255, 255, 1];
	if (s === "black") return [0, 0, 0, 1];
	if (s === "transparent") return [0, 0, 0, 0];
	const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
	if (hex) {
		const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join("") : hex[1]!;
		return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
	}
	const fn = /^(rgba?|hsla?|color)\((.*)\)$/.exec(s);
	if (!fn) throw new Error(`not a colour this test reads: ${text}`);
	const nums = (fn[2]!.match(/-?[\d.]+%?/g) ?? []).map((v) =>
		v.endsWith("%") ? { n: Number(v.slice(0, -1)), pct: true } : { n: Number(v), pct: false },
	);
	const alpha = (v?: { n: number; pct: boolean }) => (v === undefined ? 1 : v.pct ? v.n / 100 : v.n);
	if (fn[1] === "color") {
		// color(srgb r g b / a), channels 0..1
		const [r, g, b, a] = nums;
		return [r!.n * 255, g!.n * 255, b!.n * 255, alpha(a)];
	}
	if (fn[1]!.startsWith("rgb")) {
		const [r, g, b, a] = nums;
		const ch = (v: { n: number; pct: boolean }) => (v.pct ? (v.n * 255) / 100 : v.n);
		return [ch(r!), ch(g!), ch(b!), alpha(a)];
	}
	const [h, sat, l, a] = nums;
	return [...hslToRgb(h!.n, sat!.n, l!.n), alpha(a)];
}

/** `top` painted over the opaque `under`. */
export function blend(top: Rgba, under: Rgba): Rgba {
	const a = top[3];
	return [0, 1, 2].map((i) => top[i]! * a + under[i]! * (1 - a)).concat(1) as unknown as Rgba;
}

function luminance(c: Rgba): number {
	const [r, g, b] = [c[0], c[1], c[2]].map((v) => {
		const s = v / 255;
		return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
export function contrast(a: Rgba, b: Rgba): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi! + 0.05) / (lo! + 0.05);
}

/** The custom properties each theme declares (body's shared ones included), unresolved. */
export function themeVariables(css: string): Record<Theme, Map<string, string>> {
	const noComments = css.replace(/\/\*[\s\S]*?\*\//g, "");
	const block = (selector: string) => {
		const m = new RegExp(`(^|\\n)${selector.replace(".", "\\.")}\\s*\\{([^}]*)\\}`).exec(noComments);
		const vars = new Map<string, string>();
		for (const d of (m?.[2] ?? "").split(";")) {
			const kv = /^\s*(--[\w-]+)\s*:\s*([\s\S]+?)\s*$/.exec(d);
			if (kv) vars.set(kv[1]!, kv[2]!);
		}
		return vars;
	};
	const body = block("body");
	return { light: new Map([...body, ...block(".theme-light")]), dark: new Map([...body, ...block(".theme-dark")]) };
}

/** `value` with every var(--x) replaced by the theme's value, recursively. */
export function resolveVars(vars: Map<string, string>, value: string, depth = 0): string {
	if (depth > 20) throw new Error(`var() cycle in ${value}`);
	return value.replace(/var\((--[\w-]+)(?:\s*,\s*([^()]*))?\)/g, (_, name: string, fallback?: string) => {
		const v = vars.get(name) ?? fallback;
		if (v === undefined) throw new Error(`undefined CSS variable ${name}`);
		return resolveVars(vars, v, depth + 1);
	});
}

/**
 * A colour value from styles.css in one theme, resolved to [r,g,b,a]: plain colours, var() chains, and
 * `color-mix(in srgb, <colour> N%, transparent|<colour>)`.
 */
export function themeColour(vars: Map<string, string>, value: string): Rgba {
	const v = resolveVars(vars, value).trim();
	const mix = /^color-mix\(\s*in srgb\s*,\s*(.+)\s+([\d.]+)%\s*,\s*(.+?)\s*\)$/.exec(v);
	if (mix) {
		const a = parseColour(mix[1]!);
		const b = parseColour(mix[3]!);
		const p = Number(mix[2]) / 100;
		// Premultiplied, as CSS mixes: alpha = p·a + (1−p)·b.
		const alpha = p * a[3] + (1 - p) * b[3];
		if (alpha === 0) return [0, 0, 0, 0];
		const ch = (i: number) => (p * a[i]! * a[3] + (1 - p) * b[i]! * b[3]) / alpha;
		return [ch(0), ch(1), ch(2), alpha];
	}
	return parseColour(v);
}
