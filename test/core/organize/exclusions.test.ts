import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { excludedBy, vaultExclusions } from "../../../src/core/organize/exclusions";
import { readVaultLayout } from "../../../src/core/organize/vault-layout";
import { tempDir } from "../_support/temp-vault";
import { memoryLogger } from "../_support/memory-logger";

async function vaultWith(files: Record<string, string>): Promise<string> {
	const root = await tempDir("ketl-layout-");
	for (const [path, text] of Object.entries(files)) {
		await mkdir(dirname(join(root, path)), { recursive: true });
		await writeFile(join(root, path), text);
	}
	return root;
}

describe("the vault's own folders, from its settings", () => {
	it("reads templates, daily and periodic notes, and attachments; ignores what is absent, broken or meaningless", async () => {
		const root = await vaultWith({
			".obsidian/templates.json": JSON.stringify({ folder: "/Templates/" }),
			".obsidian/plugins/templater-obsidian/data.json": "{ not json",
			".obsidian/daily-notes.json": JSON.stringify({ folder: "" }),
			".obsidian/plugins/periodic-notes/data.json": JSON.stringify({
				daily: { enabled: true, folder: "Journal/Daily" },
				weekly: { enabled: false, folder: "Journal/Weekly" },
				monthly: { enabled: true, folder: "Journal/Monthly" },
			}),
			".obsidian/app.json": JSON.stringify({ attachmentFolderPath: "./assets" }),
		});
		const logger = memoryLogger();
		const layout = await readVaultLayout(new NodeStagingStore(root), ".obsidian", logger);
		expect(layout).toEqual({
			templates: ["Templates"],
			daily: ["Journal/Daily", "Journal/Monthly"],
			attachments: [],
			attachmentSubfolders: ["assets"],
		});
		expect(logger.lines.map((l) => l.message).join("\n")).toContain(".obsidian/plugins/templater-obsidian/data.json");
		expect(await readVaultLayout(new NodeStagingStore(await vaultWith({ "a.md": "x" })))).toEqual({
			templates: [],
			daily: [],
			attachments: [],
			attachmentSubfolders: [],
		});
	});

	it("matches folders, patterns and folder names at any depth, ignoring case", () => {
		const rules = vaultExclusions({ templates: ["Templates"], daily: [], attachments: ["Files"], attachmentSubfolders: ["assets"] }, [
			"Archive/2020",
			"**/_drafts/**",
			"*.excalidraw.md",
		]);
		const reason = (path: string): string | null => excludedBy(path, rules)?.reason ?? null;
		expect(reason("templates/Meeting.md")).toBe('templates folder "Templates"');
		expect(reason("TemplatesOld/Meeting.md")).toBeNull();
		expect(reason("Files/x.md")).toBe('attachments folder "Files"');
		expect(reason("Projects/assets/diagram.md")).toBe('attachments folder "assets" (beside each note)');
		expect(reason("assets/diagram.md")).toBe('attachments folder "assets" (beside each note)');
		expect(reason("Archive/2020/a.md")).toBe('excluded by "Archive/2020"');
		expect(reason("Archive/2021/a.md")).toBeNull();
		expect(reason("Blog/_drafts/post.md")).toBe('excluded by "**/_drafts/**"');
		expect(reason("Sketch.excalidraw.md")).toBe('excluded by "*.excalidraw.md"');
		expect(reason("Art/Sketch.excalidraw.md")).toBeNull(); // `*` stops at a folder
		expect(reason(".trash/old.md")).toBe("Obsidian's trash");
		expect(reason("Notes/Plain.md")).toBeNull();
	});
});
