// @vitest-environment happy-dom
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Clock } from "../../src/core/ports/clock";
import type { KnowledgeEtlSettingTab } from "../../src/plugin/settings-tab";
import type { RunProgress } from "../../src/plugin/run-controller";
import { chatgptConv, claudeConv, writeZip } from "../cli/import-support";
import { cmd, loadPlugin, panel, pickFiles, tearDownPlugins, until, type PluginFixture } from "../plugin/helpers";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { startFakeLlmServer } from "../support/fake-llm-server";
import { hasChromium, launchChromium, NO_CHROMIUM } from "./chromium";
import { textContrastFailures } from "./page-contrast";
import { THEMES, type Theme } from "./palette";

/**
 * The README's pictures, from real runs: the plugin (on the test stub, over a real temp vault) imports generated
 * exports through its own dialog, one with a broken conversation (a real failure), one stopped part way with the
 * cancel command and resumed from the panel. What the plugin drew (the panel, the dialog, the settings tab) goes
 * into headless Chromium with styles.css and Obsidian's real default palette (obsidian-theme.css), light and dark.
 *
 * Each picture is compared with the committed one in docs/screenshots within a tolerance (fonts and timings
 * move a few pixels). `UPDATE_SCREENSHOTS=1 npx vitest run test/browser/readme-screenshots.test.ts` writes them
 * instead. Every picture is also checked for text contrast (WCAG AA) and for overflow; the accent button and
 * links keep Obsidian's own colours (white on the light accent is 3.43:1, a light-theme link 4.27:1) and are
 * not ours to change, so they are left out of that check.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT_DIR = path.join(ROOT, "docs", "screenshots");
const UPDATE = process.env.UPDATE_SCREENSHOTS === "1";
/** Pixels whose channels differ by more than CHANNEL_DIFF count as changed; a picture may have this share changed. */
const CHANNEL_DIFF = 48;
const MAX_CHANGED = 0.02;
/**
 * What may differ between two real runs and is left out of the comparison (it is still in the picture): how long
 * each stage took, and the order of the notes list (the stages run at once, so notes are written in any order).
 */
const VARIES = ".knowledge-etl-duration, .knowledge-etl-rate, .knowledge-etl-note-list";

/** The pictures' "now": a clock that starts at a fixed local time and runs (sessions get distinct ids). */
const START = new Date(2025, 2, 14, 9, 30, 0).getTime();
const t0 = Date.now();
const clock: Clock = { now: () => new Date(START + (Date.now() - t0)) };

let context: BrowserContext | null = null;
let page: Page;
let css = "";
let fx: PluginFixture;
const dirs: string[] = [];
/** Frames kept for the import-flow picture at the top of the README. */
const flow: { welcome?: string; dialog?: string; done?: string } = {};

async function tmp(prefix: string): Promise<string> {
	const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
	dirs.push(d);
	return d;
}

const click = (selector: string) => document.querySelector<HTMLElement>(selector)!.click();
const text = (selector: string) => document.querySelector(selector)?.textContent ?? "";

/** What a user's export looks like, made here: ChatGPT with a conversation whose messages cannot be read. */
async function chatgptExport(dir: string): Promise<File> {
	const topics = [
		"Planning a week in Kyoto",
		"Sourdough starter troubleshooting",
		"Rust lifetimes explained",
		"Tax return questions",
		"Refactoring a React form",
		"Marathon training plan",
		"Notes on Stoic philosophy",
		"SQL window functions",
		"Choosing a mechanical keyboard",
		"Watercolour basics",
		"Kubernetes readiness probes",
		"Birthday party ideas",
	];
	const conversations: Record<string, unknown>[] = topics.map((title, i) =>
		chatgptConv({
			id: `gpt-${i}`,
			title,
			messages: [
				{ role: "user", text: `Help me with ${title.toLowerCase()}.` },
				{ role: "assistant", text: `Here is a short answer about ${title.toLowerCase()}, with the steps to take next.` },
			],
		}),
	);
	// A conversation whose message tree is not an object: the import reports it and goes on with the others.
	conversations.splice(5, 0, { ...chatgptConv({ id: "gpt-broken", title: "Half-downloaded chat" }), mapping: "truncated" });
	const zip = await writeZip(path.join(dir, "chatgpt-export.zip"), { "conversations.json": JSON.stringify(conversations) });
	return new File([await fs.readFile(zip)], "chatgpt-export.zip");
}

async function claudeExport(dir: string): Promise<File> {
	const conversations = Array.from({ length: 60 }, (_, i) =>
		claudeConv({
			id: `claude-${String(i).padStart(3, "0")}`,
			title: `Research notes ${i + 1}`,
			messages: [
				{ role: "user", text: `Question ${i + 1}: what should I read next?` },
				{ role: "assistant", text: `A few suggestions for topic ${i + 1}, with why each one helps.` },
			],
		}),
	);
	const zip = await writeZip(path.join(dir, "claude-export.zip"), { "conversations.json": JSON.stringify(conversations) });
	return new File([await fs.readFile(zip)], "claude-export.zip");
}

/** Opens the import dialog and picks `file`; the preview is run so the dialog shows what it will import. */
async function openDialogWith(file: File): Promise<void> {
	expect(await fx.app.commands.execute(cmd("start-import-session"))).toBe(true);
	pickFiles([file]);
	click(".knowledge-etl-preview-button");
	await until(() => text(".knowledge-etl-preview-counts") !== "", "the preview");
}

/** The panel as it stands now (refreshed from the session files). */
async function panelHtml(): Promise<string> {
	const view = panel(fx);
	await view.refresh();
	return `<div class="workspace-leaf"><div class="view-header">${escape(view.getDisplayText())}</div>${markup(view.contentEl)}</div>`;
}

/**
 * `el`'s markup with what its form controls hold now: a value, a tick or a choice set from code is a property,
 * not an attribute, and outerHTML alone would draw every field empty.
 */
function markup(el: Element): string {
	const copy = el.cloneNode(true) as Element;
	const live = [...el.querySelectorAll("input, select, textarea")];
	const cloned = [...copy.querySelectorAll("input, select, textarea")];
	live.forEach((control, i) => {
		const target = cloned[i]!;
		if (control.tagName === "INPUT") {
			const input = control as HTMLInputElement;
			if (input.type === "checkbox" || input.type === "radio") target.toggleAttribute("checked", input.checked);
			else target.setAttribute("value", input.value);
		} else if (control.tagName === "SELECT") {
			const select = control as HTMLSelectElement;
			[...target.querySelectorAll("option")].forEach((o, k) => o.toggleAttribute("selected", k === select.selectedIndex));
		} else {
			target.textContent = (control as HTMLTextAreaElement).value;
		}
	});
	return copy.outerHTML;
}

function escape(s: string): string {
	return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pageHtml(theme: Theme, body: string): string {
	return `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body class="theme-${theme}">${body}</body></html>`;
}

type Box = { x: number; y: number; w: number; h: number };

/** Share of pixels that differ (0..1) outside `skip`, decoded and compared in the browser; 1 when the sizes differ. */
async function changedShare(a: Buffer, b: Buffer, skip: Box[]): Promise<number> {
	return page.evaluate(
		async ([x, y, channel, boxes]) => {
			const load = async (b64: string) => {
				const img = new Image();
				img.src = `data:image/png;base64,${b64}`;
				await img.decode();
				// In the page (Chromium, not Obsidian): a canvas made by OffscreenCanvas, no DOM element needed.
				const c = new OffscreenCanvas(img.width, img.height);
				const g = c.getContext("2d")!;
				g.drawImage(img, 0, 0);
				return g.getImageData(0, 0, img.width, img.height);
			};
			const [p, q] = [await load(x), await load(y)];
			if (p.width !== q.width || p.height !== q.height) return 1;
			let changed = 0;
			const skipped = (i: number) => {
				const px = (i / 4) % p.width;
				const py = Math.floor(i / 4 / p.width);
				return boxes.some((r) => px >= r.x && px < r.x + r.w && py >= r.y && py < r.y + r.h);
			};
			for (let i = 0; i < p.data.length; i += 4) {
				if (skipped(i)) continue;
				for (let k = 0; k < 3; k++) {
					if (Math.abs(p.data[i + k]! - q.data[i + k]!) > channel) {
						changed++;
						break;
					}
				}
			}
			return changed / (p.width * p.height);
		},
		[a.toString("base64"), b.toString("base64"), CHANNEL_DIFF, skip] as const,
	);
}

/** Draws `body` in both themes, checks it, and compares (or, with UPDATE_SCREENSHOTS=1, saves) each picture. */
async function shoot(name: string, body: string, frame: string): Promise<void> {
	for (const theme of THEMES) {
		await page.setContent(pageHtml(theme, body));
		const { checked, failures } = await textContrastFailures(page, frame, "button.mod-cta, a");
		expect(checked, `${name}: texts checked`).toBeGreaterThan(5);
		expect(failures, `${name} ${theme}`).toEqual([]);
		const overflow = await page.locator(frame).evaluate((el) => el.scrollWidth - el.clientWidth);
		expect(overflow, `${name} ${theme}: nothing wider than its frame`).toBeLessThanOrEqual(0);
		const png = await page.locator(frame).screenshot();
		const file = path.join(OUT_DIR, `${name}-${theme}.png`);
		if (UPDATE || !existsSync(file)) {
			await fs.writeFile(file, png);
			if (!UPDATE) throw new Error(`${file} was missing: written now; look at it, then commit it`);
			continue;
		}
		const skip = await page.locator(frame).evaluate((el, selector) => {
			const origin = el.getBoundingClientRect();
			return [...el.querySelectorAll(selector)].map((e) => {
				const r = e.getBoundingClientRect();
				return {
					x: Math.floor(r.left - origin.left),
					y: Math.floor(r.top - origin.top),
					w: Math.ceil(r.width) + 1,
					h: Math.ceil(r.height) + 1,
				};
			});
		}, VARIES);
		const share = await changedShare(png, await fs.readFile(file), skip);
		if (share > MAX_CHANGED) {
			const actual = path.join(os.tmpdir(), `${name}-${theme}.actual.png`);
			await fs.writeFile(actual, png);
			expect.fail(
				`${name}-${theme}.png: ${(share * 100).toFixed(1)}% of pixels changed (at most ${MAX_CHANGED * 100}%); see ${actual}, re-record with UPDATE_SCREENSHOTS=1`,
			);
		}
	}
}

describe.skipIf(!hasChromium)(
	hasChromium ? "README screenshots from real runs, in headless Chromium" : `README screenshots: SKIPPED, ${NO_CHROMIUM}`,
	() => {
		let chatgpt: File;
		let claude: File;

		beforeAll(async () => {
			enableObsidianUi();
			const exports = await tmp("ketl-shots-exports-");
			chatgpt = await chatgptExport(exports);
			claude = await claudeExport(exports);
			css = [
				await fs.readFile(path.join(ROOT, "test/browser/obsidian-theme.css"), "utf8"),
				await fs.readFile(path.join(ROOT, "styles.css"), "utf8"),
			].join("\n");
			await fs.mkdir(OUT_DIR, { recursive: true });
			context = await launchChromium(await tmp("ketl-shots-chromium-"), { viewport: { width: 1200, height: 1000 } });
			page = context.pages()[0] ?? (await context.newPage());
			fx = await loadPlugin(await tmp("ketl-shots-vault-"), { clock });
		}, 60_000);

		afterAll(async () => {
			await context?.close();
			await tearDownPlugins();
			for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
		});

		it("1. first run: the welcome screen", async () => {
			await fx.plugin.activateSessionView();
			const html = await panelHtml();
			expect(html).toContain("knowledge-etl-welcome-art");
			flow.welcome = html;
			await shoot("welcome", html, ".workspace-leaf");
		}, 30_000);

		it("2. the import dialog with a chosen export, previewed", async () => {
			await openDialogWith(chatgpt);
			expect(text(".knowledge-etl-preview-provider")).toBe("Provider: ChatGPT");
			const modal = document.querySelector(".modal")!;
			flow.dialog = `<div class="modal-frame">${markup(modal)}</div>`;
			await shoot("import-dialog", flow.dialog, ".modal-frame");
		}, 30_000);

		it("3. a real import with a failure: done, the failure listed with its title and a plain reason", async () => {
			click(".knowledge-etl-start-button");
			await fx.plugin.runs.whenIdle();
			expect(noticeLog.join("\n")).toMatch(/Import done|failed/);
			const html = await panelHtml();
			expect(html).toContain("Done with failures");
			expect(html).toContain("Half-downloaded chat");
			expect(html).toContain("chatgpt-export.zip");
			await shoot("panel-failure", html, ".workspace-leaf");
		}, 60_000);

		it("4. a real stop (the cancel command, part way) and its resume from the panel", async () => {
			const plugin = fx.plugin;
			let cancelled = false;
			// Stopped once the furthest stage has done 20 items: watched on each progress report (the status bar's
			// text, which this test once read, is set at most every 100 ms, so where it showed 20 depended on timing).
			const controller = plugin.runs as unknown as { onProgress(run: unknown, p: RunProgress): void };
			const onProgress = controller.onProgress.bind(controller);
			const rank = { extract: 0, transform: 1, load: 2 };
			let furthest = 0;
			// Notes wait at the vault until the cancel is given, so that the stop lands with the load stage's items in
			// hand (its concurrency, 4) written and no more, however fast this machine renders: how far load got decided
			// whether the panel listed notes, and so the picture's height (a faster render made 4 where it had made none).
			let release = (): void => undefined;
			const gate = new Promise<void>((resolve) => (release = resolve));
			const vault = fx.app.vault;
			const create = vault.create.bind(vault);
			const held = vi.spyOn(vault, "create").mockImplementation(async (...args: Parameters<typeof create>) => {
				await gate;
				return create(...args);
			});
			const spy = vi.spyOn(controller, "onProgress").mockImplementation((run, p) => {
				onProgress(run, p);
				if (rank[p.stage] < furthest) return;
				furthest = rank[p.stage];
				if (!cancelled && p.done + p.resumed >= 20) {
					cancelled = true;
					void fx.app.commands.execute(cmd("cancel-running-session")).then(release);
				}
			});
			await openDialogWith(claude);
			click(".knowledge-etl-start-button");
			await plugin.runs.whenIdle();
			spy.mockRestore();
			held.mockRestore();
			expect(cancelled).toBe(true);
			expect(noticeLog.at(-1)).toMatch(/^Import stopped: Cancelled; resume the session to go on/);
			const id = (await fx.plugin.stagingStore.list(".staging/@session")).folders
				.map((f) => f.split("/").pop()!)
				.sort()
				.at(-1)!;
			// The newest session, the stopped one (the panel keeps what it showed selected until told).
			await panel(fx).select(id);
			const stopped = await panelHtml();
			expect(stopped).toContain("Stopped");
			expect(stopped).toContain("knowledge-etl-action-resume");
			await shoot("panel-stopped", stopped, ".workspace-leaf");

			await plugin.panelHandlers.onResume(id);
			await plugin.runs.whenIdle();
			const resumed = await panelHtml();
			expect(resumed).toContain("60 of 60 conversations");
			flow.done = resumed;
			await shoot("panel-resumed", resumed, ".workspace-leaf");
		}, 90_000);

		it("5. the import flow in three numbered frames (the README's first picture)", async () => {
			const frames = [
				["1", "Open the panel, click Import", flow.welcome],
				["2", "Choose your export", flow.dialog],
				["3", "Watch it run; stop and resume any time", flow.done],
			] as const;
			expect(frames.every(([, , html]) => html !== undefined)).toBe(true);
			const body = `<div class="flow">${frames
				.map(
					([n, caption, html]) =>
						`<div class="flow-step"><div class="flow-caption"><span class="flow-number">${n}</span>${caption}</div>${html}</div>`,
				)
				.join("")}</div>`;
			await shoot("import-flow", body, ".flow");
		}, 30_000);

		it("6. the settings tab", async () => {
			const tab = fx.stub.settingTabs[0] as unknown as KnowledgeEtlSettingTab;
			tab.display();
			await shoot("settings", `<div class="settings-frame">${markup(tab.containerEl)}</div>`, ".settings-frame");
		}, 30_000);

		it("7. the model settings after a connection test against a local server (the loopback stand-in)", async () => {
			const server = await startFakeLlmServer({ models: ["llama3.1:8b", "qwen2.5:7b", "gpt-oss:20b"] });
			try {
				const llm = await loadPlugin(await tmp("ketl-shots-llm-"), {
					clock,
					data: { llm: { provider: "ollama", url: server.url, model: "" } },
				});
				const tab = llm.stub.settingTabs[0] as unknown as KnowledgeEtlSettingTab;
				tab.display();
				const root = tab.containerEl;
				root.querySelector<HTMLButtonElement>(".knowledge-etl-test-connection")!.click();
				await until(() => /^Connected/.test(root.querySelector(".knowledge-etl-connection-result")?.textContent ?? ""), "the test");
				// The section from its heading to the next one.
				const items = [...root.querySelectorAll(".setting-item")];
				const start = items.findIndex((el) => el.textContent === "Knowledge notes (LLM)");
				const end = items.findIndex((el, i) => i > start && el.classList.contains("setting-item-heading"));
				expect(start).toBeGreaterThanOrEqual(0);
				const section = items.slice(start, end).map(markup).join("");
				expect(section).toContain("Connected: 3 models");
				await shoot("settings-llm", `<div class="settings-frame">${section}</div>`, ".settings-frame");
			} finally {
				await server.close();
			}
		}, 60_000);
	},
);
