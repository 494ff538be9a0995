// @vitest-environment happy-dom
import * as nodeFs from "node:fs";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadPanelModel } from "../../src/core/status/panel-state";
import { SessionManager } from "../../src/core/session/session-manager";
import { continueSession, startImport } from "../../src/plugin/session-actions";
import { BlobByteSource } from "../../src/plugin/blob-byte-source";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { claudeConv, withoutSession, writeJson } from "../cli/import-support";
import { loadPlugin, until, type PluginFixture } from "./helpers";

const COUNT = 40;
const fixtures: PluginFixture[] = [];
const dirs: string[] = [];
type Win = { require?: (id: string) => unknown };

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	for (const f of fixtures.splice(0)) {
		await f.plugin.runs.whenIdle();
		f.stub.unload();
	}
	for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
	delete (window as unknown as Win).require;
	document.body.replaceChildren();
	noticeLog.length = 0;
});

async function tmp(prefix: string): Promise<string> {
	const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
	dirs.push(d);
	return d;
}

async function load(dir?: string): Promise<PluginFixture> {
	const f = await loadPlugin(dir);
	fixtures.push(f);
	return f;
}

/** An export on disk, and a File of it (the picked file). */
async function exportOnDisk(): Promise<{ file: string; picked: () => Promise<File> }> {
	const dir = await tmp("ketl-export-");
	const file = await writeJson(
		path.join(dir, "conversations.json"),
		Array.from({ length: COUNT }, (_, i) => claudeConv({ id: `r${i}`, title: `Restart note ${i}` })),
	);
	return { file, picked: async () => new File([await fs.readFile(file)], "conversations.json") };
}

/** Obsidian desktop, as far as the plugin looks: Electron's webUtils tells a picked File's path, Node's fs opens it. */
function actAsDesktop(paths: Map<File, string>): void {
	(window as unknown as Win).require = (id: string) => {
		if (id === "electron") return { webUtils: { getPathForFile: (f: File) => paths.get(f) ?? "" } };
		if (id === "fs") return nodeFs;
		throw new Error(`no module ${id}`);
	};
}

async function notes(dir: string): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	async function walk(d: string): Promise<void> {
		for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
			if (e.name.startsWith(".")) continue;
			const p = path.join(d, e.name);
			if (e.isDirectory()) await walk(p);
			else if (e.name.endsWith(".md")) out.set(path.relative(dir, p), withoutSession(await fs.readFile(p, "utf8")));
		}
	}
	await walk(dir);
	return out;
}

/** The notes of an uninterrupted plugin import of the same export. */
async function reference(picked: File): Promise<Map<string, string>> {
	const f = await load(await tmp("ketl-ref-"));
	await startImport(f.plugin, { sources: [new BlobByteSource(picked)], options: {}, useLlm: false });
	return notes(f.dir);
}

/** Starts an import and unloads the plugin (Obsidian quitting) once `when` holds for a status text. */
async function importThenQuit(f: PluginFixture, picked: File, when: RegExp): Promise<string> {
	const setStatus = f.plugin.setStatusText.bind(f.plugin);
	let quit = false;
	f.plugin.setStatusText = (t: string) => {
		setStatus(t);
		if (!quit && when.test(t)) {
			quit = true;
			f.stub.unload();
		}
	};
	await startImport(f.plugin, { sources: [new BlobByteSource(picked)], options: {}, useLlm: false });
	await f.plugin.runs.whenIdle();
	expect(quit).toBe(true);
	const s = (await new SessionManager(f.plugin.stagingStore, f.plugin.clock).latest())!;
	return s.session_id;
}

describe("resume after an Obsidian restart", () => {
	it("desktop: the export is reopened by its recorded path; the session showed Stopped with counts that add up, and ends as an uninterrupted run", async () => {
		const { file, picked } = await exportOnDisk();
		const expected = await reference(await picked());
		const paths = new Map<File, string>();
		actAsDesktop(paths);
		const first = await load(await tmp("ketl-restart-"));
		const input = await picked();
		paths.set(input, file);
		const id = await importThenQuit(first, input, /^Import: [1-9]/);
		const manifest = JSON.parse(
			await fs.readFile(path.join(first.dir, ".staging/@session", id, "import/extract/input/manifest.json"), "utf8"),
		) as { fingerprints: { path?: string; name: string }[] };
		expect(manifest.fingerprints.map((p) => [p.name, p.path])).toEqual([["conversations.json", file]]);

		// Restart: a new plugin over the same vault; nothing of the old window is left.
		const second = await load(first.dir);
		const model = await loadPanelModel(second.plugin.stagingStore, second.plugin.clock, id);
		expect(model.selected?.status).toBe("stopped");
		expect(model.selected?.canResume).toBe(true);
		const phase = model.selected!.phases.find((p) => p.type === "import")!;
		expect(phase.status).toBe("stopped");
		const c = phase.counts;
		expect(c.failed).toBe(0);
		expect(c.success + c.failed + c.skipped + (c.review ?? 0) + (c.pending ?? 0)).toBe(c.total);
		for (const stage of phase.stages) expect(stage.status).not.toBe("failed");

		await continueSession(second.plugin, "resume", id);
		expect(noticeLog.at(-1)).toMatch(/^Import (completed|done): 40 notes/);
		expect((await new SessionManager(second.plugin.stagingStore, second.plugin.clock).load(id)).status).toBe("completed");
		expect(await notes(second.dir)).toEqual(expected);
	}, 60_000);

	it("desktop: an export changed since the session began is refused, and the session stays stopped", async () => {
		const { file, picked } = await exportOnDisk();
		const paths = new Map<File, string>();
		actAsDesktop(paths);
		const first = await load(await tmp("ketl-changed-"));
		const input = await picked();
		paths.set(input, file);
		// Stopped in extract's first items, so the session needs its export again.
		const id = await importThenQuit(first, input, /^Import: /);
		const text = await fs.readFile(file, "utf8");
		await fs.writeFile(file, text.replace("Restart note 1", "Restart note X"));

		const second = await load(first.dir);
		const before = (await new SessionManager(second.plugin.stagingStore, second.plugin.clock).load(id)).status;
		await continueSession(second.plugin, "resume", id);
		const status = (await new SessionManager(second.plugin.stagingStore, second.plugin.clock).load(id)).status;
		expect(before).toBe("stopped");
		expect(await phaseExtract(second, id)).toBe("stopped");
		expect(noticeLog.at(-1)).toMatch(/Cannot resume session .*"conversations\.json" changed \(same size, different content\)/);
		expect(status).toBe("stopped");
	}, 60_000);

	it("no path (mobile, a browser): Resume asks for the file by name, refuses another file, takes the same one", async () => {
		const { picked } = await exportOnDisk();
		const expected = await reference(await picked());
		const first = await load(await tmp("ketl-repick-"));
		const id = await importThenQuit(first, await picked(), /^Import: /);
		const second = await load(first.dir);
		const extract = await phaseExtract(second, id);
		expect(extract).toBe("stopped"); // quit as the run started: the session needs its export again
		const resumed = continueSession(second.plugin, "resume", id);
		{
			await until(() => document.querySelector(".knowledge-etl-repick") !== null, "the pick-again dialog");
			expect(document.querySelector(".knowledge-etl-repick-text")?.textContent).toMatch(
				/was reading "conversations\.json" \(\d+(\.\d)? KB\)/,
			);
			pickAgain(new File(["[]"], "conversations.json"));
			await until(
				() =>
					/not the file this session was reading/.test(
						document.querySelector(".knowledge-etl-repick .knowledge-etl-error-text")?.textContent ?? "",
					),
				"the refusal",
			);
			expect(document.querySelector(".knowledge-etl-repick")).not.toBeNull();
			pickAgain(await picked());
		}
		await resumed;
		expect(noticeLog.at(-1)).toMatch(/^Import (completed|done): 40 notes/);
		expect(await notes(second.dir)).toEqual(expected);
	}, 60_000);
});

/** The session's copies of the conversations (`extract/output/conversations-*.jsonl`), by name. */
async function conversationCopies(f: PluginFixture, id: string): Promise<string[]> {
	const dir = path.join(f.dir, ".staging/@session", id, "import/extract/output");
	return (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => /^conversations-\d+\.jsonl$/.test(n));
}

async function recordedOptions(f: PluginFixture, id: string): Promise<Record<string, unknown>> {
	return JSON.parse(await fs.readFile(path.join(f.dir, ".staging/@session", id, "import/extract/input/options.json"), "utf8")) as Record<
		string,
		unknown
	>;
}

describe("desktop with the export's path recorded: no copies of the conversations (as the CLI)", () => {
	it("the session keeps none and records so; without a path the copies stay (a session keeps its failed items' for a retry)", async () => {
		const { file, picked } = await exportOnDisk();
		// Load fails for every note (the provider's folder is a file): the session's compaction keeps the failed
		// items' copies for a retry, so what was written stays to be seen.
		const blocked = async (f: PluginFixture): Promise<void> => {
			await fs.mkdir(path.join(f.dir, "AI Conversations"), { recursive: true });
			await fs.writeFile(path.join(f.dir, "AI Conversations", "Claude"), "a file where a folder should be\n");
		};
		const plain = await load(await tmp("ketl-copies-"));
		await blocked(plain);
		await startImport(plain.plugin, { sources: [new BlobByteSource(await picked())], options: {}, useLlm: false });
		const plainId = (await new SessionManager(plain.plugin.stagingStore, plain.plugin.clock).latest())!.session_id;
		expect(await conversationCopies(plain, plainId)).not.toEqual([]);
		expect((await recordedOptions(plain, plainId)).keepConversations).toBeUndefined();

		const paths = new Map<File, string>();
		actAsDesktop(paths);
		const desktop = await load(await tmp("ketl-nocopies-"));
		await blocked(desktop);
		const input = await picked();
		paths.set(input, file);
		await startImport(desktop.plugin, { sources: [new BlobByteSource(input)], options: {}, useLlm: false });
		expect(noticeLog.at(-1)).toMatch(/40 failed/);
		const id = (await new SessionManager(desktop.plugin.stagingStore, desktop.plugin.clock).latest())!.session_id;
		expect(await conversationCopies(desktop, id)).toEqual([]);
		expect((await recordedOptions(desktop, id)).keepConversations).toBe(false);
	}, 60_000);

	it("after a restart a retry of failed items reads the export again: asked for again while its path is gone, then by path", async () => {
		const { file, picked } = await exportOnDisk();
		const expected = await reference(await picked());
		const paths = new Map<File, string>();
		actAsDesktop(paths);
		const first = await load(await tmp("ketl-retry-"));
		// Load fails for every note: the provider's folder is a file.
		await fs.mkdir(path.join(first.dir, "AI Conversations"), { recursive: true });
		await fs.writeFile(path.join(first.dir, "AI Conversations", "Claude"), "a file where a folder should be\n");
		const input = await picked();
		paths.set(input, file);
		await startImport(first.plugin, { sources: [new BlobByteSource(input)], options: {}, useLlm: false });
		const id = (await new SessionManager(first.plugin.stagingStore, first.plugin.clock).latest())!.session_id;
		expect(await phaseExtract(first, id)).toBe("completed");
		expect(await conversationCopies(first, id)).toEqual([]);
		await fs.rm(path.join(first.dir, "AI Conversations", "Claude"));

		// Restart, and the export moved away: extract finished, but with no copies the retry needs the export.
		const second = await load(first.dir);
		await fs.rename(file, `${file}.moved`);
		const asked = continueSession(second.plugin, "retry", id);
		await until(() => document.querySelector(".knowledge-etl-repick") !== null, "the pick-again dialog");
		expect(document.querySelector(".knowledge-etl-repick-text")?.textContent).toMatch(/"conversations\.json"/);
		const cancel = [...document.querySelectorAll<HTMLButtonElement>(".knowledge-etl-repick button")].find(
			(b) => b.textContent === "Cancel",
		);
		cancel!.click();
		expect(await asked).toBeNull();
		expect(noticeLog.at(-1)).toMatch(/cancelled: its export was not picked again/);
		expect(await notes(second.dir)).toEqual(new Map());

		// Put back: a retry in a new window reopens it by its path, asks nothing, and ends as an uninterrupted run.
		await fs.rename(`${file}.moved`, file);
		const third = await load(first.dir);
		document.body.replaceChildren();
		await continueSession(third.plugin, "retry", id);
		expect(document.querySelector(".knowledge-etl-repick")).toBeNull();
		expect(noticeLog.at(-1)).toMatch(/^Import (completed|done): 40 notes/);
		expect(await notes(third.dir)).toEqual(expected);
		expect(await conversationCopies(third, id)).toEqual([]);
	}, 60_000);
});

describe("a retry of items extract failed reads the export again", () => {
	it("without a path (copies kept), the retry after a restart asks for the export again, though extract completed", async () => {
		const dir = await tmp("ketl-extract-fail-");
		const conversations: Record<string, unknown>[] = Array.from({ length: 6 }, (_, i) =>
			claudeConv({ id: `x${i}`, title: `Extract note ${i}` }),
		);
		conversations[2] = { ...conversations[2], chat_messages: "not a list of messages" };
		const file = await writeJson(path.join(dir, "conversations.json"), conversations);
		const picked = async (): Promise<File> => new File([await fs.readFile(file)], "conversations.json");
		const first = await load(await tmp("ketl-xretry-"));
		await startImport(first.plugin, { sources: [new BlobByteSource(await picked())], options: {}, useLlm: false });
		const id = (await new SessionManager(first.plugin.stagingStore, first.plugin.clock).latest())!.session_id;
		expect(await phaseExtract(first, id)).toBe("completed");
		expect(noticeLog.at(-1)).toMatch(/1 failed/);

		// Restart: the picked File is gone with the window and there is no path: the retry asks for the export.
		const second = await load(first.dir);
		document.body.replaceChildren();
		const asked = continueSession(second.plugin, "retry", id);
		await until(() => document.querySelector(".knowledge-etl-repick") !== null, "the pick-again dialog");
		expect(document.querySelector(".knowledge-etl-repick-text")?.textContent).toMatch(/"conversations\.json"/);
		pickAgain(await picked());
		await asked;
		// The export was read again: the malformed conversation fails as it did, the others stay as written.
		expect(noticeLog.at(-1)).toMatch(/1 failed/);
		expect(noticeLog.join("\n")).not.toMatch(/not open any more/);
	}, 60_000);
});

/** Picks a file in the pick-again dialog's file input (happy-dom cannot set `files`, so it is defined). */
function pickAgain(file: File): void {
	const input = document.querySelector<HTMLInputElement>(".knowledge-etl-repick-input")!;
	Object.defineProperty(input, "files", { value: [file], configurable: true });
	input.dispatchEvent(new Event("change"));
}

async function phaseExtract(f: PluginFixture, id: string): Promise<string> {
	const text = await fs.readFile(path.join(f.dir, ".staging/@session", id, "import/phase.json"), "utf8");
	return (JSON.parse(text) as { stages: { extract: { status: string } } }).stages.extract.status;
}
