import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The read-all floor of organize preview: every note of a folder read once as text (what a preview cannot do with
 * less). Run as its own process, measured like the CLI. Prints one JSON line: `{notes, chars}`.
 * Usage: node read-all.mjs <folder>
 */
function main(): number {
	const [root] = process.argv.slice(2);
	if (root === undefined) {
		process.stderr.write("usage: read-all <folder>\n");
		return 2;
	}
	let notes = 0;
	let chars = 0;
	const walk = (dir: string): void => {
		for (const e of readdirSync(dir, { withFileTypes: true })) {
			if (e.name.startsWith(".")) continue;
			const path = join(dir, e.name);
			if (e.isDirectory()) walk(path);
			else if (e.name.endsWith(".md")) {
				chars += readFileSync(path, "utf8").length;
				notes++;
			}
		}
	};
	walk(root);
	process.stdout.write(`${JSON.stringify({ notes, chars })}\n`);
	return 0;
}

process.exitCode = main();
