import { promises as fs, createReadStream, existsSync } from "node:fs";
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
 * served from memory at http://localhost:7357/ (cross-origin isolated, so the page may measure its memory), and
 * serves generated exports from disk to it. Tests drive the page through `call`.
 */

/** This folder (from the sources; the benchmark's bundle of this file runs from the repository root). */
const HERE = existsSync(path.join(import.meta.dirname, "page.ts")) ? import.meta.dirname : path.resolve("test/browser/harness");
const ROOT = path.resolve(HERE, "../../..");
// localhost: a secure context (cross-origin isolation, and so measureUserAgentSpecificMemory, need one); the route
// answers every request, nothing listens there.
export const ORIGIN = "http://localhost:7357";

export interface BrowserHarness {
	page: Page;
	context: BrowserContext;
	mainJs: string;
	/** Serves `file` at `${ORIGIN}/exports/<name>` (the page fetches it into a File). */
	serve(name: string, file: string): void;
	/** Calls `harness.<method>(...args)` in the page. */
	call<K extends keyof Harness>(method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>>;
	close(): Promise<void>;
}

/** main.js as `npm run build` makes it, into `dir`; its text. */
export async function buildMainJs(dir: string): Promise<string> {
	const outfile = path.join(dir, "main.js");
	await build(pluginBuildOptions({ entry: path.join(ROOT, "src/plugin/main.ts"), outfile, logLevel: "silent" }));
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

export async function openHarness(options: { args?: string[] } = {}): Promise<BrowserHarness> {
	const work = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-harness-"));
	const [mainJs, script, css, theme] = await Promise.all([
		buildMainJs(work),
		buildPageScript(work),
		fs.readFile(path.join(ROOT, "styles.css"), "utf8"),
		fs.readFile(path.join(ROOT, "test/browser/obsidian-theme.css"), "utf8"),
	]);
	const context = await launchChromium(path.join(work, "profile"), {
		viewport: { width: 1200, height: 900 },
		args: ["--enable-precise-memory-info", "--enable-blink-features=ForceEagerMeasureMemory", ...(options.args ?? [])],
	});
	const served = new Map<string, string>();
	// Cross-origin isolation: performance.measureUserAgentSpecificMemory needs it.
	const isolated = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
	await context.route(`${ORIGIN}/**`, async (route) => {
		const url = new URL(route.request().url());
		if (url.pathname === "/") {
			const html = `<!doctype html><html><head><meta charset="utf-8"><style>${theme}\n${css}</style></head><body class="theme-light"></body><script src="/harness.js"></script></html>`;
			await route.fulfill({ status: 200, contentType: "text/html", headers: isolated, body: html });
		} else if (url.pathname === "/harness.js") {
			await route.fulfill({ status: 200, contentType: "text/javascript", headers: isolated, body: script });
		} else if (url.pathname.startsWith("/exports/") && served.has(url.pathname.slice("/exports/".length))) {
			const file = served.get(url.pathname.slice("/exports/".length))!;
			const chunks: Buffer[] = [];
			for await (const c of createReadStream(file)) chunks.push(c as Buffer);
			await route.fulfill({ status: 200, contentType: "application/json", headers: isolated, body: Buffer.concat(chunks) });
		} else {
			await route.fulfill({ status: 404, body: "" });
		}
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const logs: string[] = [];
	page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
	page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
	await page.goto(`${ORIGIN}/`);
	const manifest = JSON.parse(await fs.readFile(path.join(ROOT, "manifest.json"), "utf8")) as Record<string, unknown>;
	await page.evaluate(([code, m]) => (globalThis as unknown as { harness: Harness }).harness.boot(code, m), [mainJs, manifest] as const);
	return {
		page,
		context,
		mainJs,
		serve: (name, file) => served.set(name, file),
		call: (method, ...args) =>
			page.evaluate(([m, a]) => (globalThis as unknown as { harness: Record<string, (...x: unknown[]) => unknown> }).harness[m]!(...a), [
				method,
				args,
			] as const) as never,
		close: async () => {
			await context.close();
			await fs.rm(work, { recursive: true, force: true });
		},
		get logs() {
			return logs;
		},
	} as BrowserHarness & { logs: string[] };
}
