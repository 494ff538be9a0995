// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sanitizeFileName } from "../../src/core/naming/sanitize-file-name";
import { SessionManager } from "../../src/core/session/session-manager";
import { enableObsidianUi } from "../stubs/obsidian";
import { cmd, until, loadPlugin, type PluginFixture, pickFiles, tearDownPlugins } from "./helpers";

const SAMPLE = path.resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");
let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(tearDownPlugins);

const text = (selector: string) => document.querySelector(selector)?.textContent ?? "";
const rows = () => [...document.querySelectorAll<HTMLElement>(".knowledge-etl-chooser-row")];
const titles = () => rows().map((r) => r.querySelector(".knowledge-etl-chooser-title")!.textContent);
const checkbox = (row: HTMLElement) => row.querySelector<HTMLInputElement>("input[type=checkbox]")!;
const selectAll = () => document.querySelector<HTMLInputElement>(".knowledge-etl-chooser-all input")!;
const startButton = () => document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!;

function toggle(box: HTMLInputElement, on: boolean): void {
	box.checked = on;
	box.dispatchEvent(new Event("change"));
}

function search(q: string): void {
	const input = document.querySelector<HTMLInputElement>(".knowledge-etl-chooser-search")!;
	input.value = q;
	input.dispatchEvent(new Event("input"));
}

async function notesIn(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const e of await fs.readdir(path.join(dir, "AI Conversations/ChatGPT")).catch(() => [])) out.push(e);
	return out.sort();
}

describe("import modal: choosing what to import", () => {
	it("lists the conversations with date, messages and status; search, select all and single rows choose what the session imports", async () => {
		fx = await loadPlugin();
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.click();
		await until(() => rows().length === 3, "the conversation list");
		expect(titles()).toHaveLength(3);
		expect(titles()).toContain("Docker COPY fails: file not found");
		for (const row of rows()) {
			expect(checkbox(row).checked).toBe(true);
			expect(row.querySelector(".knowledge-etl-chooser-date")!.textContent).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			expect(row.querySelector(".knowledge-etl-chooser-messages")!.textContent).toMatch(/^\d+ messages$/);
			expect(row.querySelector(".knowledge-etl-chooser-status")!.textContent).toBe("New");
		}
		expect(text(".knowledge-etl-chooser-count")).toBe("3 of 3 selected");
		expect(selectAll().checked).toBe(true);

		// Select all clears everything: nothing to start.
		toggle(selectAll(), false);
		expect(text(".knowledge-etl-chooser-count")).toBe("0 of 3 selected");
		expect(startButton().disabled).toBe(true);

		// Search narrows the list; select all then takes what matches only.
		search("docker");
		expect(titles()).toEqual(["Docker COPY fails: file not found"]);
		toggle(selectAll(), true);
		expect(text(".knowledge-etl-chooser-count")).toBe("1 of 3 selected");
		search("");
		expect(rows()).toHaveLength(3);
		expect(selectAll().checked).toBe(false);
		// One more by its own box.
		const other = rows().find((r) => !checkbox(r).checked)!;
		const otherTitle = other.querySelector(".knowledge-etl-chooser-title")!.textContent;
		toggle(checkbox(other), true);
		expect(text(".knowledge-etl-chooser-count")).toBe("2 of 3 selected");
		expect(startButton().disabled).toBe(false);

		startButton().click();
		await fx.plugin.runs.whenIdle();
		const notes = await notesIn(fx.dir);
		expect(notes).toEqual([`${sanitizeFileName(otherTitle)}.md`, "Docker COPY fails file not found.md"].sort());
		// The selection is in the session's options, so a resume imports the same two.
		const latest = (await new SessionManager(fx.plugin.stagingStore, fx.plugin.clock).latest())!;
		const options = JSON.parse(
			await fx.plugin.stagingStore.read(`.staging/@session/${latest.session_id}/import/extract/input/options.json`),
		) as { select?: string[]; timeZone?: string };
		expect(options.select).toHaveLength(2);
		expect(typeof options.timeZone).toBe("string");
		expect(latest.status).toBe("completed");
	});

	it("with every conversation chosen, no selection is recorded (the whole export)", async () => {
		fx = await loadPlugin();
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.click();
		await until(() => rows().length === 3, "the conversation list");
		startButton().click();
		await fx.plugin.runs.whenIdle();
		expect(await notesIn(fx.dir)).toHaveLength(3);
		const latest = (await new SessionManager(fx.plugin.stagingStore, fx.plugin.clock).latest())!;
		const options = JSON.parse(
			await fx.plugin.stagingStore.read(`.staging/@session/${latest.session_id}/import/extract/input/options.json`),
		) as Record<string, unknown>;
		expect(options).not.toHaveProperty("select");
	});
});
