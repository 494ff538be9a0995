import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

/**
 * Debian's Chromium, as the browser tests launch it (the panel screenshots, the plugin harness): headless, no
 * sandbox (CI runs as root), nothing that reaches the network by itself. Tests skip, saying why, where it is missing.
 */
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `${CHROMIUM} is not installed (apt-get install chromium)`;

export async function launchChromium(
	userDataDir: string,
	options: { viewport?: { width: number; height: number }; args?: string[] } = {},
): Promise<BrowserContext> {
	return chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
			...(options.args ?? []),
		],
		viewport: options.viewport ?? { width: 400, height: 900 },
		deviceScaleFactor: 1,
	});
}
