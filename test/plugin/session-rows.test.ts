// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { chatgptConv, runCli, writeZip } from "../cli/import-support";
import { enableObsidianUi } from "../stubs/obsidian";
import { loadPlugin, panel, tearDownPlugins } from "./helpers";

beforeAll(() => enableObsidianUi());
afterEach(tearDownPlugins);

const text = (el: Element | null | undefined) => el?.textContent ?? "";

describe("session rows name the export", () => {
	it("shows the file name and size an import read, from its session files (a CLI run here)", async () => {
		const vault = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-rows-"));
		const exportDir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-rows-export-"));
		const zip = await writeZip(path.join(exportDir, "chatgpt-2025-03-14.zip"), {
			"conversations.json": JSON.stringify(Array.from({ length: 40 }, (_, i) => chatgptConv({ id: `c${i}`, title: `Row ${i}` }))),
		});
		const size = (await fs.stat(zip)).size;
		const run = await runCli(["import", zip, "--vault", vault, "--json"]);
		expect(run.code).toBe(0);

		const fx = await loadPlugin(vault);
		await fx.plugin.activateSessionView();
		const root = panel(fx).contentEl;
		const row = root.querySelector(".knowledge-etl-session-row");
		expect(text(row?.querySelector(".knowledge-etl-session-title"))).toBe("ChatGPT · chatgpt-2025-03-14.zip");
		// Under the title: how many, when, and the export's size (as the file is on disk).
		const kb = (size / 1024).toFixed(1);
		expect(text(row?.querySelector(".knowledge-etl-session-facts"))).toMatch(
			new RegExp(`^40 conversations · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d · ${kb.replace(".", "\\.")} KB export$`),
		);
		expect(text(root.querySelector(".knowledge-etl-detail-title"))).toBe("ChatGPT · chatgpt-2025-03-14.zip");
		await fs.rm(exportDir, { recursive: true, force: true });
	});
});

describe("welcome picture", () => {
	it("draws an SVG in the welcome screen from DOM calls, coloured by the theme's variables", async () => {
		const fx = await loadPlugin();
		await fx.plugin.activateSessionView();
		const root = panel(fx).contentEl;
		const svg = root.querySelector(".knowledge-etl-welcome svg.knowledge-etl-welcome-art");
		expect(svg?.namespaceURI).toBe("http://www.w3.org/2000/svg");
		expect(svg?.getAttribute("aria-hidden")).toBe("true");
		const shapes = [...svg!.querySelectorAll("path, rect")];
		expect(shapes.length).toBeGreaterThanOrEqual(8);
		for (const s of shapes) {
			expect(s.namespaceURI).toBe("http://www.w3.org/2000/svg");
			// No colour written on the element: styles.css colours it with Obsidian's variables.
			expect(s.getAttribute("fill") ?? s.getAttribute("stroke") ?? s.getAttribute("style")).toBeNull();
			expect(s.getAttribute("class")).toMatch(/^knowledge-etl-art-(shape|page|accent|line)$/);
		}
		// It sits between the title and the words that say the same.
		expect(svg!.previousElementSibling?.classList.contains("knowledge-etl-heading")).toBe(true);
		expect(svg!.nextElementSibling?.tagName).toBe("P");
	});
});
