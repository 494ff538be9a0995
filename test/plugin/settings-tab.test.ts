// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeEtlSettingTab } from "../../src/plugin/settings-tab";
import { enableObsidianUi } from "../stubs/obsidian";
import { loadPlugin, until, type PluginFixture } from "./helpers";

let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	if (fx) {
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	fx = null;
});

function openTab(f: PluginFixture): HTMLElement {
	const tab = f.stub.settingTabs[0] as unknown as KnowledgeEtlSettingTab;
	expect(tab).toBeInstanceOf(KnowledgeEtlSettingTab);
	tab.display();
	return tab.containerEl;
}

function settingNamed(root: HTMLElement, name: string): HTMLElement {
	const item = [...root.querySelectorAll<HTMLElement>(".setting-item")].find(
		(el) => el.querySelector(".setting-item-name")?.textContent === name,
	);
	if (!item) throw new Error(`no setting named ${name}`);
	return item;
}

async function savedData(f: PluginFixture): Promise<Record<string, unknown>> {
	// Saves are fired from change handlers; wait until every one started has reached the disk.
	await f.plugin.settingsSaved();
	return JSON.parse(await fs.readFile(path.join(f.dir, f.app.vault.configDir, "plugins/knowledge-etl/data.json"), "utf8")) as Record<string, unknown>;
}

function type(input: HTMLInputElement, value: string): void {
	input.value = value;
	input.dispatchEvent(new Event("input"));
}

describe("settings tab", () => {
	it("has the general settings first without a heading, then the groups as setHeading() rows", async () => {
		fx = await loadPlugin();
		const root = openTab(fx);
		const items = [...root.querySelectorAll(".setting-item")];
		expect(items[0]!.querySelector(".setting-item-name")!.textContent).toBe("Debug mode");
		const headings = [...root.querySelectorAll(".setting-item-heading .setting-item-name")].map((e) => e.textContent);
		expect(headings).toEqual(["Knowledge notes (LLM)", "Notes", "Organize", "Sessions"]);
		expect(root.querySelectorAll("h1, h2, h3, h4")).toHaveLength(0);
		for (const name of ["Output folder", "Provider", "Server address", "Model", "API key", "Concurrency", "Timeout", "Retries", "Output language", "Include transcript", "Include thinking", "Genres", "Session retention"]) {
			settingNamed(root, name);
		}
	});

	it("persists a toggle, the provider, numbers and the API key (a password input); refuses bad numbers", async () => {
		fx = await loadPlugin();
		const root = openTab(fx);
		settingNamed(root, "Debug mode").querySelector<HTMLElement>(".checkbox-container")!.click();
		const select = settingNamed(root, "Provider").querySelector("select")!;
		expect([...select.options].map((o) => o.textContent)).toEqual(["None", "Ollama", "OpenAI-compatible"]);
		select.value = "openai";
		select.dispatchEvent(new Event("change"));
		const key = settingNamed(root, "API key").querySelector("input")!;
		expect(key.type).toBe("password");
		type(key, " sk-secret ");
		const concurrency = settingNamed(root, "Concurrency").querySelector("input")!;
		type(concurrency, "4");
		type(concurrency, "0");
		expect(concurrency.classList.contains("knowledge-etl-invalid")).toBe(true);
		type(settingNamed(root, "Session retention").querySelector("input")!, "7");
		const data = await savedData(fx);
		expect(data.debugMode).toBe(true);
		expect(data.retentionDays).toBe(7);
		expect(data.llm).toMatchObject({ provider: "openai", apiKey: "sk-secret", concurrency: 4 });
	});

	it("edits, adds and removes genres", async () => {
		fx = await loadPlugin();
		const root = openTab(fx);
		const count = fx.plugin.settings.genres.length;
		const first = root.querySelector<HTMLElement>(".knowledge-etl-genre-row")!;
		type(first.querySelector<HTMLInputElement>(".knowledge-etl-genre-folder")!, "Topics/AI/");
		type(first.querySelector<HTMLInputElement>(".knowledge-etl-genre-keywords")!, "llm, prompt ,, rag");
		expect(fx.plugin.settings.genres[0]).toMatchObject({ key: "ai", folder: "Topics/AI", keywords: ["llm", "prompt", "rag"] });
		const key = first.querySelector<HTMLInputElement>(".knowledge-etl-genre-key")!;
		type(key, "Not A Key");
		expect(key.classList.contains("knowledge-etl-invalid")).toBe(true);
		// Adding or removing a row saves, then redraws: wait for the saves rather than a fixed time (a loaded machine).
		settingNamed(root, "Genres").querySelector("button")!.click();
		await fx.plugin.settingsSaved();
		await until(() => root.querySelectorAll(".knowledge-etl-genre-row").length !== count, "the added row");
		expect(root.querySelectorAll(".knowledge-etl-genre-row")).toHaveLength(count + 1);
		root.querySelector<HTMLElement>(".knowledge-etl-genre-row .extra-setting-button")!.click();
		await fx.plugin.settingsSaved();
		await until(() => root.querySelectorAll(".knowledge-etl-genre-row").length !== count + 1, "the removed row");
		expect(root.querySelectorAll(".knowledge-etl-genre-row")).toHaveLength(count);
		const data = await savedData(fx);
		const genres = data.genres as { key: string; folder: string; keywords: string[] }[];
		expect(genres).toHaveLength(count);
		expect(genres[0]!.key).not.toBe("ai"); // the first genre was removed
		expect(genres.at(-1)!.key).toBe(`genre-${count + 1}`);
		expect(genres.some((g) => g.key === "Not A Key")).toBe(false);
	});

	it("offers the same rows as declarative definitions for Obsidian 1.13+", async () => {
		fx = await loadPlugin();
		const tab = fx.stub.settingTabs[0] as unknown as KnowledgeEtlSettingTab;
		const groups = tab.getSettingDefinitions() as { type: string; heading?: string; items: { name: string; render: unknown }[] }[];
		expect(groups.map((g) => g.heading ?? null)).toEqual([null, "Knowledge notes (LLM)", "Notes", "Organize", "Sessions"]);
		expect(groups.flatMap((g) => g.items).every((i) => typeof i.render === "function")).toBe(true);
		expect(groups.flatMap((g) => g.items.map((i) => i.name))).toContain("API key");
	});
});
