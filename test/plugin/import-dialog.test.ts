// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi } from "../stubs/obsidian";
import { cmd, until, loadPlugin, type PluginFixture, tearDownPlugins } from "./helpers";

const SAMPLE = path.resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");
let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(tearDownPlugins);

const text = (selector: string) => document.querySelector(selector)?.textContent ?? "";

async function openDialog(f: PluginFixture): Promise<void> {
	await f.app.commands.execute(cmd("start-import-session"));
	await until(() => document.querySelector(".knowledge-etl-import-modal") !== null, "the import dialog");
}

describe("import dialog", () => {
	it("chooses files with an Obsidian button, lists them with their sizes, and removes one", async () => {
		fx = await openDialogFixture();
		const input = document.querySelector<HTMLInputElement>(".knowledge-etl-file-input")!;
		let opened = 0;
		input.addEventListener("click", () => opened++);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-choose-files")!.click();
		expect(opened).toBe(1);
		expect(document.querySelector(".knowledge-etl-choose-files")!.textContent).toBe("Choose files");

		const sample = await fs.readFile(SAMPLE);
		Object.defineProperty(input, "files", {
			value: [new File([sample], "conversations.json"), new File(["{}"], "extra.json")],
			configurable: true,
		});
		input.dispatchEvent(new Event("change"));
		const rows = () => [...document.querySelectorAll(".knowledge-etl-file")];
		expect(rows().map((r) => r.querySelector(".knowledge-etl-file-name")!.textContent)).toEqual(["conversations.json", "extra.json"]);
		expect(rows()[0]!.querySelector(".knowledge-etl-file-size")!.textContent).toBe(`${(sample.length / 1024).toFixed(1)} KB`);
		expect(rows()[1]!.querySelector(".knowledge-etl-file-size")!.textContent).toBe("2 B");
		rows()[1]!.querySelector<HTMLElement>(".knowledge-etl-file-remove")!.click();
		expect(rows().map((r) => r.querySelector(".knowledge-etl-file-name")!.textContent)).toEqual(["conversations.json"]);
		// The provider, limit and dry run are there, folded under "More options".
		const more = document.querySelector<HTMLDetailsElement>("details.knowledge-etl-more-options")!;
		expect(more.open).toBe(false);
		expect(more.querySelector("summary")!.textContent).toBe("More options");
		expect([...more.querySelectorAll(".setting-item-name")].map((e) => e.textContent)).toEqual(["Provider", "Limit", "Dry run"]);
	});

	it("suggests the vault's folders for the output folder, and the import writes where the choice says", async () => {
		fx = await loadPlugin();
		await fx.app.vault.createFolder("Archive");
		await fx.app.vault.createFolder("Archive/AI chats");
		await fx.app.vault.createFolder("Journal");
		await openDialog(fx);
		const out = document.querySelector<HTMLInputElement>(".knowledge-etl-out-folder")!;
		expect(out.value).toBe("AI Conversations");
		out.value = "arch";
		out.dispatchEvent(new Event("input"));
		await until(() => document.querySelectorAll(".suggestion-container .suggestion-item").length > 0, "the suggestions");
		const items = [...document.querySelectorAll<HTMLElement>(".suggestion-container .suggestion-item")];
		expect(items.map((i) => i.textContent)).toEqual(["Archive", "Archive/AI chats"]);
		items[1]!.click();
		expect(out.value).toBe("Archive/AI chats");
		expect(document.querySelector(".suggestion-container")).toBeNull();

		const input = document.querySelector<HTMLInputElement>(".knowledge-etl-file-input")!;
		Object.defineProperty(input, "files", { value: [new File([await fs.readFile(SAMPLE)], "conversations.json")], configurable: true });
		input.dispatchEvent(new Event("change"));
		document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.click();
		await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
		document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!.click();
		await fx.plugin.runs.whenIdle();
		const latest = (await new SessionManager(fx.plugin.stagingStore, fx.plugin.clock).latest())!;
		expect(latest.status).toBe("completed");
		const written = await fs.readdir(path.join(fx.dir, "Archive/AI chats/ChatGPT"));
		expect(written.filter((n) => n.endsWith(".md"))).toHaveLength(3);
	});
});

async function openDialogFixture(): Promise<PluginFixture> {
	const f = await loadPlugin();
	await openDialog(f);
	return f;
}
