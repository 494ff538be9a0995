import * as z from "../../../model/zod";
import { parseShape } from "../../../model/shape-check";
import type { Conversation, Message, Part } from "../../../model/conversation";
import type { ProviderModule } from "./registry";
import { CONVERSATION_FILES } from "./files";
import { resolveCitations } from "./chatgpt-citations";
import { describeRaw, type NormalizeResult } from "./result";
import {
	bump,
	countUnknownKeys,
	isoTime,
	isRecord,
	knownTimes,
	issuesReason,
	str,
	summariseValue,
	titleFromText,
	toolResultPart,
	truncate,
} from "./text-utils";

/** ChatGPT export (`conversations.json` / `conversations-NNN.json`) → canonical Conversation. */

const ChatGptMessageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		id: z.nullish(z.string()),
		author: z.looseObject({ role: z.string(), name: z.nullish(z.string()) }),
		create_time: z.nullish(z.number()),
		content: z.nullish(z.looseObject({ content_type: z.string() })),
		metadata: z.nullish(z.looseObject({})),
		recipient: z.nullish(z.string()),
		weight: z.nullish(z.number()),
	}),
);
type ChatGptMessage = z.infer<ReturnType<typeof ChatGptMessageSchema>>;

const ChatGptNodeSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		id: z.nullish(z.string()),
		parent: z.nullish(z.string()),
		children: z.nullish(z.array(z.string())),
		message: z.nullish(ChatGptMessageSchema()),
	}),
);
type ChatGptNode = z.infer<ReturnType<typeof ChatGptNodeSchema>>;

export const ChatGptConversationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		title: z.nullish(z.string()),
		create_time: z.nullish(z.number()),
		update_time: z.nullish(z.number()),
		conversation_id: z.nullish(z.string()),
		id: z.nullish(z.string()),
		current_node: z.nullish(z.string()),
		mapping: z.record(z.string(), ChatGptNodeSchema()),
		default_model_slug: z.nullish(z.string()),
		conversation_template_id: z.nullish(z.string()),
		gizmo_id: z.nullish(z.string()),
	}),
);

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

/** Content types that are context the UI never shows (custom instructions, memory). */
const HIDDEN_CONTENT_TYPES = new Set(["user_editable_context", "model_editable_context"]);

function pointerName(part: Record<string, unknown>): string {
	const pointer = str(part.asset_pointer) ?? "";
	const file = pointer.replace(/^[a-z-]+:\/\//, "");
	return file !== "" ? file : "image";
}

/** The export's file id in a pointer: `file-service://file-AbC…` (older exports), `sediment://file_00…` (newer). */
export function pointerRef(pointer: string | undefined): string | undefined {
	if (!pointer) return undefined;
	return /^[a-z-]+:\/\/(file[-_][A-Za-z0-9]+)/.exec(pointer)?.[1];
}

/** An attachment part for an asset pointer: resolvable in the zip when the pointer names a file id. */
function pointerPart(p: Record<string, unknown>): Part {
	const part: Part = { kind: "attachment", name: pointerName(p), missing: true };
	const ref = pointerRef(str(p.asset_pointer));
	if (ref) part.ref = ref;
	if (typeof p.size_bytes === "number") part.size = p.size_bytes;
	return part;
}

/** Voice and video parts hold their pointers at the top or nested (`real_time_user_audio_video_asset_pointer`). */
function mediaPointers(p: Record<string, unknown>): Record<string, unknown>[] {
	if (str(p.asset_pointer)) return [p];
	return [p.audio_asset_pointer, p.video_container_asset_pointer].filter(
		(x): x is Record<string, unknown> => isRecord(x) && str(x.asset_pointer) !== undefined,
	);
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
			out.push(pointerPart(p));
		} else if (type === "audio_transcription") {
			const text = str(p.text) ?? "";
			if (text.trim() !== "") out.push({ kind: "text", text });
		} else if (type.includes("audio") || type.includes("video")) {
			const pointers = mediaPointers(p);
			if (pointers.length === 0) out.push({ kind: "attachment", name: pointerName(p), missing: true });
			for (const pointer of pointers) out.push(pointerPart(pointer));
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
			if (role === "assistant" && recipient !== "all") return [toolCall(recipient, text)];
			return [textPart(text, m.metadata)];
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
			const given = str(content.language) ?? "";
			// The code interpreter's code says `unknown`; what it runs is Python.
			const language = given !== "" && given !== "unknown" ? given : recipient === "python" ? "python" : "";
			if (role === "assistant" && recipient !== "all") return [codeCall(recipient, code, language)];
			return [{ kind: "code", language, code }];
		}
		case "execution_output":
			return executionOutput(toolName, textOf(content), m.metadata);
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
			return [toolResult(toolName ?? "browser", nonBlank(str(content.result)) ?? nonBlank(str(content.summary)) ?? "", false)];
		default: {
			bump(unknown, `content_type:${content.content_type}`);
			const text = textOf(content);
			const part: Part = { kind: "unknown", blockType: content.content_type };
			if (text.trim() !== "") part.summary = truncate(text.trim(), 200);
			return [part];
		}
	}
}

function nonBlank(text: string | undefined): string | undefined {
	return text !== undefined && text.trim() !== "" ? text : undefined;
}

/** Private-use citation markers inside a tool's output (a file search telling the model how to cite): removed. */
const OUTPUT_MARKER = /\uE200[^\uE200\uE201]*\uE201|[\uE200-\uE202]/g;

function toolResult(name: string | undefined, text: string, isError: boolean): Part {
	return toolResultPart(text.replace(OUTPUT_MARKER, ""), name, isError);
}

/** Answer text, with citation markers turned into citations (see chatgpt-citations). */
function textPart(text: string, metadata: Record<string, unknown> | null | undefined): Part {
	const resolved = resolveCitations(text, metadata);
	return resolved.citations.length > 0
		? { kind: "text", text: resolved.text, citations: resolved.citations }
		: { kind: "text", text: resolved.text };
}

/**
 * A message the assistant sends to a tool. Browsing commands read as they are (`search("…")`, `click(3)`); a JSON
 * command (`web.run`, `dalle.text2im`) is summarised by what it asks (`search("q1", "q2")`, the prompt).
 */
function toolCall(recipient: string, text: string): Part {
	const trimmed = text.trim();
	let summary = summariseValue(trimmed);
	if (trimmed.startsWith("{")) {
		try {
			const parsed: unknown = JSON.parse(trimmed);
			summary = summariseCommand(parsed) ?? summariseValue(parsed);
		} catch {
			// Not JSON after all: the text itself.
		}
	}
	const part: Part = { kind: "tool_call", name: recipient, summary };
	if (trimmed.length > 200 && trimmed.includes("\n")) part.input = trimmed;
	return part;
}

/** `{"search_query":[{"q":"a"}],"open":[{"ref_id":"turn0search1"}]}` → `search("a"); open(turn0search1)`. */
function summariseCommand(value: unknown): string | undefined {
	if (!isRecord(value)) return undefined;
	const pieces: string[] = [];
	for (const [key, list] of Object.entries(value)) {
		if (!Array.isArray(list) || list.length === 0) continue;
		const verb = key === "search_query" || key === "image_query" ? "search" : key;
		const args = list.map((item) => {
			if (!isRecord(item)) return JSON.stringify(item);
			const q = str(item.q) ?? str(item.query) ?? str(item.pattern);
			if (q !== undefined) return JSON.stringify(q);
			const ref = str(item.ref_id) ?? str(item.url) ?? str(item.location);
			return ref ?? JSON.stringify(item);
		});
		pieces.push(`${verb}(${args.join(", ")})`);
	}
	return pieces.length > 0 ? truncate(pieces.join("; "), 200) : undefined;
}

/** Code sent to a tool (the code interpreter): its first line as the summary, the whole of it as the input. */
function codeCall(recipient: string, code: string, language: string): Part {
	const first = code.split("\n").find((line) => line.trim() !== "") ?? "";
	const part: Part = { kind: "tool_call", name: recipient, summary: truncate(first.trim(), 120), input: code };
	if (language) part.language = language;
	return part;
}

/**
 * The code interpreter's output, whole, and the images it showed: each becomes an image attachment (with its
 * `file-service://` pointer when the export has one) instead of a bare `<<ImageDisplayed>>`.
 */
function executionOutput(name: string | undefined, text: string, metadata: Record<string, unknown> | null | undefined): Part[] {
	const images: Part[] = [];
	const aggregate = isRecord(metadata?.aggregate_result) ? metadata.aggregate_result : undefined;
	const outputs = Array.isArray(aggregate?.messages) ? aggregate.messages : [];
	for (const out of outputs) {
		if (!isRecord(out) || (str(out.message_type) !== "image" && out.image_url === undefined)) continue;
		const pointer = str(out.image_url);
		const image: Extract<Part, { kind: "attachment" }> = {
			kind: "attachment",
			name: pointer ? pointerName({ asset_pointer: pointer }) : "image",
			mimeType: "image/png",
			missing: true,
		};
		if (pointer) image.pointer = pointer;
		images.push(image);
	}
	const shown = text.replace(/<<ImageDisplayed>>/g, "");
	if (images.length === 0 && text.includes("<<ImageDisplayed>>")) {
		images.push({ kind: "attachment", name: "image", mimeType: "image/png", missing: true });
	}
	return shown.trim() === "" ? images : [toolResult(name, shown, false), ...images];
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
		const ref = /^file[-_][A-Za-z0-9]+$/.test(str(a.id) ?? "") ? str(a.id) : undefined;
		if (ref) part.ref = ref;
		out.push(part);
	}
	return out;
}

/**
 * A message the app does not show in the chat: marked hidden, given no weight (`weight: 0`: left out of what the
 * model sees next too), or a reasoning summary (`finished_text`, e.g. "Reasoned for 5m 6s").
 */
function isHidden(m: ChatGptMessage): boolean {
	return m.metadata?.is_visually_hidden_from_conversation === true || m.weight === 0 || typeof m.metadata?.finished_text === "string";
}

/** A hidden message's parts as thinking (labelled with the app's `finished_text` when it has one). */
function asThinking(parts: readonly Part[], label: string | undefined): Part[] {
	const texts: string[] = [];
	for (const part of parts) {
		if (part.kind === "text" || part.kind === "thinking") texts.push(part.text);
		else if (part.kind === "code") texts.push(part.code);
		else if (part.kind === "tool_call") texts.push(`${part.name}: ${part.input ?? part.summary}`);
		else if (part.kind === "tool_result") texts.push(part.output ?? part.summary);
	}
	const text = texts.filter((t) => t.trim() !== "").join("\n\n");
	if (text === "" && !label) return [];
	const thinking: Part = { kind: "thinking", text: text === "" ? (label ?? "") : text };
	const own = parts.find((p): p is Extract<Part, { kind: "thinking" }> => p.kind === "thinking" && p.label !== undefined)?.label;
	if (label ?? own) thinking.label = label ?? own;
	return [thinking];
}

/**
 * The message's parts with its `metadata.attachments` merged in: an uploaded image is both an image pointer in the
 * content and an attachment (with the file's name) in the metadata; it is kept once, with the name.
 */
function withAttachments(parts: Part[], attachments: Part[]): Part[] {
	const rest: Part[] = [];
	for (const a of attachments) {
		const pointer = a.kind === "attachment" && a.ref ? parts.find((p) => p.kind === "attachment" && p.ref === a.ref) : undefined;
		if (pointer && pointer.kind === "attachment" && a.kind === "attachment") {
			pointer.name = a.name;
			if (a.mimeType) pointer.mimeType = a.mimeType;
			if (a.size !== undefined && pointer.size === undefined) pointer.size = a.size;
		} else rest.push(a);
	}
	return [...parts, ...rest];
}

/** Node ids from the root down to `leaf`, following `parent` links (cycle-safe). */
function activePath(mapping: Record<string, ChatGptNode>, leaf: string): ChatGptNode[] {
	const path: ChatGptNode[] = [];
	const seen = new Set<string>();
	for (let id: string | null | undefined = leaf; id && !seen.has(id);) {
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
	const parsed = parseShape(ChatGptConversationSchema(), raw);
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
		if (m.content && HIDDEN_CONTENT_TYPES.has(m.content.content_type)) continue;
		if (role !== "user" && role !== "assistant" && role !== "tool") {
			bump(unknown, `role:${role}`);
			continue;
		}
		const hidden = isHidden(m);
		// What the app hides from the user is not said in the chat; an assistant's or tool's is its thinking.
		if (hidden && role === "user") continue;
		let parts = withAttachments(contentParts(m, unknown), attachmentParts(m.metadata));
		if (hidden) parts = asThinking(parts, str(m.metadata?.finished_text));
		if (parts.length === 0) continue;
		const model = str(m.metadata?.model_slug);
		if (model && !models.includes(model)) models.push(model);
		messages.push({
			id: m.id ?? node.id ?? `${id}#${messages.length}`,
			role: role === "user" ? "user" : "assistant",
			time: isoTime(m.create_time),
			parts,
		});
	}
	if (models.length === 0 && c.default_model_slug) models.push(c.default_model_slug);

	const times = knownTimes(messages).sort();
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
	// A ChatGPT export names no project, it only has its id: kept, but not shown as a name.
	if (project && project.startsWith("g-p-")) conversation.projectId = project;
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	return { ok: true, conversation };
}

/** The ChatGPT source (see registry.ts). */
export const chatgptSource: ProviderModule & { readonly id: "chatgpt" } = {
	id: "chatgpt",
	label: "ChatGPT",
	shape: 'conversations with "mapping"/"current_node"',
	missingFile: "not imported",
	chatUrlBase: "https://chatgpt.com/c/",
	files: CONVERSATION_FILES,
	detect: looksLikeChatGpt,
	normalize: normalizeChatGpt,
	// What normalizeChatGpt makes the id (`conversation_id || id`) and `updated` (`update_time`, seconds) of. With
	// `current_node`, DeepSeek's test (before this one) fails; with `chat_messages`, Claude's would pass. Attachments
	// that may bring a file: asset pointers (pointerPart), the code interpreter's `image_url`, `metadata.attachments`.
	quick: {
		id: ["conversation_id", "id"],
		updated: { key: "update_time", type: "seconds" },
		title: "title",
		has: ["current_node", "mapping"],
		hasNot: ["chat_messages"],
		fileMarkers: ["asset_pointer", "image_url", "attachments"],
	},
};
