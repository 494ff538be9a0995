import { promises as fs, createReadStream, existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { BrowserContext, Page } from "playwright-core";
import { pluginBuildOptions } from "../../../scripts/plugin-build.mjs";
import { launchChromium } from "../chromium";
import type { Harness } from "./page";

/**
 * The Node side of the browser harness: builds main.js as `npm run build` does (scripts/plugin-build.mjs, minified)
 * and the page script (the in-memory Obsidian stand-in and the driver, page.ts), opens Debian's Chromium on a page
 * served by a loopback server of its own (cross-origin isolated, so the page may measure its memory), and
 * serves generated exports from disk to it. Tests drive the page through `call`.
 */

/** This folder (from the sources; the benchmark's bundle of this file runs from the repository root). */
const HERE = existsSync(path.join(import.meta.dirname, "page.ts")) ? import.meta.dirname : path.resolve("test/browser/harness");
const ROOT = path.resolve(HERE, "../../..");

export interface BrowserHarness {
	page: Page;
	context: BrowserContext;
	mainJs: string;
	/** Where the page is served from (a loopback server of the test's own). */
	origin: string;
	/** Chromium's profile folder for this harness (its processes carry it: the benchmark reads their CPU time). */
	userDataDir: string;
	/** Serves `file` at `${origin}/exports/<name>` (the page fetches it into a File). */
	serve(name: string, file: string): void;
	/** Calls `harness.<method>(...args)` in the page. */
	call<K extends keyof Harness>(method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>>;
	close(): Promise<void>;
}

/**
 * main.js as `npm run build` makes it, into `dir`; its text. `minify: false` keeps the function names (a CPU profile
 * of the page then names the plugin's functions; otherwise the same build).
 */
export async function buildMainJs(dir: string, options: { minify?: boolean } = {}): Promise<string> {
	const outfile = path.join(dir, "main.js");
	await build({
		...pluginBuildOptions({ entry: path.join(ROOT, "src/plugin/main.ts"), outfile, logLevel: "silent" }),
		...(options.minify === false ? { minify: false } : {}),
	});
	return fs.readFile(outfile, "utf8");
}

async function buildPageScript(dir: string): Promise<string> {
	const outfile = path.join(dir, "harness.js");
	const shim = path.join(HERE, "node-shim.ts");
	await build({
		entryPoints: [path.join(HERE, "page.ts")],
		bundle: true,
		outfile,
		format: "iife",
		platform: "browser",
		target: "es2022",
		logLevel: "silent",
		alias: { "node:fs": shim, "node:http": shim, "node:https": shim, "node:os": shim, "node:path": shim },
		define: { "process.platform": '"linux"' },
	});
	return fs.readFile(outfile, "utf8");
}

export async function openHarness(options: { args?: string[]; minify?: boolean } = {}): Promise<BrowserHarness> {
	const work = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-harness-"));
	const [mainJs, script, css, theme] = await Promise.all([
		buildMainJs(work, { minify: options.minify ?? true }),
		buildPageScript(work),
		fs.readFile(path.join(ROOT, "styles.css"), "utf8"),
		fs.readFile(path.join(ROOT, "test/browser/obsidian-theme.css"), "utf8"),
	]);
	const userDataDir = path.join(work, "profile");
	const context = await launchChromium(userDataDir, {
		viewport: { width: 1200, height: 900 },
		args: ["--enable-precise-memory-info", "--enable-blink-features=ForceEagerMeasureMemory", ...(options.args ?? [])],
	});
	const served = new Map<string, string>();
	// Cross-origin isolation: performance.measureUserAgentSpecificMemory needs it.
	const isolated = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
	// A loopback server (127.0.0.1 is a secure context): exports stream from disk, however large.
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://127.0.0.1");
		const exportFile = url.pathname.startsWith("/exports/") ? served.get(url.pathname.slice("/exports/".length)) : undefined;
		if (url.pathname === "/") {
			const html = `<!doctype html><html><head><meta charset="utf-8"><style>${theme}\n${css}</style></head><body class="theme-light"></body><script src="/harness.js"></script></html>`;
			res.writeHead(200, { "content-type": "text/html", ...isolated }).end(html);
		} else if (url.pathname === "/harness.js") {
			res.writeHead(200, { "content-type": "text/javascript", ...isolated }).end(script);
		} else if (exportFile) {
			res.writeHead(200, { "content-type": "application/json", ...isolated });
			createReadStream(exportFile).pipe(res);
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const page = context.pages()[0] ?? (await context.newPage());
	const logs: string[] = [];
	page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
	page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
	await page.goto(`${origin}/`);
	const manifest = JSON.parse(await fs.readFile(path.join(ROOT, "manifest.json"), "utf8")) as Record<string, unknown>;
	await page.evaluate(([code, m]) => (globalThis as unknown as { harness: Harness }).harness.boot(code, m), [mainJs, manifest] as const);
	return {
		page,
		context,
		mainJs,
		origin,
		userDataDir,
		serve: (name, file) => served.set(name, file),
		call: (method, ...args) =>
			page.evaluate(([m, a]) => (globalThis as unknown as { harness: Record<string, (...x: unknown[]) => unknown> }).harness[m]!(...a), [
				method,
				args,
			] as const) as never,
		close: async () => {
			await context.close();
			await new Promise((resolve) => server.close(resolve));
			await fs.rm(work, { recursive: true, force: true });
		},
		get logs() {
			return logs;
		},
	} as BrowserHarness & { logs: string[] };
}
