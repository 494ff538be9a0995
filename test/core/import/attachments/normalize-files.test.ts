import { describe, expect, it } from "vitest";
import { normalizeChatGpt } from "../../../../src/core/import/extract/normalize/chatgpt";
import { normalizeClaude } from "../../../../src/core/import/extract/normalize/claude";
import type { Conversation, Part } from "../../../../src/core/model/conversation";
import { chatgptAttachmentConversation, chatgptWith, claudeArtifactConversation } from "../../../support/attachment-exports";

function ok(r: ReturnType<typeof normalizeChatGpt>): Conversation {
	if (!r.ok) throw new Error(r.reason);
	return r.conversation;
}

const attachments = (c: Conversation): Part[] => c.messages.flatMap((m) => m.parts.filter((p) => p.kind === "attachment"));

describe("normalize: files a message refers to", () => {
	it("ChatGPT: image pointers and metadata attachments carry the export's file id; an upload shown as both is kept once, named", () => {
		const c = ok(normalizeChatGpt(chatgptAttachmentConversation()));
		expect(attachments(c)).toEqual([
			{ kind: "attachment", name: "whiteboard photo.png", mimeType: "image/png", size: 3000, missing: true, ref: "file-Up1oadAbC9" },
			{
				kind: "attachment",
				name: "Q1 report.pdf",
				mimeType: "application/pdf",
				size: 35,
				missing: true,
				ref: "file_00000000aa11bb22cc33dd44ee55ff66",
			},
			{
				kind: "attachment",
				name: "file_000000001234abcd5678ef901234abcd",
				size: 5000,
				missing: true,
				ref: "file_000000001234abcd5678ef901234abcd",
			},
			{
				kind: "attachment",
				name: "file_00000000ffff0000ffff0000ffff0000",
				size: 99,
				missing: true,
				ref: "file_00000000ffff0000ffff0000ffff0000",
			},
		]);
	});

	it("ChatGPT: voice and video pointers (nested in real-time parts) and code-interpreter images", () => {
		const c = ok(
			normalizeChatGpt(
				chatgptWith("conv-media", "Media", [
					{
						author: { role: "user" },
						content: {
							content_type: "multimodal_text",
							parts: [
								{ content_type: "audio_transcription", text: "hello there" },
								{
									content_type: "real_time_user_audio_video_asset_pointer",
									audio_asset_pointer: {
										content_type: "audio_asset_pointer",
										asset_pointer: "sediment://file_00000000aaaa",
										size_bytes: 10,
									},
									video_container_asset_pointer: {
										content_type: "video_container_asset_pointer",
										asset_pointer: "sediment://file_00000000bbbb",
									},
									frames_asset_pointers: [],
								},
							],
						},
					},
					{
						author: { role: "assistant" },
						content: { content_type: "code", language: "unknown", text: "plt.plot([1,2])" },
						recipient: "python",
					},
					{
						author: { role: "tool", name: "python" },
						content: { content_type: "execution_output", text: "<<ImageDisplayed>>" },
						metadata: {
							aggregate_result: { messages: [{ message_type: "image", image_url: "file-service://file-Plot1", width: 600, height: 400 }] },
						},
					},
				]),
			),
		);
		expect(attachments(c).map((p) => (p.kind === "attachment" ? (p.ref ?? p.pointer) : null))).toEqual([
			"file_00000000aaaa",
			"file_00000000bbbb",
			"file-service://file-Plot1",
		]);
	});

	it("Claude: every artifact version is rebuilt (update applies old_str → new_str); an update of an unknown artifact stays a tool call", () => {
		const raw = claudeArtifactConversation() as { chat_messages: { content: unknown[] }[] };
		raw.chat_messages[3]!.content.push({
			type: "tool_use",
			name: "artifacts",
			input: { command: "update", id: "never-made", old_str: "a", new_str: "b" },
		});
		const r = normalizeClaude(raw);
		if (!r.ok) throw new Error(r.reason);
		const versions = attachments(r.conversation).map((p) => (p.kind === "attachment" ? p.artifact : undefined));
		expect(versions.map((a) => [a?.id, a?.version, a?.content])).toEqual([
			["greet", 1, 'print("hello")\n'],
			["flow", 1, "graph TD\n  A --> B"],
			["greet", 2, 'print("goodbye")\n'],
		]);
		expect(versions[2]).toMatchObject({ title: "greet.py", language: "python", type: "application/vnd.ant.code" });
		const last = r.conversation.messages[3]!.parts;
		expect(last[last.length - 1]).toMatchObject({ kind: "tool_call", name: "artifacts" });
	});
});
