// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PanelModel } from "../../src/core/status/panel-model";
import { loadPanelModel } from "../../src/core/status/panel-state";
import { AdapterStagingStore } from "../../src/plugin/adapter-staging-store";
import { noopPanelHandlers } from "../../src/plugin/view/panel-handlers";
import { renderSessionPanel } from "../../src/plugin/view/render-session-panel";
import { plainReason } from "../../src/plugin/view/plain-reason";
import { asObsidianApp, createTestApp, enableObsidianUi } from "../stubs/obsidian";
import { textContrastFailures } from "./page-contrast";
import { CHROMIUM, hasChromium, launchChromium } from "./chromium";
import { FAILURES, PANEL_NOW, writePanelSessions, type PanelSessions } from "./panel-sessions";

/**
 * The session panel as a user sees it: our own renderSessionPanel draws the model loaded from real session
 * files; the DOM goes into a page with styles.css and Obsidian-like theme variables (obsidian-theme.css),
 * opened in Debian's headless Chromium through playwright-core. Three states × light and dark, saved as
 * docs/screenshots/panel-<state>-<theme>.png. Skipped (with the reason in its name) without /usr/bin/chromium.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT_DIR = path.join(ROOT, "docs", "screenshots");
const THEMES = ["light", "dark"] as const;
type State = "running" | "partial" | "interrupted";
const STATES: readonly State[] = ["running", "partial", "interrupted"];

let vaultDir = "";
let userDataDir = "";
let ids: PanelSessions;
let context: BrowserContext | null = null;
let page: Page;
let css = "";

/** The panel's DOM for one selected session, as the plugin renders it. */
async function panelHtml(store: AdapterStagingStore, selected: string): Promise<{ html: string; model: PanelModel }> {
	const model = await loadPanelModel(store, { now: () => new Date(PANEL_NOW) }, selected, { liveIds: new Set([ids.running]) });
	const container = createDiv({ cls: ["view-content", "knowledge-etl-view"] });
	renderSessionPanel(container, model, noopPanelHandlers());
	return { html: container.outerHTML, model };
}

function pageHtml(theme: string, panel: string): string {
	return `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head>
<body class="theme-${theme}"><div class="workspace-leaf"><div class="view-header">Knowledge ETL sessions</div>${panel}</div></body></html>`;
}

describe.skipIf(!hasChromium)(
	hasChromium
		? "session panel in headless Chromium"
		: `session panel in headless Chromium: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium)`,
	() => {
		let store: AdapterStagingStore;

		beforeAll(async () => {
			enableObsidianUi();
			vaultDir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-shots-vault-"));
			userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-shots-chromium-"));
			store = new AdapterStagingStore(asObsidianApp(createTestApp(vaultDir)).vault.adapter);
			ids = await writePanelSessions(store, vaultDir);
			css = [
				await fs.readFile(path.join(ROOT, "test/browser/obsidian-theme.css"), "utf8"),
				await fs.readFile(path.join(ROOT, "styles.css"), "utf8"),
			].join("\n");
			await fs.mkdir(OUT_DIR, { recursive: true });
			context = await launchChromium(userDataDir, { viewport: { width: 400, height: 900 } });
			page = context.pages()[0] ?? (await context.newPage());
		}, 60_000);

		afterAll(async () => {
			await context?.close();
			await fs.rm(vaultDir, { recursive: true, force: true });
			await fs.rm(userDataDir, { recursive: true, force: true });
		});

		const expected: Record<
			State,
			{ badge: string; failures: readonly { title: string; error: string }[]; progress: Record<string, number> }
		> = {
			running: { badge: "Running", failures: FAILURES.running, progress: { extract: 100, transform: 60, load: 0 } },
			partial: { badge: "Done with failures", failures: FAILURES.partial, progress: { extract: 100, transform: 100, load: 100 } },
			interrupted: { badge: "Stopped", failures: FAILURES.interrupted, progress: { extract: 100, transform: 38, load: 0 } },
		};

		for (const state of STATES) {
			for (const theme of THEMES) {
				it(`${state}, ${theme} theme: saved as docs/screenshots/panel-${state}-${theme}.png and readable`, async () => {
					const { html, model } = await panelHtml(store, ids[state]);
					expect(model.selected?.id).toBe(ids[state]);
					await page.setContent(pageHtml(theme, html));
					const detail = page.locator(".knowledge-etl-detail");

					// What the badge says, in the detail header and in the session list.
					await expect
						.poll(() => detail.locator(".knowledge-etl-detail-header .knowledge-etl-badge").innerText())
						.toBe(expected[state].badge);
					expect(
						await page.locator(`.knowledge-etl-session-row[data-session-id="${ids.interrupted}"] .knowledge-etl-badge`).innerText(),
					).toBe("Stopped");
					expect(await page.locator(`.knowledge-etl-session-row[data-session-id="${ids.running}"] .knowledge-etl-badge`).innerText()).toBe(
						"Running",
					);

					// Every failure's title and reason is visible text, inside the panel (no horizontal overflow).
					for (const f of expected[state].failures) {
						const row = detail.locator(".knowledge-etl-failure", { hasText: f.title });
						expect(await row.locator(".knowledge-etl-failure-reason").isVisible()).toBe(true);
						expect(await row.locator(".knowledge-etl-failure-reason").innerText()).toBe(plainReason(f.error));
						expect(await row.locator(".knowledge-etl-failure-title").innerText()).toBe(f.title);
					}
					const overflow = await page.locator(".knowledge-etl-view").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
					expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
					const leafBox = (await page.locator(".workspace-leaf").boundingBox())!;
					for (const box of await detail
						.locator(".knowledge-etl-failure, .knowledge-etl-button")
						.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) {
						expect(box).toBeLessThanOrEqual(leafBox.x + leafBox.width);
					}

					// The bars are as long as the counts say.
					for (const [stage, percent] of Object.entries(expected[state].progress)) {
						const bar = detail.locator(`[data-stage="${stage}"] .knowledge-etl-progress`);
						const track = (await bar.boundingBox())!;
						const fill = (await bar.locator(".knowledge-etl-progress-fill").boundingBox())!;
						expect(track.width).toBeGreaterThan(200);
						expect(Math.abs(fill.width - (track.width * percent) / 100)).toBeLessThanOrEqual(1);
					}
					if (state === "running") {
						expect(await detail.locator('[data-stage="transform"] .knowledge-etl-stage-counts').innerText()).toBe(
							"1,200 of 2,000 conversations · 12 skipped · 1 failed",
						);
						expect(await detail.locator('[data-stage="transform"] .knowledge-etl-rate').innerText()).toMatch(/^About .* left$/);
						expect(await detail.locator(".knowledge-etl-action-cancel").isVisible()).toBe(true);
					} else {
						expect(await detail.locator(".knowledge-etl-action-cancel").count()).toBe(0);
						expect(await detail.locator(".knowledge-etl-rate").count()).toBe(0);
					}
					if (state === "interrupted") {
						expect(await detail.locator(".knowledge-etl-action-resume").isVisible()).toBe(true);
						expect(await detail.locator('[data-stage="transform"] .knowledge-etl-badge').innerText()).toBe("Stopped");
					}
					if (state === "partial") expect(await detail.locator(".knowledge-etl-action-retry").isVisible()).toBe(true);

					// Contrast: every visible text of ours reaches WCAG AA on Obsidian's real palette (the accent button is Obsidian's own).
					const { checked, failures } = await textContrastFailures(page, ".workspace-leaf", "button.mod-cta");
					expect(checked).toBeGreaterThan(20);
					expect(failures).toEqual([]);

					const file = path.join(OUT_DIR, `panel-${state}-${theme}.png`);
					await page.locator(".workspace-leaf").screenshot({ path: file });
					expect((await fs.stat(file)).size).toBeGreaterThan(5_000);
				}, 30_000);
			}
		}
	},
);
