/** dist/cli.js's guess at the size of an import from its command line (real files and folders), and its plan. */
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THREAD_MIN_BYTES } from "../../src/cli/extract-thread/prestart";
import { importInputBytes } from "../../src/cli/import-size-guess";
import { launchPlan, UNCAPPED_MAX_BYTES, type LaunchPlan } from "../../src/cli/launch-plan";

let dir = "";

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "ketl-guess-"));
	await mkdir(join(dir, "export"));
	await writeFile(join(dir, "export", "conversations.json"), "x".repeat(3000));
	await writeFile(join(dir, "export", "conversations-001.json"), "x".repeat(1000));
	await writeFile(join(dir, "export", "users.json"), "x".repeat(9000));
	await mkdir(join(dir, "nested", "inner"), { recursive: true });
	await writeFile(join(dir, "nested", "inner", "conversations.json"), "x".repeat(500));
	await writeFile(join(dir, "data.zip"), "x".repeat(700));
	await mkdir(join(dir, "vault"));
});

afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

describe("importInputBytes", () => {
	it("adds up the files and the export files of the folders a new import names; null when it cannot tell", () => {
		const d = (p: string): string => join(dir, p);
		const cases: [string[], number | null][] = [
			[["import", d("data.zip")], 700 * 20], // a zip counts 20 times its size: the JSON it may hold
			[["import", d("export")], 4000], // conversations*.json, not users.json
			[["import", d("export"), d("data.zip"), "--vault", d("vault"), "--limit", "5", "--json"], 4000 + 700 * 20],
			[["import", d("data.zip"), "--out", d("export")], 700 * 20], // --out names the notes' folder, not an input
			[["import", "--vault=" + d("vault"), d("export")], 4000],
			[["import", d("missing.json")], 0], // the import will say it is missing
			[["import", "--help"], 0],
			[["import", d("nested")], null], // its export is one level down: the import finds it, this guess does not
			[["import", d("vault")], null],
			[["import", "--session", "20250101_000000"], null], // a resume
			[["resume", d("data.zip")], null],
			[["organize", d("export")], null],
			[[], null],
		];
		for (const [argv, expected] of cases) expect(importInputBytes(argv), argv.join(" ")).toBe(expected);
	});
});

describe("launchPlan", () => {
	it("runs an import of less than UNCAPPED_MAX_BYTES here, and starts the reader ahead from THREAD_MIN_BYTES", async () => {
		const big = join(dir, "big.json");
		const mid = join(dir, "mid.json");
		const zipped = join(dir, "zipped.zip");
		for (const [file, size] of [
			[big, UNCAPPED_MAX_BYTES],
			[mid, THREAD_MIN_BYTES],
			[zipped, Math.ceil(UNCAPPED_MAX_BYTES / 20)],
		] as const) {
			await writeFile(file, "");
			await truncate(file, size); // sparse: takes no room
		}
		const cases: [string[], number, LaunchPlan][] = [
			[["import", join(dir, "data.zip")], 192, { program: "here", startReader: false }],
			[["import", mid], 192, { program: "here", startReader: true }],
			[["import", big], 192, { program: "worker", startReader: true }],
			[["import", zipped], 192, { program: "worker", startReader: true }], // a twentieth of the limit, zipped: may hold as much JSON
			[["import", join(dir, "nested")], 192, { program: "worker", startReader: false }], // cannot tell: capped
			[["status", "--all"], 192, { program: "worker", startReader: false }],
			[["organize", "Inbox", "--vault", dir], 192, { program: "here", startReader: false }], // a preview: no cap needed
			[["organize", "Inbox", "--vault", dir, "--apply"], 192, { program: "worker", startReader: false }],
			[["organize", "--apply-plan=20260101_000000", "--vault", dir], 192, { program: "worker", startReader: false }],
			[["organize", "--undo", "20260101_000000", "--vault", dir], 192, { program: "worker", startReader: false }],
			[["import", big], 0, { program: "here", startReader: false }], // no cap asked for
		];
		for (const [argv, heapMb, plan] of cases) expect(launchPlan(argv, heapMb, {}), `${argv.join(" ")} (${heapMb} MB)`).toEqual(plan);
		expect(launchPlan(["import", mid], 192, { KNOWLEDGE_ETL_UNCAPPED_MAX_MB: "0" })).toEqual({ program: "worker", startReader: true });
	});
});
