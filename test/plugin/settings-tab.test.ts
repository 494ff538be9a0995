// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeEtlSettingTab } from "../../src/plugin/settings-tab";
import { enableObsidianUi } from "../stubs/obsidian";
import { loadPlugin, until, type PluginFixture } from "./helpers";
import { deadUrl, startFakeLlmServer } from "../support/fake-llm-server";

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
	return JSON.parse(await fs.readFile(path.join(f.dir, f.app.vault.configDir, "plugins/knowledge-etl/data.json"), "utf8")) as Record<
		string,
		unknown
	>;
}

function type(input: HTMLInputElement, value: string): void {
	input.value = value;
	input.dispatchEvent(new Event("input"));
}

describe("settings tab", () => {
	it("has the sections Import, Knowledge notes (LLM), Organize, Sessions, Advanced; the model rows only with a provider", async () => {
		fx = await loadPlugin();
		const root = openTab(fx);
		const headings = () => [...root.querySelectorAll(".setting-item-heading .setting-item-name")].map((e) => e.textContent);
		expect(headings()).toEqual(["Import", "Knowledge notes (LLM)", "Organize", "Sessions", "Advanced"]);
		expect(root.querySelectorAll("h1, h2, h3, h4")).toHaveLength(0);
		const names = () =>
			[...root.querySelectorAll(".setting-item:not(.setting-item-heading) > .setting-item-info .setting-item-name")].map(
				(e) => e.textContent,
			);
		// Debug mode last; with no provider, the LLM section is the provider alone.
		expect(names().at(-1)).toBe("Debug mode");
		for (const name of ["Server address", "Model", "API key", "Concurrency", "Include transcript"]) expect(names()).not.toContain(name);
		const select = settingNamed(root, "Provider").querySelector("select")!;
		select.value = "ollama";
		select.dispatchEvent(new Event("change"));
		await until(() => names().includes("Server address"), "the model rows");
		for (const name of ["Server address", "Model", "Concurrency", "Timeout", "Retries", "Output language", "Include transcript"])
			expect(names()).toContain(name);
		expect(names()).not.toContain("API key"); // Ollama takes none
		for (const name of ["Output folder", "Time zone", "Genres", "Excluded folders", "Session retention"]) settingNamed(root, name);
		// Genres: labelled columns, an editable description.
		expect([...root.querySelectorAll(".knowledge-etl-genre-head .knowledge-etl-genre-col")].map((e) => e.textContent)).toEqual([
			"Key",
			"Folder",
			"Description",
			"Keywords",
		]);
		type(root.querySelector<HTMLInputElement>(".knowledge-etl-genre-description")!, "Notes about machine learning");
		expect(fx.plugin.settings.genres[0]!.description).toBe("Notes about machine learning");
	});

	it("persists a toggle, the provider and numbers; refuses bad numbers", async () => {
		fx = await loadPlugin();
		const root = openTab(fx);
		settingNamed(root, "Debug mode").querySelector<HTMLElement>(".checkbox-container")!.click();
		const select = settingNamed(root, "Provider").querySelector("select")!;
		expect([...select.options].map((o) => o.textContent)).toEqual(["None", "Ollama", "OpenAI-compatible"]);
		select.value = "openai";
		select.dispatchEvent(new Event("change"));
		await until(() => root.querySelector(".knowledge-etl-api-key") !== null, "the model rows");
		const concurrency = settingNamed(root, "Concurrency").querySelector("input")!;
		type(concurrency, "4");
		type(concurrency, "0");
		expect(concurrency.classList.contains("knowledge-etl-invalid")).toBe(true);
		type(settingNamed(root, "Session retention").querySelector("input")!, "7");
		const data = await savedData(fx);
		expect(data.debugMode).toBe(true);
		expect(data.retentionDays).toBe(7);
		expect(data.llm).toMatchObject({ provider: "openai", concurrency: 4 });
	});

	it("keeps the API key in Obsidian's secret storage, not in data.json, and moves an old key there", async () => {
		// An earlier version wrote the key into data.json.
		fx = await loadPlugin(undefined, { data: { llm: { provider: "openai", url: "http://127.0.0.1:1", model: "m", apiKey: "sk-old" } } });
		const secrets = fx.app.secretStorage;
		await fx.plugin.engine();
		await fx.plugin.settingsSaved();
		expect(secrets.getSecret("knowledge-etl-api-key")).toBe("sk-old");
		let data = await savedData(fx);
		expect(data.llm).toMatchObject({ apiKey: "", apiKeySecret: "knowledge-etl-api-key" });
		expect(JSON.stringify(data)).not.toContain("sk-old");

		const root = openTab(fx);
		const key = root.querySelector<HTMLInputElement>(".knowledge-etl-api-key")!;
		expect(key.type).toBe("password");
		expect(key.value).toBe(""); // never shown again
		expect(key.placeholder).toBe("Saved (type to replace)");
		type(key, " sk-new ");
		data = await savedData(fx);
		expect(secrets.getSecret("knowledge-etl-api-key")).toBe("sk-new");
		expect(JSON.stringify(data)).not.toContain("sk-new");
	});

	it("without secret storage (Obsidian before 1.11.4) the key stays in data.json, and the setting says so", async () => {
		fx = await loadPlugin(undefined, { data: { llm: { provider: "openai", url: "http://127.0.0.1:1", model: "m" } } });
		(fx.app as unknown as { secretStorage?: unknown }).secretStorage = undefined;
		const root = openTab(fx);
		await until(() => root.querySelector(".knowledge-etl-api-key") !== null, "the tab");
		expect(settingNamed(root, "API key").querySelector(".setting-item-description")!.textContent).toContain("no secret storage");
		type(root.querySelector<HTMLInputElement>(".knowledge-etl-api-key")!, "sk-plain");
		expect((await savedData(fx)).llm).toMatchObject({ apiKey: "sk-plain", apiKeySecret: "" });
	});

	it("tests the connection against a real server: lists its models to pick from, and says what is wrong when it fails", async () => {
		const server = await startFakeLlmServer({ models: ["llama3.1:8b", "qwen2.5:7b"], apiKey: "sk-right" });
		const dead = await deadUrl();
		try {
			fx = await loadPlugin(undefined, { data: { llm: { provider: "ollama", url: server.url, model: "", timeoutSeconds: 1 } } });
			const root = openTab(fx);
			await until(() => root.querySelector(".knowledge-etl-test-connection") !== null, "the tab");
			const result = () => root.querySelector(".knowledge-etl-connection-result")!;
			const test = async () => {
				const before = result().textContent;
				root.querySelector<HTMLButtonElement>(".knowledge-etl-test-connection")!.click();
				await until(
					() => result().textContent !== before && result().textContent !== "Asking the server for its models…",
					"the test result",
				);
				return result().textContent;
			};
			expect(await test()).toBe("Connected: 2 models. Pick one from the list.");
			const picker = root.querySelector<HTMLSelectElement>(".knowledge-etl-model-picker")!;
			expect([...picker.options].map((o) => o.value)).toEqual(["", "llama3.1:8b", "qwen2.5:7b"]);
			picker.value = "qwen2.5:7b";
			picker.dispatchEvent(new Event("change"));
			expect(root.querySelector<HTMLInputElement>(".knowledge-etl-model-input")!.value).toBe("qwen2.5:7b");
			expect((await savedData(fx)).llm).toMatchObject({ model: "qwen2.5:7b" });

			// Nothing listening.
			fx.plugin.settings.llm.url = dead;
			expect(await test()).toBe(`Nothing answers at ${dead}. Is the server running (Ollama: "ollama serve")? Check the address and port.`);
			expect(result().classList.contains("is-error")).toBe(true);
			// Something answers, but no model list (the OpenAI path on an Ollama-only address).
			fx.plugin.settings.llm.url = `${server.url}/nothing-here`;
			expect(await test()).toContain("but not with a list of models");
			// A key the server refuses.
			fx.plugin.settings.llm.url = server.url;
			fx.plugin.settings.llm.provider = "openai";
			fx.plugin.settings.llm.apiKey = "sk-wrong";
			fx.plugin.settings.llm.apiKeySecret = "";
			(fx.app as unknown as { secretStorage?: unknown }).secretStorage = undefined;
			expect(await test()).toBe("The server refused the API key (HTTP 401). Check the key.");
			fx.plugin.settings.llm.apiKey = "sk-right";
			expect(await test()).toBe("Connected: 2 models. Pick one from the list.");
		} finally {
			await server.close();
		}
	});

	it("a server that does not answer in time is named as such", async () => {
		const server = await startFakeLlmServer({ listBehaviour: { kind: "hang" } });
		try {
			fx = await loadPlugin(undefined, { data: { llm: { provider: "ollama", url: server.url, model: "x", timeoutSeconds: 1 } } });
			const root = openTab(fx);
			await until(() => root.querySelector(".knowledge-etl-test-connection") !== null, "the tab");
			root.querySelector<HTMLButtonElement>(".knowledge-etl-test-connection")!.click();
			const result = () => root.querySelector(".knowledge-etl-connection-result")!.textContent ?? "";
			await until(() => result().startsWith("The server at"), "the test result");
			expect(result()).toBe(`The server at ${server.url} did not answer in time.`);
		} finally {
			await server.close();
		}
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
		await fx.plugin.engine();
		fx.plugin.settings.llm.provider = "openai";
		const groups = tab.getSettingDefinitions() as { type: string; heading?: string; items: { name: string; render: unknown }[] }[];
		expect(groups.map((g) => g.heading ?? null)).toEqual(["Import", "Knowledge notes (LLM)", "Organize", "Sessions", "Advanced"]);
		expect(groups.flatMap((g) => g.items).every((i) => typeof i.render === "function")).toBe(true);
		expect(groups.flatMap((g) => g.items.map((i) => i.name))).toContain("API key");
	});
});
