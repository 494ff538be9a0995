import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import manifestJson from "../../manifest.json";
import type { Clock } from "../../src/core/ports/clock";
import KnowledgeEtlPlugin from "../../src/plugin/main";
import { SessionView } from "../../src/plugin/view/session-view";
import { VIEW_TYPE_SESSIONS } from "../../src/plugin/view/view-type";
import { asObsidianApp, createTestApp, noticeLog, type App, type Plugin as StubPlugin } from "../stubs/obsidian";

export const manifest = { ...manifestJson };

export interface PluginFixture {
	dir: string;
	app: App;
	plugin: KnowledgeEtlPlugin;
	/** The same plugin seen through the stub's bookkeeping (commands, views, cleanups). */
	stub: StubPlugin;
}

/** A loaded plugin, its engine loaded, over a fresh temp vault (call enableObsidianUi() first). */
export async function loadPlugin(dir?: string, options: { data?: unknown; clock?: Clock } = {}): Promise<PluginFixture> {
	const vaultDir = dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "ketl-plugin-")));
	const app = createTestApp(vaultDir);
	if (options.data !== undefined) {
		// The plugin's data.json as an earlier version (or the user) left it.
		const pluginDir = path.join(vaultDir, app.vault.configDir, "plugins", manifest.id);
		await fs.mkdir(pluginDir, { recursive: true });
		await fs.writeFile(path.join(pluginDir, "data.json"), JSON.stringify(options.data));
	}
	const plugin = new KnowledgeEtlPlugin(asObsidianApp(app), manifest);
	// A clock of the test's (e.g. pictures with the same dates every run), before anything is built on it.
	if (options.clock) plugin.clock = options.clock;
	const stub = plugin as unknown as StubPlugin;
	await stub.loadAndWait();
	// The engine loads at layout ready (the stub's is at once); tests use the plugin as a user would after start-up.
	await plugin.engine();
	const fixture = { dir: vaultDir, app, plugin, stub };
	live.push(fixture);
	return fixture;
}

/** The fixtures loadPlugin made that tearDownPlugins has not torn down yet. */
const live: PluginFixture[] = [];

/**
 * After each test of a plugin flow: waits for each loaded plugin's runs to end, unloads it (an unload the test did
 * itself is a no-op), removes its vault, and clears the page and the Notices.
 */
export async function tearDownPlugins(): Promise<void> {
	for (const fx of live.splice(0)) {
		await fx.plugin.runs.whenIdle();
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	if (typeof document !== "undefined") document.body.replaceChildren();
	noticeLog.length = 0;
}

/** Picks files in the open import dialog's file input, as a user would (happy-dom cannot set `files`, so it is defined). */
export function pickFiles(files: File[]): void {
	const input = document.querySelector<HTMLInputElement>(".modal-container .knowledge-etl-file-input")!;
	Object.defineProperty(input, "files", { value: files, configurable: true });
	input.dispatchEvent(new Event("change"));
}

/** A command's full id as Obsidian registers it. */
export const cmd = (id: string): string => `knowledge-etl:${id}`;

/** Polls `check` every 10 ms until it holds; fails naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

/** Writes files (vault-relative path → content), making folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
	for (const [rel, content] of Object.entries(files)) {
		await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
		await fs.writeFile(path.join(root, rel), content);
	}
}

/** Every file outside dot-folders with its SHA-256 (the vault as the user sees it). */
export async function hashes(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const e of await fs.readdir(path.join(root, dir), { withFileTypes: true })) {
		if (e.name.startsWith(".")) continue;
		const rel = dir === "" ? e.name : `${dir}/${e.name}`;
		if (e.isDirectory()) Object.assign(out, await hashes(root, rel));
		else
			out[rel] = createHash("sha256")
				.update(await fs.readFile(path.join(root, rel)))
				.digest("hex");
	}
	return out;
}

/** The open session panel. */
export function panel(f: PluginFixture): SessionView {
	const view = f.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]?.view;
	if (!(view instanceof SessionView)) throw new Error("no session panel");
	return view;
}
