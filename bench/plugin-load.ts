import Module, { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import vm from "node:vm";

/**
 * Plugin load, as Obsidian does it, in a fresh Node process: `node plugin-load.mjs <main.js>` compiles the bundle
 * (no code cache), runs its top-level code with `require("obsidian")` answered by a bare stand-in (below), then
 * constructs the default export and awaits `onload()`: that is the plugin load (`loadMs`). Then it runs the
 * layout-ready callbacks `onload` registered, as Obsidian does once the workspace is up (`layoutReadyMs`). Prints one
 * JSON line: the CPU (user + sys of this process, from process.cpuUsage) of each part, in milliseconds.
 *
 * The stand-in does nothing but record: its cost is not ours to measure. Any export the plugin asks for that is not
 * written out below is an empty class, so `class X extends Modal` works.
 */

type Callback = () => unknown;

class Events {
	on(): object {
		return {};
	}
	off(): void {}
	offref(): void {}
	trigger(): void {}
}

/** An element that takes every call Obsidian's DOM helpers allow and does nothing. */
function element(): unknown {
	const target = function () {};
	const proxy: unknown = new Proxy(target, {
		get: (_t, key) => (key === Symbol.toPrimitive ? () => "" : proxy),
		apply: () => proxy,
		construct: () => proxy as object,
		set: () => true,
	});
	return proxy;
}

const layoutReady: Callback[] = [];

// Obsidian's `window`: timers the plugin sets (registerInterval(window.setTimeout(...)), a later start-up chore) are
// recorded, never run: what they do is not plugin load.
(globalThis as { window?: unknown }).window ??= {
	setTimeout: () => 0,
	clearTimeout: () => undefined,
	setInterval: () => 0,
	clearInterval: () => undefined,
};

class Component {
	load(): void {}
	onload(): void {}
	unload(): void {}
	onunload(): void {}
	addChild<T>(c: T): T {
		return c;
	}
	register(): void {}
	registerEvent(): void {}
	registerDomEvent(): void {}
	registerInterval(id: number): number {
		return id;
	}
}

class Plugin extends Component {
	constructor(
		readonly app: unknown,
		readonly manifest: unknown,
	) {
		super();
	}
	loadData(): Promise<unknown> {
		return Promise.resolve(null);
	}
	saveData(): Promise<void> {
		return Promise.resolve();
	}
	addCommand<T>(c: T): T {
		return c;
	}
	removeCommand(): void {}
	registerView(): void {}
	registerExtensions(): void {}
	registerMarkdownPostProcessor(): void {}
	registerObsidianProtocolHandler(): void {}
	addSettingTab(): void {}
	addRibbonIcon(): unknown {
		return element();
	}
	addStatusBarItem(): unknown {
		return element();
	}
}

const adapter = {
	exists: () => Promise.resolve(false),
	list: () => Promise.resolve({ files: [], folders: [] }),
	read: () => Promise.reject(new Error("stand-in: no files")),
	stat: () => Promise.resolve(null),
	getBasePath: () => "/stand-in-vault",
};
const app = {
	vault: Object.assign(new Events(), {
		adapter,
		configDir: ".obsidian",
		getName: () => "vault",
		getFiles: () => [],
		getMarkdownFiles: () => [],
		getAllLoadedFiles: () => [],
		getAbstractFileByPath: () => null,
		getConfig: () => undefined,
	}),
	workspace: Object.assign(new Events(), { onLayoutReady: (cb: Callback) => void layoutReady.push(cb), getLeavesOfType: () => [] }),
	metadataCache: new Events(),
	fileManager: {},
};

class Empty {}
const known: Record<string, unknown> = {
	Plugin,
	Component,
	Events,
	Notice: class {
		setMessage(): this {
			return this;
		}
		hide(): void {}
	},
	normalizePath: (p: string) => p,
	Platform: { isDesktop: true, isDesktopApp: true, isMobile: false, isMobileApp: false },
	apiVersion: "1.7.2",
	setIcon: () => undefined,
	setTooltip: () => undefined,
	requestUrl: () => Promise.reject(new Error("stand-in: no network")),
};
const obsidian = new Proxy(known, { get: (t, key: string) => (key in t ? t[key] : key === "__esModule" ? false : Empty) });

const cpu = (): number => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
	const file = resolve(process.argv[2] ?? "main.js");
	const code = readFileSync(file, "utf8");
	const t0 = cpu();
	const script = new vm.Script(Module.wrap(code), { filename: file });
	const t1 = cpu();
	const fn = script.runInThisContext() as (e: object, r: (id: string) => unknown, m: { exports: unknown }, f: string, d: string) => void;
	const module: { exports: unknown } = { exports: {} };
	const req = createRequire(file);
	fn(module.exports as object, (id) => (id === "obsidian" ? obsidian : req(id)), module, file, dirname(file));
	const t2 = cpu();
	const exported = module.exports as { default?: new (a: unknown, m: unknown) => { onload(): unknown } };
	const PluginClass = exported.default ?? (module.exports as new (a: unknown, m: unknown) => { onload(): unknown });
	const plugin = new PluginClass(app, {
		id: "knowledge-etl",
		name: "Knowledge ETL",
		version: "0",
		minAppVersion: "0",
		author: "",
		description: "",
	});
	await plugin.onload();
	const t3 = cpu();
	// After load, Obsidian calls the layout-ready callbacks (here: the organize-target scan, which loads the engine).
	for (const cb of layoutReady.splice(0)) await cb();
	await new Promise((r) => setImmediate(r));
	const t4 = cpu();
	process.stdout.write(
		`${JSON.stringify({ compileMs: t1 - t0, topLevelMs: t2 - t1, onloadMs: t3 - t2, loadMs: t3 - t0, layoutReadyMs: t4 - t3, bytes: Buffer.byteLength(code) })}\n`,
	);
}

main().catch((e: unknown) => {
	console.error(e);
	process.exitCode = 1;
});
