import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { splitFrontmatter } from "../../src/core/notes/frontmatter";
import { NodeByteSource } from "../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import { previewSources, type PreviewStatus } from "../../src/core/import/pipeline/preview-import";
import { tempDir } from "../core/_support/temp-vault";
import { chatgptWith, UPLOAD_BYTES, writeChatgptAttachmentZip } from "../support/attachment-exports";
import { claudeConv, importJson, newVault, runCli, writeJson, type ConvSpec, type MessageSpec } from "./import-support";

/**
 * New messages reach edited notes (issue 16.4): a note the user edited, whose conversation grew at the source, gets
 * the new turns below the user's text under a dated heading; the text above is byte-identical; a second re-import
 * adds nothing; a regenerated answer is not merged (preserved, reported); `--edited preserve` leaves it alone.
 */
const PATH = "AI Conversations/Claude/Beta.md";
const m = (role: MessageSpec["role"], text: string): MessageSpec => ({ role, text });
const v1: ConvSpec = {
	id: "b1",
	title: "Beta",
	updated: "2025-03-01T10:00:00Z",
	messages: [m("user", "Question one?"), m("assistant", "Answer one.")],
};
const grown: ConvSpec = {
	...v1,
	updated: "2025-04-01T10:00:00Z",
	messages: [...v1.messages!, m("user", "FOLLOW-UP question?"), m("assistant", "FOLLOW-UP answer.")],
};

async function setup(): Promise<{ dir: string; vault: string; edited: string }> {
	const dir = await tempDir("ketl-append-");
	const vault = await newVault();
	expect(
		(await importJson([await writeJson(join(dir, "v1.json"), [claudeConv(v1)])], vault, ["--provider", "claude"])).json.notes.created,
	).toBe(1);
	const edited =
		(await readFile(join(vault, PATH), "utf8")).replace("Answer one.", "Answer one, with MY CORRECTION.") + "\nMY OWN NOTES at the end.\n";
	await writeFile(join(vault, PATH), edited);
	return { dir, vault, edited };
}

/** What the import dialog's preview says the run will do with the one conversation of `file` (it looks at the vault). */
async function previewed(vault: string, file: string, editedNotes: "append" | "preserve" = "append"): Promise<PreviewStatus> {
	const source = await NodeByteSource.open(file);
	try {
		const p = await previewSources({ store: new NodeStagingStore(vault), vault: new NodeNoteVault(vault) }, [source], {
			provider: "claude",
			editedNotes,
		});
		expect(p.items).toHaveLength(1);
		return p.items[0]!.status;
	} finally {
		await source.close?.();
	}
}

describe("new messages reach a note the user edited", () => {
	it("are added below the user's text, once; the text above stays byte for byte", async () => {
		const { dir, vault, edited } = await setup();
		const second = await writeJson(join(dir, "v2.json"), [claudeConv(grown)]);
		expect(await previewed(vault, second)).toBe("appended");
		const r = await runCli(["import", second, "--vault", vault, "--provider", "claude", "--json"]);
		const json = JSON.parse(r.out) as { notes: Record<string, number> };
		expect(json.notes).toMatchObject({ created: 0, updated: 1, unchanged: 0, preserved: 0 });
		const text = await readFile(join(vault, PATH), "utf8");
		expect(text.startsWith(edited)).toBe(true);
		const added = text.slice(edited.length);
		expect(added).toMatch(/^\n## Added on \d{4}-\d{2}-\d{2} from claude\n\n## User/);
		expect(added).toContain("FOLLOW-UP question?");
		expect(added).toContain("FOLLOW-UP answer.");
		// Only the new turns: the old ones are not repeated.
		expect(added).not.toContain("Question one?");
		// Told in the text summary too.
		const human = await runCli(["import", second, "--vault", vault, "--provider", "claude"]);
		expect(human.err + human.out).toMatch(/0 updated/);
		// A second (and third) re-import adds nothing.
		expect(await readFile(join(vault, PATH), "utf8")).toBe(text);
		expect(await previewed(vault, second)).toBe("unchanged");
		const again = await importJson([second], vault, ["--provider", "claude"]);
		expect(again.json.notes).toMatchObject({ updated: 0, unchanged: 1 });
		expect(await readFile(join(vault, PATH), "utf8")).toBe(text);
		// It grows again: the newest turns only, below the first addition; the user's text still byte-identical.
		const third: ConvSpec = {
			...grown,
			updated: "2025-05-01T10:00:00Z",
			messages: [...grown.messages!, m("user", "THIRD question?"), m("assistant", "THIRD answer.")],
		};
		const r3 = await importJson([await writeJson(join(dir, "v3.json"), [claudeConv(third)])], vault, ["--provider", "claude"]);
		expect(r3.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const text3 = await readFile(join(vault, PATH), "utf8");
		expect(text3.startsWith(text)).toBe(true);
		expect(text3.slice(text.length)).toContain("THIRD answer.");
		expect(text3.slice(text.length)).not.toContain("FOLLOW-UP");
	});

	it("a regenerated answer is not merged: the note is preserved, and the run says why", async () => {
		const { dir, vault, edited } = await setup();
		// The assistant's first answer regenerated (a new message id), and a new turn after it.
		const regenerated = claudeConv(grown) as { chat_messages: { uuid: string; parent_message_uuid: string }[] };
		regenerated.chat_messages[1]!.uuid = "b1-regenerated";
		regenerated.chat_messages[2]!.parent_message_uuid = "b1-regenerated";
		const file = await writeJson(join(dir, "v2.json"), [regenerated]);
		// The preview agrees with the run (it said "updated" before: it did not look at the note).
		expect(await previewed(vault, file)).toBe("preserved");
		const r = await importJson([file], vault, ["--provider", "claude", "--debug"]);
		expect(r.json.notes).toMatchObject({ updated: 0, preserved: 1 });
		expect(await readFile(join(vault, PATH), "utf8")).toBe(edited);
		const log = await readFile(join(vault, ".staging/@session", r.json.session_id, "import/pipeline_stages.jsonl"), "utf8");
		expect(log).toMatch(/preserved: [^"]*rewritten or removed/);
	});

	it("--edited preserve leaves the note as it is", async () => {
		const { dir, vault, edited } = await setup();
		const file = await writeJson(join(dir, "v2.json"), [claudeConv(grown)]);
		expect(await previewed(vault, file, "preserve")).toBe("preserved");
		const r = await importJson([file], vault, ["--provider", "claude", "--edited", "preserve"]);
		expect(r.json.notes).toMatchObject({ updated: 0, preserved: 1 });
		expect(await readFile(join(vault, PATH), "utf8")).toBe(edited);
	});

	it("the new turns bring their files: an image uploaded after the note was edited is copied and embedded", async () => {
		const dir = await tempDir("ketl-append-files-");
		const vault = await newVault();
		const text = (role: string, words: string) => ({ author: { role }, content: { content_type: "text", parts: [words] } });
		const first = [text("user", "Plan the sprint?"), text("assistant", "Three tasks.")];
		const v1 = await writeChatgptAttachmentZip(join(dir, "v1.zip"), [chatgptWith("conv-grow", "Sprint", first)]);
		expect((await importJson([v1], vault)).json.notes.created).toBe(1);
		const path = join(vault, "AI Conversations/ChatGPT/Sprint.md");
		const edited = `${await readFile(path, "utf8")}\nMY OWN NOTES.\n`;
		await writeFile(path, edited);
		// The conversation grows with a photo of the whiteboard (an upload the zip holds).
		const photo = {
			author: { role: "user" },
			content: {
				content_type: "multimodal_text",
				parts: [
					{ content_type: "image_asset_pointer", asset_pointer: "file-service://file-Up1oadAbC9", size_bytes: UPLOAD_BYTES.length },
					"HERE is the board",
				],
			},
			metadata: { attachments: [{ id: "file-Up1oadAbC9", name: "whiteboard photo.png", mime_type: "image/png" }] },
		};
		const v2 = await writeChatgptAttachmentZip(join(dir, "v2.zip"), [
			chatgptWith("conv-grow", "Sprint", [...first, photo, text("assistant", "I see four tasks.")]),
		]);
		const r = await importJson([v2], vault);
		expect(r.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const now = await readFile(path, "utf8");
		expect(now.startsWith(edited)).toBe(true);
		const added = now.slice(edited.length);
		expect(added).toContain("HERE is the board");
		expect(added).toContain("![[AI Conversations/attachments/whiteboard photo.png]]");
		expect(added).not.toMatch(/not in the export|not imported|\uE000|\uE001/);
		expect(new Uint8Array(await readFile(join(vault, "AI Conversations/attachments/whiteboard photo.png")))).toEqual(UPLOAD_BYTES);
	});

	it("a property the user added is not an edit: the note is updated in place and keeps the property; with a body edit too, it is", async () => {
		const dir = await tempDir("ketl-user-keys-");
		const vault = await newVault();
		expect(
			(await importJson([await writeJson(join(dir, "v1.json"), [claudeConv(v1)])], vault, ["--provider", "claude"])).json.notes.created,
		).toBe(1);
		const written = await readFile(join(vault, PATH), "utf8");
		// A property added at the end of the frontmatter (as typed in source mode, or by a plugin).
		const withProperty = written.replace(/\n---\n/, "\nrating: 5\nstatus: reviewed\n---\n");
		expect(withProperty).not.toBe(written);
		await writeFile(join(vault, PATH), withProperty);
		// Nothing new at the source: left alone.
		const same = await importJson([await writeJson(join(dir, "v1b.json"), [claudeConv(v1)])], vault, ["--provider", "claude"]);
		expect(same.json.notes).toMatchObject({ updated: 0, unchanged: 1, preserved: 0 });
		expect(await readFile(join(vault, PATH), "utf8")).toBe(withProperty);
		// Grown at the source: the whole note is brought up to date (not an appendix below "the user's text").
		const second = await writeJson(join(dir, "v2.json"), [claudeConv(grown)]);
		expect(await previewed(vault, second)).toBe("updated");
		const r = await importJson([second], vault, ["--provider", "claude"]);
		expect(r.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const now = await readFile(join(vault, PATH), "utf8");
		expect(now).toContain("FOLLOW-UP answer.");
		expect(now).not.toContain("## Added on");
		expect(now).toMatch(/\nrating: 5\n/);
		expect(now).toMatch(/\nstatus: reviewed\n/);
		expect(now).toMatch(/\nmessage_count: 4\n/);

		// A property and a body edit: that is the user's note (new turns below their text, as before).
		const edited = now.replace("FOLLOW-UP answer.", "FOLLOW-UP answer, CORRECTED.").replace(/\nrating: 5\n/, "\nrating: 4\n");
		await writeFile(join(vault, PATH), edited);
		const third: ConvSpec = { ...grown, updated: "2025-05-01T10:00:00Z", messages: [...grown.messages!, m("user", "THIRD?")] };
		const r3 = await importJson([await writeJson(join(dir, "v3.json"), [claudeConv(third)])], vault, ["--provider", "claude"]);
		expect(r3.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const after = await readFile(join(vault, PATH), "utf8");
		expect(after.startsWith(edited)).toBe(true);
		expect(after.slice(edited.length)).toMatch(/^\n## Added on .*\n[\s\S]*THIRD\?/);
	});

	it("the same when an editor lays the whole frontmatter out again (as Obsidian's property editor does)", async () => {
		const dir = await tempDir("ketl-user-keys-layout-");
		const vault = await newVault();
		await importJson([await writeJson(join(dir, "v1.json"), [claudeConv(v1)])], vault, ["--provider", "claude"]);
		const written = await readFile(join(vault, PATH), "utf8");
		const { yaml, body } = splitFrontmatter(written);
		// Every value kept, laid out by another YAML writer (block lists, its own quoting), and a property added.
		const relaid = `---\n${stringify({ ...(parse(yaml!) as object), rating: 5 }, { defaultStringType: "QUOTE_DOUBLE", lineWidth: 0 })}---\n${body}`;
		expect(relaid.slice(0, 200)).not.toBe(written.slice(0, 200));
		await writeFile(join(vault, PATH), relaid);
		const r = await importJson([await writeJson(join(dir, "v2.json"), [claudeConv(grown)])], vault, ["--provider", "claude"]);
		expect(r.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const now = await readFile(join(vault, PATH), "utf8");
		expect(now).toContain("FOLLOW-UP answer.");
		expect(now).not.toContain("## Added on");
		expect(now).toMatch(/\nrating: 5\n/);
		// A changed value of the import's is an edit, whatever the layout: the note is the user's.
		const retitled = now.replace(/\ntitle: .*\n/, '\ntitle: "My own title"\n');
		await writeFile(join(vault, PATH), retitled);
		const third: ConvSpec = { ...grown, updated: "2025-05-01T10:00:00Z", messages: [...grown.messages!, m("user", "THIRD?")] };
		const r3 = await importJson([await writeJson(join(dir, "v3.json"), [claudeConv(third)])], vault, ["--provider", "claude"]);
		expect(r3.json.notes).toMatchObject({ updated: 1 });
		expect((await readFile(join(vault, PATH), "utf8")).startsWith(retitled)).toBe(true);
	});
});
