import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import manifestJson from "../../manifest.json";
import KnowledgeEtlPlugin from "../../src/plugin/main";
import { asObsidianApp, createTestApp, type App, type Plugin as StubPlugin } from "../stubs/obsidian";

export const manifest = { ...manifestJson };

export interface PluginFixture {
	dir: string;
	app: App;
	plugin: KnowledgeEtlPlugin;
	/** The same plugin seen through the stub's bookkeeping (commands, views, cleanups). */
	stub: StubPlugin;
}

/** A loaded plugin over a fresh temp vault (call enableObsidianUi() first). */
export async function loadPlugin(dir?: string): Promise<PluginFixture> {
	const vaultDir = dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "ketl-plugin-")));
	const app = createTestApp(vaultDir);
	const plugin = new KnowledgeEtlPlugin(asObsidianApp(app), manifest);
	const stub = plugin as unknown as StubPlugin;
	await stub.loadAndWait();
	return { dir: vaultDir, app, plugin, stub };
}
