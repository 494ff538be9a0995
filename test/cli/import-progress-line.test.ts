import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/cli";
import { tempDir } from "../core/_support/temp-vault";
import { claudeConv, writeJson } from "./import-support";

describe("knowledge-etl import on a terminal", () => {
	it("keeps one live line with every stage's count, how much of the export is read, and the rate; cleared at the end", async () => {
		const dir = await tempDir("ketl-tty-");
		const input = await writeJson(
			join(dir, "conversations.json"),
			Array.from({ length: 1500 }, (_, i) => claudeConv({ id: `t${i}`, title: `Line ${i}` })),
		);
		const vault = await tempDir("ketl-tty-vault-");
		const err: string[] = [];
		const code = await main(["import", input, "--vault", vault], {
			stdout: () => undefined,
			stderr: (t) => err.push(t),
			cwd: dir,
			isTTY: true,
		});
		expect(code).toBe(0);
		const live = err.filter((t) => t.startsWith("\r\u001b[2K") && t.length > 5);
		expect(live.length).toBeGreaterThan(0);
		const full = live.find((t) => t.includes("load "));
		const clear = "\r\u001b[2K";
		expect(full?.startsWith(clear)).toBe(true);
		expect(full?.slice(clear.length)).toMatch(
			/^extract [\d,]+ \(\d+% read\) · transform [\d,]+ · load [\d,]+ \(\d+ ok, 0 skipped, 0 failed\) · \d+\/s$/,
		);
		// The live line is cleared before the summary.
		const cleared = err.indexOf("\r\u001b[2K");
		expect(cleared).toBeGreaterThan(err.indexOf(live.at(-1)!));
		expect(err.slice(cleared).join("")).toMatch(/Session \d{8}_\d{6}: completed/);
	}, 60_000);
});
