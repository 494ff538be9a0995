import { z } from "zod";
import type { Conversation, Message, Part } from "../../conversation";
import type { ProviderModule } from "./registry";
import { CONVERSATION_FILES } from "./files";
import { describeRaw, type NormalizeResult } from "./result";
import { bump, countUnknownKeys, isoTime, isRecord, issuesReason, str, summariseValue, titleFromText, truncate } from "./text-utils";

/** ChatGPT export (`conversations.json` / `conversations-NNN.json`) → canonical Conversation. */

const ChatGptMessageSchema = z.looseObject({
	id: z.string().nullish(),
	author: z.looseObject({ role: z.string(), name: z.string().nullish() }),
	create_time: z.number().nullish(),
	content: z.looseObject({ content_type: z.string() }).nullish(),
	metadata: z.looseObject({}).nullish(),
	recipient: z.string().nullish(),
});
type ChatGptMessage = z.infer<typeof ChatGptMessageSchema>;

const ChatGptNodeSchema = z.looseObject({
	id: z.string().nullish(),
	parent: z.string().nullish(),
	children: z.array(z.string()).nullish(),
	message: ChatGptMessageSchema.nullish(),
});
type ChatGptNode = z.infer<typeof ChatGptNodeSchema>;

export const ChatGptConversationSchema = z.looseObject({
	title: z.string().nullish(),
	create_time: z.number().nullish(),
	update_time: z.number().nullish(),
	conversation_id: z.string().nullish(),
	id: z.string().nullish(),
	current_node: z.string().nullish(),
	mapping: z.record(z.string(), ChatGptNodeSchema),
	default_model_slug: z.string().nullish(),
	conversation_template_id: z.string().nullish(),
	gizmo_id: z.string().nullish(),
});

const KNOWN_CONVERSATION_KEYS = new Set([
	"title",
	"create_time",
	"update_time",
	"conversation_id",
	"id",
	"current_node",
	"mapping",
	"default_model_slug",
	"conversation_template_id",
	"gizmo_id",
	"gizmo_type",
	"is_archived",
	"is_starred",
	"moderation_results",
	"plugin_ids",
	"safe_urls",
	"blocked_urls",
	"disabled_tool_ids",
	"is_do_not_remember",
	"memory_scope",
	"sugar_item_id",
	"async_status",
	"conversation_origin",
	"voice",
	"owner",
]);

/** True when a raw value has the ChatGPT conversation shape (used for detection). */
export function looksLikeChatGpt(raw: unknown): boolean {
	return isRecord(raw) && ("mapping" in raw || "current_node" in raw);
}

const TOOL_RESULT_MAX = 500;

/** Content types that are context the UI never shows (custom instructions, memory). */
const HIDDEN_CONTENT_TYPES = new Set(["user_editable_context", "model_editable_context"]);

function pointerName(part: Record<string, unknown>): string {
	const pointer = str(part.asset_pointer) ?? "";
	const file = pointer.replace(/^[a-z-]+:\/\//, "");
	return file !== "" ? file : "image";
}

function multimodalParts(parts: readonly unknown[], unknown: Record<string, number>): Part[] {
	const out: Part[] = [];
	for (const p of parts) {
		if (typeof p === "string") {
			if (p.trim() !== "") out.push({ kind: "text", text: p });
			continue;
		}
		if (!isRecord(p)) continue;
		const type = str(p.content_type) ?? "unknown";
		if (type === "image_asset_pointer") {
			const part: Part = { kind: "attachment", name: pointerName(p), missing: true };
			if (typeof p.size_bytes === "number") part.size = p.size_bytes;
			out.push(part);
		} else if (type === "audio_transcription") {
			const text = str(p.text) ?? "";
			if (text.trim() !== "") out.push({ kind: "text", text });
		} else if (type.includes("audio") || type.includes("video")) {
			out.push({ kind: "attachment", name: pointerName(p), missing: true });
		} else {
			bump(unknown, `part:${type}`);
			out.push({ kind: "unknown", blockType: type });
		}
	}
	return out;
}

function textOf(content: Record<string, unknown>): string {
	const parts = content.parts;
	if (Array.isArray(parts)) return parts.filter((p): p is string => typeof p === "string").join("\n");
	return str(content.text) ?? str(content.result) ?? "";
}

/** The parts of one visible message, by content type. */
function contentParts(m: ChatGptMessage, unknown: Record<string, number>): Part[] {
	const content = (m.content ?? { content_type: "text" }) as Record<string, unknown> & { content_type: string };
	const role = m.author.role;
	const toolName = m.author.name ?? undefined;
	const recipient = m.recipient ?? "all";
	switch (content.content_type) {
		case "text": {
			const text = textOf(content);
			if (text.trim() === "") return [];
			if (role === "tool") return [toolResult(toolName, text, false)];
			if (role === "assistant" && recipient !== "all") return [{ kind: "tool_call", name: recipient, summary: summariseValue(text) }];
			return [{ kind: "text", text }];
		}
		case "multimodal_text": {
			const parts = Array.isArray(content.parts) ? multimodalParts(content.parts, unknown) : [];
			if (role === "tool") {
				const text = parts.flatMap((p) => (p.kind === "text" ? [p.text] : [])).join("\n");
				const rest = parts.filter((p) => p.kind !== "text");
				return text.trim() === "" ? rest : [toolResult(toolName, text, false), ...rest];
			}
			return parts;
		}
		case "code": {
			const code = str(content.text) ?? "";
			if (code.trim() === "") return [];
			const language = str(content.language) ?? "";
			return [{ kind: "code", language: language === "unknown" ? "" : language, code }];
		}
		case "execution_output":
			return [toolResult(toolName, textOf(content), false)];
		case "system_error":
			return [toolResult(toolName ?? str(content.name), str(content.text) ?? textOf(content), true)];
		case "thoughts": {
			const thoughts = Array.isArray(content.thoughts) ? content.thoughts : [];
			const text = thoughts
				.map((t) => (isRecord(t) ? [str(t.summary), str(t.content)].filter((s) => s && s.trim() !== "").join("\n\n") : ""))
				.filter((s) => s !== "")
				.join("\n\n");
			return text === "" ? [] : [{ kind: "thinking", text }];
		}
		case "reasoning_recap": {
			const text = str(content.content) ?? textOf(content);
			return text.trim() === "" ? [] : [{ kind: "thinking", text }];
		}
		case "tether_quote": {
			const title = str(content.title) ?? str(content.domain) ?? "";
			const url = str(content.url);
			const head = url ? `${title} (${url})` : title;
			return [toolResult(toolName ?? "browser", [head, str(content.text) ?? ""].filter((s) => s !== "").join("\n"), false)];
		}
		case "tether_browsing_display":
			return [toolResult(toolName ?? "browser", str(content.summary) ?? str(content.result) ?? "", false)];
		default: {
			bump(unknown, `content_type:${content.content_type}`);
			const text = textOf(content);
			const part: Part = { kind: "unknown", blockType: content.content_type };
			if (text.trim() !== "") part.summary = truncate(text.trim(), 200);
			return [part];
		}
	}
}

function toolResult(name: string | undefined, text: string, isError: boolean): Part {
	const part: Part = { kind: "tool_result", summary: truncate(text.trim(), TOOL_RESULT_MAX) };
	if (name) part.name = name;
	if (isError) part.isError = true;
	return part;
}

function attachmentParts(metadata: Record<string, unknown> | null | undefined): Part[] {
	const list = metadata?.attachments;
	if (!Array.isArray(list)) return [];
	const out: Part[] = [];
	for (const a of list) {
		if (!isRecord(a)) continue;
		const part: Part = { kind: "attachment", name: str(a.name) ?? str(a.id) ?? "attachment", missing: true };
		const mime = str(a.mime_type) ?? str(a.mimeType);
		if (mime) part.mimeType = mime;
		if (typeof a.size === "number") part.size = a.size;
		out.push(part);
	}
	return out;
}

/** Node ids from the root down to `leaf`, following `parent` links (cycle-safe). */
function activePath(mapping: Record<string, ChatGptNode>, leaf: string): ChatGptNode[] {
	const path: ChatGptNode[] = [];
	const seen = new Set<string>();
	for (let id: string | null | undefined = leaf; id && !seen.has(id); ) {
		seen.add(id);
		const node: ChatGptNode | undefined = mapping[id];
		if (!node) break;
		path.push(node);
		id = node.parent;
	}
	return path.reverse();
}

/** Without `current_node`: the leaf whose message is the latest. */
function latestLeaf(mapping: Record<string, ChatGptNode>): string | undefined {
	let best: string | undefined;
	let bestTime = Number.NEGATIVE_INFINITY;
	for (const [id, node] of Object.entries(mapping)) {
		if (node.children && node.children.length > 0) continue;
		const t = node.message?.create_time ?? Number.NEGATIVE_INFINITY;
		if (best === undefined || t >= bestTime) {
			best = id;
			bestTime = t;
		}
	}
	return best;
}

export function normalizeChatGpt(raw: unknown): NormalizeResult {
	const parsed = ChatGptConversationSchema.safeParse(raw);
	const described = describeRaw(raw, ["conversation_id", "id"], ["title"]);
	if (!parsed.success) {
		return { ok: false, ...described, reason: issuesReason("not a valid ChatGPT conversation", parsed.error.issues) };
	}
	const c = parsed.data;
	const id = c.conversation_id || c.id;
	if (!id) return { ok: false, ...described, reason: "not a valid ChatGPT conversation: it has neither conversation_id nor id" };

	const unknown: Record<string, number> = {};
	countUnknownKeys(c, KNOWN_CONVERSATION_KEYS, "conversation", unknown);

	const leaf = c.current_node && c.mapping[c.current_node] ? c.current_node : latestLeaf(c.mapping);
	const messages: Message[] = [];
	const models: string[] = [];
	for (const node of leaf ? activePath(c.mapping, leaf) : []) {
		const m = node.message;
		if (!m) continue;
		const role = m.author.role;
		if (role === "system") continue;
		if (m.metadata?.is_visually_hidden_from_conversation === true) continue;
		if (m.content && HIDDEN_CONTENT_TYPES.has(m.content.content_type)) continue;
		if (role !== "user" && role !== "assistant" && role !== "tool") {
			bump(unknown, `role:${role}`);
			continue;
		}
		const parts = [...contentParts(m, unknown), ...attachmentParts(m.metadata)];
		if (parts.length === 0) continue;
		const model = str(m.metadata?.model_slug);
		if (model && !models.includes(model)) models.push(model);
		messages.push({ id: m.id ?? node.id ?? `${id}#${messages.length}`, role: role === "user" ? "user" : "assistant", time: isoTime(m.create_time), parts });
	}
	if (models.length === 0 && c.default_model_slug) models.push(c.default_model_slug);

	const times = messages
		.map((m) => m.time)
		.filter((t): t is string => t !== null)
		.sort();
	const created = isoTime(c.create_time) ?? times[0] ?? null;
	const updated = isoTime(c.update_time) ?? times[times.length - 1] ?? created;
	let title = (c.title ?? "").trim();
	if (title === "") {
		const first = messages.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
		title = first && first.kind === "text" ? titleFromText(first.text) : "";
	}

	const conversation: Conversation = {
		id,
		provider: "chatgpt",
		title: title === "" ? "Untitled" : title,
		created,
		updated,
		models,
		messages,
	};
	const project = c.conversation_template_id ?? undefined;
	if (project && project.startsWith("g-p-")) conversation.project = project;
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	return { ok: true, conversation };
}

/** The ChatGPT source (see registry.ts). */
export const chatgptSource: ProviderModule & { readonly id: "chatgpt" } = {
	id: "chatgpt",
	label: "ChatGPT",
	shape: 'conversations with "mapping"/"current_node"',
	missingFile: "not imported",
	files: CONVERSATION_FILES,
	detect: looksLikeChatGpt,
	normalize: normalizeChatGpt,
};
