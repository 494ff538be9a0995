import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger, type ConsoleSink } from "../../../src/core/logging/logger";
import { stageDir } from "../../../src/core/session/paths";
import { FakeClock } from "../_support/fake-clock";
import { tempVault } from "../_support/temp-vault";

function capture(): ConsoleSink & { out: string[] } {
	const out: string[] = [];
	return {
		out,
		debug: (l) => out.push(`D ${l}`),
		info: (l) => out.push(`I ${l}`),
		warn: (l) => out.push(`W ${l}`),
		error: (l) => out.push(`E ${l}`),
	};
}

const ID = "20260101_000000";

describe("logger", () => {
	it("in debug mode shows every line and writes <stage>/<name>.log", async () => {
		const { dir, store } = await tempVault();
		const sink = capture();
		const logger = createLogger({ debugMode: true, store, console: sink, clock: new FakeClock(Date.UTC(2026, 0, 1)) });
		const stage = logger.forStage(stageDir(ID, "import", "transform"), "transform");
		stage.debug("rendering", { item_id: "a" });
		stage.info("done");
		stage.warn("slow");
		stage.error("broken");
		await logger.flush();
		expect(sink.out).toEqual(['D rendering {"item_id":"a"}', "I done", "W Warning: slow", "E Error: broken"]);
		const text = await readFile(join(dir, ".staging/@session", ID, "import/transform/transform.log"), "utf8");
		expect(text).toBe(
			[
				'2026-01-01T00:00:00.000Z DEBUG rendering {"item_id":"a"}',
				"2026-01-01T00:00:00.000Z INFO done",
				"2026-01-01T00:00:00.000Z WARN slow",
				"2026-01-01T00:00:00.000Z ERROR broken",
				"",
			].join("\n"),
		);
	});

	it("outside debug mode shows only warnings and errors and writes no file", async () => {
		const { dir, store } = await tempVault();
		const sink = capture();
		const logger = createLogger({ debugMode: false, store, console: sink, logFile: "run.log" });
		const stage = logger.forStage(stageDir(ID, "import", "extract"), "extract");
		stage.debug("hidden");
		stage.info("hidden too");
		stage.warn("shown");
		logger.error("also shown");
		await logger.flush();
		expect(sink.out).toEqual(["W Warning: shown", "E Error: also shown"]);
		expect(await readdir(dir)).toEqual([]);
	});

	it("buffers file lines and writes them in order across automatic and explicit flushes", async () => {
		const { dir, store } = await tempVault();
		const logger = createLogger({ debugMode: true, store, console: capture(), logFile: "run.log", bufferLines: 3 });
		for (let i = 0; i < 10; i++) logger.debug(`line ${i}`);
		await logger.flush();
		const lines = (await readFile(join(dir, "run.log"), "utf8")).trim().split("\n");
		expect(lines.map((l) => l.split(" DEBUG ")[1])).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
	});

	it("a failing log write is reported once and never throws", async () => {
		const { store } = await tempVault();
		const sink = capture();
		const logger = createLogger({ debugMode: true, store, console: sink, logFile: "../outside.log" });
		logger.debug("a");
		await logger.flush();
		logger.debug("b");
		await logger.flush();
		expect(sink.out.filter((l) => l.startsWith("W Cannot write the log file"))).toHaveLength(1);
	});
});
