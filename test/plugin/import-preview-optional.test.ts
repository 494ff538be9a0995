// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PreviewProgress } from "../../src/core/import/pipeline/preview-import";
import { previewSources } from "../../src/core/import/pipeline/preview-import";
import { BlobByteSource } from "../../src/plugin/blob-byte-source";
import { ImportModal } from "../../src/plugin/modals/import-modal";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { cmd, loadPlugin, until, type PluginFixture, pickFiles, tearDownPlugins } from "./helpers";

const SAMPLE = path.resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");
let fx: PluginFixture | null = null;

/** A picked file that counts the ranges read from it (BlobByteSource reads by `slice`). */
class CountingFile extends File {
	reads = 0;
	override slice(start?: number, end?: number, contentType?: string): Blob {
		this.reads++;
		return super.slice(start, end, contentType);
	}
}

beforeAll(() => enableObsidianUi());

afterEach(tearDownPlugins);

describe("import dialog: preview is optional, cancellable, and stops with the dialog", () => {
	it("Start imports without a preview", async () => {
		fx = await loadPlugin();
		await fx.app.commands.execute(cmd("start-import-session"));
		pickFiles([new File([await fs.readFile(SAMPLE)], "conversations.json")]);
		const start = document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!;
		expect(start.disabled).toBe(false);
		start.click();
		await until(() => fx!.plugin.runs.isRunning || noticeLog.length > 0, "the run");
		await fx.plugin.runs.whenIdle();
		expect(noticeLog.at(-1)).toMatch(/^Import done: 3 notes \(3 created/);
	});

	it("a preview shows its progress, can be cancelled, and is stopped when the dialog closes", async () => {
		fx = await loadPlugin();
		const signals: AbortSignal[] = [];
		const modal = new ImportModal(fx.app as never, {
			defaultOutFolder: "AI Conversations",
			llmAvailable: false,
			llmLabel: "",
			// A preview that reports progress, then reads until it is stopped.
			preview: (_sources, _options, run) => {
				signals.push(run!.signal!);
				run!.onProgress!({ conversations: 1200, bytesRead: 25, bytesTotal: 100 });
				return new Promise((_resolve, reject) => run!.signal!.addEventListener("abort", () => reject(new Error("stopped"))));
			},
			start: () => null,
		});
		modal.open();
		modal.addFiles([new File(["[]"], "conversations.json")]);
		const button = document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!;
		button.click();
		await until(
			() => /1,200 conversations \(25%\)/.test(document.querySelector(".knowledge-etl-preview-progress")?.textContent ?? ""),
			"the progress",
		);
		expect(button.textContent).toBe("Cancel preview");
		button.click(); // cancel
		expect(signals[0]!.aborted).toBe(true);
		await until(() => button.textContent === "Preview", "the button back");
		button.click(); // again, then close the dialog
		expect(signals).toHaveLength(2);
		expect(signals[1]!.aborted).toBe(false);
		modal.close();
		expect(signals[1]!.aborted).toBe(true);
	});

	it("Start after a preview takes what the preview read: not one more read of the export", async () => {
		fx = await loadPlugin();
		await fx.app.commands.execute(cmd("start-import-session"));
		const file = new CountingFile([await fs.readFile(SAMPLE)], "conversations.json");
		pickFiles([file]);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.click();
		await until(() => document.querySelector(".knowledge-etl-preview-counts") !== null, "the preview");
		const byPreview = file.reads;
		expect(byPreview).toBeGreaterThan(0);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!.click();
		await until(() => fx!.plugin.runs.isRunning || noticeLog.length > 0, "the run");
		await fx.plugin.runs.whenIdle();
		expect(noticeLog.at(-1)).toMatch(/^Import done: 3 notes \(3 created/);
		expect(file.reads).toBe(byPreview);
		// The session is the same as a run that read the export: its manifest names the file and its fingerprint.
		const sessions = await fx.plugin.etl.sessions();
		const id = sessions.sessions[0]!.session_id;
		const manifest = JSON.parse(
			await fs.readFile(path.join(fx.dir, ".staging/@session", id, "import/extract/input/manifest.json"), "utf8"),
		) as {
			inputs: { name: string }[];
			fingerprints: { name: string; size: number; head_sha256: string }[];
		};
		expect(manifest.inputs.map((i) => i.name)).toEqual(["conversations.json"]);
		expect(manifest.fingerprints[0]).toMatchObject({ name: "conversations.json", size: file.size });
		expect(manifest.fingerprints[0]!.head_sha256).toMatch(/^[0-9a-f]{64}$/);
	});

	it("a file picked again after the preview is read by the import", async () => {
		fx = await loadPlugin();
		await fx.app.commands.execute(cmd("start-import-session"));
		const bytes = await fs.readFile(SAMPLE);
		const first = new CountingFile([bytes], "conversations.json");
		pickFiles([first]);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-preview-button")!.click();
		await until(() => document.querySelector(".knowledge-etl-preview-counts") !== null, "the preview");
		// Removed and picked again (another File, as after the user saved a new export under the same name).
		document.querySelector<HTMLElement>(".knowledge-etl-file-remove")!.click();
		const again = new CountingFile([bytes], "conversations.json");
		pickFiles([again]);
		document.querySelector<HTMLButtonElement>(".knowledge-etl-start-button")!.click();
		await until(() => fx!.plugin.runs.isRunning || noticeLog.length > 0, "the run");
		await fx.plugin.runs.whenIdle();
		expect(noticeLog.at(-1)).toMatch(/^Import done: 3 notes \(3 created/);
		expect(again.reads).toBeGreaterThan(0);
	});

	it("previewSources stops at its signal and reports progress", async () => {
		const bytes = await fs.readFile(SAMPLE);
		const seen: PreviewProgress[] = [];
		const done = await previewSources(
			{ store: (await loadPlugin().then((f) => (fx = f))).plugin.stagingStore },
			[new BlobByteSource(new File([bytes], "c.json"))],
			{},
			{ onProgress: (p) => seen.push(p) },
		);
		expect(done.conversations).toBe(3);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen[0]!.bytesTotal).toBe(bytes.length);
		const stop = new AbortController();
		stop.abort();
		await expect(
			previewSources({ store: fx!.plugin.stagingStore }, [new BlobByteSource(new File([bytes], "c.json"))], {}, { signal: stop.signal }),
		).rejects.toThrow(/Preview cancelled/);
	});
});
