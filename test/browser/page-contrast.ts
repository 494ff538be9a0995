import type { Page } from "playwright-core";
import { AA_LARGE_TEXT, AA_TEXT, blend, contrast, parseColour, type Rgba } from "./palette";

/** One visible text in the page: its colour and every background behind it, innermost first (as computed). */
interface TextSample {
	what: string;
	text: string;
	color: string;
	backgrounds: string[];
	fontSize: number;
	fontWeight: number;
}

/**
 * WCAG AA for every visible text in the page (each element with a text node of its own): its computed colour
 * on the backgrounds behind it, translucent ones blended over the first opaque one. Returns what falls short.
 * `skip` matches elements whose colours are Obsidian's own, not ours (e.g. `button.mod-cta`).
 */
export async function textContrastFailures(page: Page, root: string, skip = ""): Promise<{ checked: number; failures: string[] }> {
	const samples: TextSample[] = await page.locator(root).evaluate((rootEl, skipSelector) => {
		const out: TextSample[] = [];
		const all = [rootEl, ...Array.from(rootEl.querySelectorAll("*"))];
		for (const el of all) {
			const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "");
			if (!own) continue;
			if (skipSelector && el.closest(skipSelector)) continue;
			const box = el.getBoundingClientRect();
			const style = getComputedStyle(el);
			if (box.width === 0 || box.height === 0 || style.visibility === "hidden" || Number(style.opacity) === 0) continue;
			const backgrounds: string[] = [];
			for (let node: Element | null = el; node; node = node.parentElement) backgrounds.push(getComputedStyle(node).backgroundColor);
			const cls = el.classList.length > 0 ? `.${Array.from(el.classList).join(".")}` : "";
			out.push({
				what: `${el.tagName.toLowerCase()}${cls}`,
				text: (el.textContent ?? "").trim().slice(0, 40),
				color: style.color,
				backgrounds,
				fontSize: parseFloat(style.fontSize),
				fontWeight: Number(style.fontWeight) || 400,
			});
		}
		return out;
	}, skip);
	const failures: string[] = [];
	for (const s of samples) {
		const layers = s.backgrounds.map(parseColour);
		const firstOpaque = layers.findIndex((c) => c[3] >= 1);
		let behind: Rgba = firstOpaque >= 0 ? layers[firstOpaque]! : [255, 255, 255, 1];
		for (let i = (firstOpaque >= 0 ? firstOpaque : layers.length) - 1; i >= 0; i--)
			if (layers[i]![3] > 0) behind = blend(layers[i]!, behind);
		const text = blend(parseColour(s.color), behind);
		const large = s.fontSize >= 24 || (s.fontSize >= 18.66 && s.fontWeight >= 700);
		const min = large ? AA_LARGE_TEXT : AA_TEXT;
		const ratio = contrast(text, behind);
		if (ratio < min)
			failures.push(`${s.what} "${s.text}": ${s.color} on ${s.backgrounds.join(" / ")} = ${ratio.toFixed(2)}:1 (needs ${min})`);
	}
	return { checked: samples.length, failures };
}
