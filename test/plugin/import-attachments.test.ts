// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BlobByteSource } from "../../src/plugin/blob-byte-source";
import { startImport } from "../../src/plugin/session-actions";
import { enableObsidianUi, noticeLog } from "../stubs/obsidian";
import { claudeArtifactConversation, UPLOAD_BYTES, writeChatgptAttachmentZip } from "../support/attachment-exports";
import { loadPlugin, type PluginFixture } from "./helpers";

let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	if (fx) {
		await fx.plugin.runs.whenIdle();
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	fx = null;
	document.body.replaceChildren();
	noticeLog.length = 0;
});

async function importFile(f: PluginFixture, name: string, bytes: Uint8Array): Promise<void> {
	const run = startImport(f.plugin, {
		sources: [new BlobByteSource(new File([bytes as Uint8Array<ArrayBuffer>], name))],
		options: {},
		useLlm: false,
	});
	expect(run).not.toBeNull();
	const summary = await run!;
	expect(summary?.counts.failed).toBe(0);
}

async function exportZip(): Promise<Uint8Array> {
	const dir = await fs.mkdtemp(path.join(fx!.dir, ".tmp-"));
	return new Uint8Array(await fs.readFile(await writeChatgptAttachmentZip(path.join(dir, "export.zip"))));
}

/** Every `![[…]]` / `[[…|…]]` target of a note. */
function linkTargets(text: string): string[] {
	return [...text.matchAll(/!?\[\[([^|\]]+)(?:\|[^\]]*)?\]\]/g)].map((m) => m[1]!);
}

describe("plugin import: attachments", () => {
	it("puts files where the vault's attachment setting says (a subfolder beside the note), and every embed resolves", async () => {
		fx = await loadPlugin();
		fx.app.vault.config.attachmentFolderPath = "./assets";
		await importFile(fx, "export.zip", await exportZip());

		const notePath = "AI Conversations/ChatGPT/Whiteboard and a picture.md";
		const text = await fs.readFile(path.join(fx.dir, notePath), "utf8");
		const upload = "AI Conversations/ChatGPT/assets/whiteboard photo.png";
		expect(text).toContain(`![[${upload}]]`);
		expect(new Uint8Array(await fs.readFile(path.join(fx.dir, upload)))).toEqual(UPLOAD_BYTES);
		const targets = linkTargets(text);
		expect(targets).toHaveLength(3);
		for (const target of targets) expect(fx.app.metadataCache.getFirstLinkpathDest(target, notePath)?.path, target).toBe(target);
		expect(targets.every((t) => t.startsWith("AI Conversations/ChatGPT/assets/"))).toBe(true);
	});

	it("a fixed attachment folder, numbered names when one is taken, and nothing copied twice on re-import", async () => {
		fx = await loadPlugin();
		fx.app.vault.config.attachmentFolderPath = "Files";
		await fs.mkdir(path.join(fx.dir, "Files"));
		await fs.writeFile(path.join(fx.dir, "Files/whiteboard photo.png"), "the user's own picture");
		const zip = await exportZip();
		await importFile(fx, "export.zip", zip);
		const notePath = "AI Conversations/ChatGPT/Whiteboard and a picture.md";
		const text = await fs.readFile(path.join(fx.dir, notePath), "utf8");
		expect(text).toContain("![[Files/whiteboard photo 1.png]]");
		expect(await fs.readFile(path.join(fx.dir, "Files/whiteboard photo.png"), "utf8")).toBe("the user's own picture");
		expect(fx.app.metadataCache.getFirstLinkpathDest("Files/whiteboard photo 1.png", notePath)?.path).toBe("Files/whiteboard photo 1.png");
		const before = (await fs.readdir(path.join(fx.dir, "Files"))).sort();
		expect(before).toHaveLength(4);

		await importFile(fx, "export.zip", zip);
		expect((await fs.readdir(path.join(fx.dir, "Files"))).sort()).toEqual(before);
		expect(await fs.readFile(path.join(fx.dir, notePath), "utf8")).toBe(text);
	});

	it("Claude artifacts go beside the note and their links resolve", async () => {
		fx = await loadPlugin();
		await importFile(fx, "conversations.json", new TextEncoder().encode(JSON.stringify([claudeArtifactConversation()])));
		const notePath = "AI Conversations/Claude/A small script.md";
		const text = await fs.readFile(path.join(fx.dir, notePath), "utf8");
		const targets = [...new Set(linkTargets(text))];
		expect(targets).toEqual([
			"AI Conversations/Claude/A small script artifacts/greet.py",
			"AI Conversations/Claude/A small script artifacts/Flow.md",
		]);
		for (const target of targets) expect(fx.app.metadataCache.getFirstLinkpathDest(target, notePath)?.path).toBe(target);
	});
});
