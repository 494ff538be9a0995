/**
 * Exports with files, written for this project in the shapes real ones have: a ChatGPT zip whose conversations
 * point at uploads (`file-service://file-…` with `metadata.attachments`), a generated image (`sediment://file_…` in a
 * tool message, the file in a `user-…/` folder) and a file the zip does not hold; a Claude conversation whose artifact
 * has two versions (create, then update with old_str/new_str).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { TextReader, Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";

/** Deterministic bytes that look like nothing in particular (a PNG signature first, for the images). */
export function fakeBytes(seed: number, length: number, png = true): Uint8Array {
	const out = new Uint8Array(length);
	let x = seed * 2654435761;
	for (let i = 0; i < length; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	if (png) out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return out;
}

export const UPLOAD_BYTES = fakeBytes(1, 3000);
export const PDF_BYTES = new TextEncoder().encode("%PDF-1.4\n% a small test file\n%%EOF\n");
export const GENERATED_BYTES = fakeBytes(2, 5000);

const T0 = Date.parse("2025-04-02T09:00:00Z") / 1000;

function node(id: string, parent: string | null, child: string | null, message: Record<string, unknown> | null): Record<string, unknown> {
	return { id, parent, children: child ? [child] : [], message };
}

/** A ChatGPT conversation of `messages` (already in ChatGPT's message shape), chained root → last. */
export function chatgptWith(id: string, title: string, messages: Record<string, unknown>[]): Record<string, unknown> {
	const mapping: Record<string, unknown> = {};
	const ids = messages.map((_, i) => `${id}-m${i}`);
	mapping[`${id}-root`] = node(`${id}-root`, null, ids[0] ?? null, null);
	messages.forEach((m, i) => {
		mapping[ids[i]!] = node(ids[i]!, i === 0 ? `${id}-root` : ids[i - 1]!, ids[i + 1] ?? null, {
			id: ids[i],
			create_time: T0 + i * 60,
			recipient: "all",
			metadata: {},
			...m,
		});
	});
	return {
		title,
		create_time: T0,
		update_time: T0 + messages.length * 60,
		mapping,
		current_node: ids[ids.length - 1],
		conversation_id: id,
		id,
	};
}

/** The conversation with an upload, a PDF, a generated image and a missing image. */
export function chatgptAttachmentConversation(): Record<string, unknown> {
	return chatgptWith("conv-files-1", "Whiteboard and a picture", [
		{
			author: { role: "user" },
			content: {
				content_type: "multimodal_text",
				parts: [
					{
						content_type: "image_asset_pointer",
						asset_pointer: "file-service://file-Up1oadAbC9",
						size_bytes: UPLOAD_BYTES.length,
						width: 64,
						height: 48,
						fovea: null,
						metadata: null,
					},
					"What does this whiteboard say? The report is attached too.",
				],
			},
			metadata: {
				attachments: [
					{ id: "file-Up1oadAbC9", name: "whiteboard photo.png", mime_type: "image/png", size: UPLOAD_BYTES.length, width: 64, height: 48 },
					{ id: "file_00000000aa11bb22cc33dd44ee55ff66", name: "Q1 report.pdf", mime_type: "application/pdf", size: PDF_BYTES.length },
				],
			},
		},
		{
			author: { role: "assistant" },
			content: { content_type: "text", parts: ["It lists three tasks. I will draw them."] },
			metadata: { model_slug: "gpt-4o" },
		},
		{
			author: { role: "tool", name: "t2uay3k.sj1i4kz" },
			content: {
				content_type: "multimodal_text",
				parts: [
					{
						content_type: "image_asset_pointer",
						asset_pointer: "sediment://file_000000001234abcd5678ef901234abcd",
						size_bytes: GENERATED_BYTES.length,
						width: 1024,
						height: 1024,
						metadata: { dalle: { gen_id: "g-1", prompt: "", seed: null }, generation: { gen_id: "g-1" } },
					},
				],
			},
		},
		{
			author: { role: "user" },
			content: {
				content_type: "multimodal_text",
				parts: [
					{
						content_type: "image_asset_pointer",
						asset_pointer: "sediment://file_00000000ffff0000ffff0000ffff0000",
						size_bytes: 99,
						width: 10,
						height: 10,
					},
					"And this one?",
				],
			},
		},
		{ author: { role: "assistant" }, content: { content_type: "text", parts: ["I cannot see that one."] } },
	]);
}

/** A second conversation that shows the same upload again (the import must not copy it twice). */
export function chatgptSameUploadConversation(): Record<string, unknown> {
	return chatgptWith("conv-files-2", "The whiteboard again", [
		{
			author: { role: "user" },
			content: {
				content_type: "multimodal_text",
				parts: [
					{ content_type: "image_asset_pointer", asset_pointer: "file-service://file-Up1oadAbC9", size_bytes: UPLOAD_BYTES.length },
					"Once more",
				],
			},
			metadata: { attachments: [{ id: "file-Up1oadAbC9", name: "whiteboard photo.png", mime_type: "image/png" }] },
		},
		{ author: { role: "assistant" }, content: { content_type: "text", parts: ["Same picture."] } },
	]);
}

/** A ChatGPT export zip laid out as real ones are: uploads at the root, generated images in a `user-…/` folder. */
export async function writeChatgptAttachmentZip(
	path: string,
	conversations: unknown[] = [chatgptAttachmentConversation(), chatgptSameUploadConversation()],
): Promise<string> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	await writer.add("conversations.json", new TextReader(JSON.stringify(conversations)));
	await writer.add("user.json", new TextReader('{"id":"user-abc"}'));
	await writer.add("file-Up1oadAbC9-whiteboard photo.png", new Uint8ArrayReader(UPLOAD_BYTES));
	// Stored, not deflated: real exports have both.
	await writer.add("file_00000000aa11bb22cc33dd44ee55ff66-Q1 report.pdf", new Uint8ArrayReader(PDF_BYTES), { level: 0 });
	await writer.add(
		"user-Ab12Cd34/file_000000001234abcd5678ef901234abcd-4f1c2b7e-0d1e-4a39-9d3c-5a1b2c3d4e5f.png",
		new Uint8ArrayReader(GENERATED_BYTES),
	);
	await mkdir(dirname(path), { recursive: true });
	await writeFile(path, await writer.close());
	return path;
}

/** A Claude conversation whose artifact is created, then updated (two versions), plus a mermaid diagram. */
export function claudeArtifactConversation(): Record<string, unknown> {
	const msg = (uuid: string, parent: string, sender: string, time: string, content: unknown[]) => ({
		uuid,
		parent_message_uuid: parent,
		sender,
		text: "",
		content,
		created_at: time,
		updated_at: time,
		attachments: [],
		files: [],
	});
	return {
		uuid: "claude-art-1",
		name: "A small script",
		created_at: "2025-05-01T10:00:00Z",
		updated_at: "2025-05-01T10:05:00Z",
		chat_messages: [
			msg("u1", "00000000-0000-4000-8000-000000000000", "human", "2025-05-01T10:00:00Z", [
				{ type: "text", text: "Write a greeting script" },
			]),
			msg("a1", "u1", "assistant", "2025-05-01T10:01:00Z", [
				{ type: "text", text: "Here it is." },
				{
					type: "tool_use",
					name: "artifacts",
					input: {
						command: "create",
						id: "greet",
						type: "application/vnd.ant.code",
						language: "python",
						title: "greet.py",
						content: 'print("hello")\n',
					},
				},
				{
					type: "tool_use",
					name: "artifacts",
					input: { command: "create", id: "flow", type: "application/vnd.ant.mermaid", title: "Flow", content: "graph TD\n  A --> B" },
				},
			]),
			msg("u2", "a1", "human", "2025-05-01T10:02:00Z", [{ type: "text", text: "Make it say goodbye" }]),
			msg("a2", "u2", "assistant", "2025-05-01T10:03:00Z", [
				{ type: "tool_use", name: "artifacts", input: { command: "update", id: "greet", old_str: '"hello"', new_str: '"goodbye"' } },
				{ type: "text", text: "Updated." },
			]),
		],
	};
}
