/**
 * ARCHITECTURE.md names files and folders in backticks: each must exist, so the page cannot rot as code moves.
 * A name inside a sentence about a folder named just before (`claude.ts` there) is looked up in that folder. The
 * README links the page.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** The repository paths the page names: backticked, starting with src/, test/, scripts/ or bench/. */
function pathsIn(text: string): string[] {
	return [...new Set([...text.matchAll(/`((?:src|test|scripts|bench)\/[^`\s]*)`/g)].map((m) => m[1]!))];
}

/** Bare file names (`transform-stage.ts`) and the folder of the path named just before them. */
function bareNames(text: string): { name: string; folder: string }[] {
	const out: { name: string; folder: string }[] = [];
	let folder = "";
	for (const m of text.matchAll(/`([^`\s]+)`/g)) {
		const name = m[1]!;
		if (/^(src|test)\//.test(name)) folder = name.endsWith("/") ? name : dirname(name);
		else if (/^[\w.-]+\.ts$/.test(name)) out.push({ name, folder });
	}
	return out;
}

describe("ARCHITECTURE.md", () => {
	it("every path it names exists", async () => {
		const text = await readFile(join(ROOT, "ARCHITECTURE.md"), "utf8");
		const paths = pathsIn(text);
		expect(paths.length).toBeGreaterThan(30);
		expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
	});

	it("every bare file name is in the folder named before it (or in src/core/app/)", async () => {
		const text = await readFile(join(ROOT, "ARCHITECTURE.md"), "utf8");
		const missing = bareNames(text).filter(
			({ name, folder }) => !existsSync(join(ROOT, folder, name)) && !existsSync(join(ROOT, "src/core/app", name)),
		);
		expect(missing).toEqual([]);
	});

	it("the check finds a path that does not exist", () => {
		expect(pathsIn("see `src/core/nowhere.ts` and `src/core/app/`").filter((p) => !existsSync(join(ROOT, p)))).toEqual([
			"src/core/nowhere.ts",
		]);
	});

	it("the README links it", async () => {
		expect(await readFile(join(ROOT, "README.md"), "utf8")).toContain("(ARCHITECTURE.md)");
	});
});
