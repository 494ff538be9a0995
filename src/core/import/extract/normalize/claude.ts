import * as z from "../../../model/zod";
import { parseShape } from "../../../model/shape-check";
import type { Citation, Conversation, Message, Part } from "../../../model/conversation";
import type { ProviderModule } from "./registry";
import { CONVERSATION_FILES } from "./files";
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
	timeValue,
	titleFromText,
	toolResultPart,
	truncate,
} from "./text-utils";

/** Claude export (`conversations.json` of a Claude data export) → canonical Conversation. */

const ClaudeBlockSchema = /* @__PURE__ */ z.lazySchema(() => z.looseObject({ type: z.string() }));

const ClaudeAttachmentSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		file_name: z.nullish(z.string()),
		file_type: z.nullish(z.string()),
		file_size: z.nullish(z.number()),
		extracted_content: z.nullish(z.string()),
	}),
);

const ClaudeFileSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({ file_name: z.nullish(z.string()), file_kind: z.nullish(z.string()) }),
);

const ClaudeMessageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		uuid: z.nullish(z.string()),
		parent_message_uuid: z.nullish(z.string()),
		sender: z.string(),
		text: z.nullish(z.string()),
		content: z.nullish(z.array(ClaudeBlockSchema())),
		created_at: z.nullish(z.string()),
		updated_at: z.nullish(z.string()),
		attachments: z.nullish(z.array(ClaudeAttachmentSchema())),
		files: z.nullish(z.array(ClaudeFileSchema())),
		files_v2: z.nullish(z.array(ClaudeFileSchema())),
	}),
);
type ClaudeMessage = z.infer<ReturnType<typeof ClaudeMessageSchema>>;

export const ClaudeConversationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		uuid: z.string().check(z.minLength(1)),
		name: z.nullish(z.string()),
		summary: z.nullish(z.string()),
		created_at: z.nullish(z.string()),
		updated_at: z.nullish(z.string()),
		chat_messages: z.array(ClaudeMessageSchema()),
		current_leaf_message_uuid: z.nullish(z.string()),
		project_uuid: z.nullish(z.string()),
		project: z.nullish(z.looseObject({ uuid: z.nullish(z.string()), name: z.nullish(z.string()) })),
		model: z.nullish(z.string()),
	}),
);

const KNOWN_CONVERSATION_KEYS = new Set([
	"uuid",
	"name",
	"summary",
	"created_at",
	"updated_at",
	"account",
	"chat_messages",
	"current_leaf_message_uuid",
	"project_uuid",
	"project",
	"model",
	"is_starred",
	"is_temporary",
	"settings",
]);
const KNOWN_MESSAGE_KEYS = new Set([
	"uuid",
	"parent_message_uuid",
	"sender",
	"text",
	"content",
	"created_at",
	"updated_at",
	"attachments",
	"files",
	"files_v2",
	"index",
	"truncated",
	"stop_reason",
]);

/** True when a raw value has the Claude conversation shape (used for detection). */
export function looksLikeClaude(raw: unknown): boolean {
	return isRecord(raw) && "chat_messages" in raw;
}

function toolResultText(content: unknown): string {
	if (typeof content === "string") return content;
	if (!Array.isArray(content)) return "";
	const pieces: string[] = [];
	for (const item of content) {
		if (typeof item === "string") pieces.push(item);
		else if (isRecord(item)) {
			const title = str(item.title);
			const text = str(item.text);
			const url = str(item.url);
			if (title && url) pieces.push(`${title} (${url})`);
			else if (title) pieces.push(title);
			if (text) pieces.push(text);
		}
	}
	return pieces.join("\n");
}

const ARTIFACT_LANGUAGES: Record<string, string> = {
	"text/markdown": "markdown",
	"text/html": "html",
	"image/svg+xml": "svg",
	"application/vnd.ant.mermaid": "mermaid",
	"application/vnd.ant.react": "jsx",
};

/** Titles of the web pages the conversation's tools returned, by URL: what a text block's citations name. */
type PageTitles = ReadonlyMap<string, string>;

function pageTitles(messages: readonly ClaudeMessage[]): Map<string, string> {
	const titles = new Map<string, string>();
	for (const message of messages) {
		for (const block of message.content ?? []) {
			const content = (block as Record<string, unknown>).content;
			if (block.type !== "tool_result" || !Array.isArray(content)) continue;
			for (const item of content) {
				if (!isRecord(item)) continue;
				const url = str(item.url);
				const title = str(item.title);
				if (url && title && title.trim() !== "" && !titles.has(url)) titles.set(url, title.trim());
			}
		}
	}
	return titles;
}

/**
 * A text block's `citations[]` (web search: `start_index`/`end_index` over the block's text and `details.url`) as
 * footnote places at the end of each cited span (before trailing whitespace). Ones without a URL are left out.
 */
function textCitations(text: string, raw: unknown, titles: PageTitles): Citation[] {
	if (!Array.isArray(raw)) return [];
	const out: Citation[] = [];
	for (const c of raw) {
		if (!isRecord(c)) continue;
		const details = isRecord(c.details) ? c.details : {};
		const url = str(details.url) ?? str(c.url);
		if (!url || url.trim() === "") continue;
		const end = typeof c.end_index === "number" && Number.isInteger(c.end_index) ? c.end_index : text.length;
		let at = Math.max(0, Math.min(text.length, end));
		while (at > 0 && /\s/.test(text[at - 1]!)) at--;
		const title = str(details.title) ?? str(c.title) ?? titles.get(url);
		out.push({ at, url, ...(title && title.trim() !== "" ? { title: title.trim() } : {}) });
	}
	return out.sort((x, y) => x.at - y.at);
}

type ArtifactPart = NonNullable<Extract<Part, { kind: "attachment" }>["artifact"]>;
/** Each artifact's latest version so far in the conversation, by artifact id (updates apply to it). */
type ArtifactVersions = Map<string, ArtifactPart>;

/**
 * An artifact version as a part: `create`/`rewrite` carry the whole content, `update` replaces `old_str` by `new_str`
 * in the version before. Null when the content cannot be known (an update of an artifact not seen, or whose
 * `old_str` is not in it): the block is then summarised like any tool call.
 */
function artifactPart(input: Record<string, unknown>, versions: ArtifactVersions): Part | null {
	const id = str(input.id) ?? str(input.title) ?? "artifact";
	const before = versions.get(id);
	let content: string | undefined;
	const command = str(input.command) ?? "create";
	if (command === "update") {
		const from = str(input.old_str);
		const to = str(input.new_str) ?? "";
		const at = before && from !== undefined && from !== "" ? before.content.indexOf(from) : -1;
		if (before && from !== undefined && at >= 0) content = before.content.slice(0, at) + to + before.content.slice(at + from.length);
	} else if (typeof input.content === "string" && input.content !== "") content = input.content;
	if (content === undefined) return null;
	const type = str(input.type) ?? before?.type ?? "";
	const artifact: ArtifactPart = {
		id,
		type,
		language: str(input.language) ?? before?.language ?? ARTIFACT_LANGUAGES[type] ?? "",
		title: str(input.title) ?? before?.title ?? id,
		version: (before?.version ?? 0) + 1,
		content,
	};
	versions.set(id, artifact);
	const part: Part = { kind: "attachment", name: artifact.title, artifact };
	if (type) part.mimeType = type;
	return part;
}

function blockParts(
	block: z.infer<ReturnType<typeof ClaudeBlockSchema>>,
	unknown: Record<string, number>,
	titles: PageTitles,
	versions: ArtifactVersions = new Map(),
): Part[] {
	const raw = block as Record<string, unknown>;
	switch (block.type) {
		case "text": {
			const text = str(raw.text) ?? "";
			if (text.trim() === "") return [];
			const citations = textCitations(text, raw.citations, titles);
			return [citations.length > 0 ? { kind: "text", text, citations } : { kind: "text", text }];
		}
		case "thinking": {
			const text = str(raw.thinking) ?? str(raw.text) ?? "";
			return text.trim() === "" ? [] : [{ kind: "thinking", text }];
		}
		case "tool_use": {
			const name = str(raw.name) ?? "tool";
			const input = raw.input;
			const callId = str(raw.id);
			const withId = <T extends Part>(part: T): T => (callId ? { ...part, callId } : part);
			const parts: Part[] = [];
			const artifact = name === "artifacts" && isRecord(input) ? artifactPart(input, versions) : null;
			if (artifact && artifact.kind === "attachment" && artifact.artifact) {
				// An artifact carries real content (code, a document): kept whole, as of this version.
				parts.push(
					withId({
						kind: "tool_call",
						name,
						summary: truncate(`${str((input as Record<string, unknown>).command) ?? "create"}: ${artifact.artifact.title}`, 200),
					}),
				);
				parts.push(artifact);
				return parts;
			}
			const call: Part = { kind: "tool_call", name, summary: summariseValue(input ?? str(raw.message) ?? "") };
			const code = isRecord(input) ? (str(input.code) ?? str(input.command)) : undefined;
			if (code !== undefined && code.includes("\n")) {
				// Code or a script: whole, in a fence (the summary is its first line).
				call.input = code;
				const language = str(input && isRecord(input) ? input.language : undefined);
				if (language) call.language = language;
			}
			parts.push(withId(call));
			return parts;
		}
		case "tool_result": {
			const name = str(raw.name);
			const text = toolResultText(raw.content).trim();
			const part: Part = toolResultPart(text, name, raw.is_error === true);
			const callId = str(raw.tool_use_id);
			if (callId) part.callId = callId;
			return [part];
		}
		default: {
			bump(unknown, `block:${block.type}`);
			const text = str(raw.text) ?? str(raw.content);
			const part: Part = { kind: "unknown", blockType: block.type };
			if (text && text.trim() !== "") part.summary = truncate(text.trim(), 200);
			return [part];
		}
	}
}

function messageParts(
	message: ClaudeMessage,
	unknown: Record<string, number>,
	titles: PageTitles,
	versions: ArtifactVersions = new Map(),
): Part[] {
	const parts: Part[] = [];
	for (const block of message.content ?? []) {
		parts.push(...blockParts(block, unknown, titles, versions));
	}
	if (parts.length === 0) {
		const text = message.text ?? "";
		if (text.trim() !== "") parts.push({ kind: "text", text });
	}
	const attachedNames = new Set<string>();
	for (const att of message.attachments ?? []) {
		const name = att.file_name ?? "attachment";
		attachedNames.add(name);
		const part: Part = { kind: "attachment", name };
		if (att.file_type) part.mimeType = att.file_type;
		if (typeof att.file_size === "number") part.size = att.file_size;
		if (typeof att.extracted_content === "string") part.extractedText = att.extracted_content;
		parts.push(part);
	}
	for (const file of [...(message.files ?? []), ...(message.files_v2 ?? [])]) {
		const name = file.file_name ?? "file";
		if (attachedNames.has(name)) continue;
		attachedNames.add(name);
		parts.push({ kind: "attachment", name, missing: true });
	}
	return parts;
}

interface Indexed {
	message: ClaudeMessage;
	order: number;
	time: number;
}

/** The parent a conversation's first message points at: not a message, the root of the reply tree. */
export const CLAUDE_ROOT_PARENT = "00000000-0000-4000-8000-000000000000";

/**
 * The messages of the kept branch, in conversation order.
 *
 * With reply links (`parent_message_uuid`): the path from the root to the leaf (`current_leaf_message_uuid`, else
 * the latest message followed down its latest replies), whatever order `chat_messages` lists them in; after an edit
 * or a regenerate, the other branches are left out. Without them: every message, by `created_at`, array position
 * breaking ties; a message without a time stays after the one listed before it.
 */
export function keptBranch(messages: readonly ClaudeMessage[], leafId: string | null | undefined): ClaudeMessage[] {
	const hasParents = messages.some((m) => typeof m.parent_message_uuid === "string" && m.parent_message_uuid !== "");
	if (!hasParents) return byTime(messages);
	const byId = new Map<string, Indexed>();
	// Pushed, not mapped: the loops below, optimized for the interpreter's packed arrays, met the holey one V8's
	// optimized map makes and threw this function's optimized code away ("wrong map").
	const indexed: Indexed[] = [];
	for (let order = 0; order < messages.length; order++) {
		const message = messages[order]!;
		indexed.push({ message, order, time: timeValue(message.created_at) });
	}
	for (const item of indexed) if (item.message.uuid) byId.set(item.message.uuid, item);
	const children = new Map<string, Indexed[]>();
	for (const item of indexed) {
		const parent = item.message.parent_message_uuid;
		if (parent && byId.has(parent)) {
			const list = children.get(parent) ?? [];
			list.push(item);
			children.set(parent, list);
		}
	}
	const later = (a: Indexed, b: Indexed): Indexed => (b.time > a.time || (b.time === a.time && b.order > a.order) ? b : a);

	let leaf: Indexed | undefined = leafId ? byId.get(leafId) : undefined;
	if (!leaf) {
		// No usable leaf pointer: start at the latest message, then follow the latest child down to a leaf.
		let latest = indexed[0];
		for (const item of indexed) if (latest) latest = later(latest, item);
		leaf = latest;
		const seen = new Set<Indexed>();
		while (leaf && !seen.has(leaf)) {
			seen.add(leaf);
			const kids: Indexed[] = leaf.message.uuid ? (children.get(leaf.message.uuid) ?? []) : [];
			if (kids.length === 0) break;
			leaf = kids.reduce(later);
		}
	}
	const path: ClaudeMessage[] = [];
	const seen = new Set<Indexed>();
	for (let at = leaf; at && !seen.has(at);) {
		seen.add(at);
		path.push(at.message);
		const parent = at.message.parent_message_uuid;
		at = parent && parent !== CLAUDE_ROOT_PARENT ? byId.get(parent) : undefined;
	}
	return path.reverse();
}

/** Messages by `created_at`, stable; one without a (readable) time keeps its place after its predecessor. */
function byTime(messages: readonly ClaudeMessage[]): ClaudeMessage[] {
	let previous = Number.NEGATIVE_INFINITY;
	const keyed = messages.map((message, order) => {
		const own = timeValue(message.created_at);
		const time = own === Number.NEGATIVE_INFINITY ? previous : own;
		previous = time;
		return { message, order, time };
	});
	keyed.sort((a, b) => a.time - b.time || a.order - b.order);
	return keyed.map((k) => k.message);
}

export function normalizeClaude(raw: unknown): NormalizeResult {
	const parsed = parseShape(ClaudeConversationSchema(), raw);
	if (!parsed.success) {
		return {
			ok: false,
			...describeRaw(raw, ["uuid"], ["name"]),
			reason: issuesReason("not a valid Claude conversation", parsed.error.issues),
		};
	}
	const c = parsed.data;
	const unknown: Record<string, number> = {};
	countUnknownKeys(c, KNOWN_CONVERSATION_KEYS, "conversation", unknown);

	const messages: Message[] = [];
	const branch = keptBranch(c.chat_messages, c.current_leaf_message_uuid);
	const titles = pageTitles(branch);
	const versions: ArtifactVersions = new Map();
	branch.forEach((m, i) => {
		countUnknownKeys(m, KNOWN_MESSAGE_KEYS, "message", unknown);
		let role: Message["role"];
		if (m.sender === "human" || m.sender === "user") role = "user";
		else if (m.sender === "assistant") role = "assistant";
		else {
			bump(unknown, `sender:${m.sender}`);
			return;
		}
		const parts = messageParts(m, unknown, titles, versions);
		if (parts.length === 0) return;
		messages.push({ id: m.uuid ?? `${c.uuid}#${i}`, role, time: isoTime(m.created_at), parts });
	});

	const times = knownTimes(messages);
	const created = isoTime(c.created_at) ?? times[0] ?? null;
	const updated = isoTime(c.updated_at) ?? times[times.length - 1] ?? created;
	let title = (c.name ?? "").trim();
	if (title === "") {
		const firstUserText = messages.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
		title = firstUserText && firstUserText.kind === "text" ? titleFromText(firstUserText.text) : "";
	}

	const conversation: Conversation = {
		id: c.uuid,
		provider: "claude",
		title: title === "" ? "Untitled" : title,
		created,
		updated,
		models: c.model ? [c.model] : [],
		messages,
	};
	// The name is what a person reads (a property, a folder); the id alone is kept apart, never shown as a name.
	const projectName = c.project?.name?.trim();
	if (projectName) conversation.project = projectName;
	const projectId = c.project?.uuid ?? c.project_uuid;
	if (projectId) conversation.projectId = projectId;
	if (c.summary && c.summary.trim() !== "") conversation.summary = c.summary;
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	return { ok: true, conversation };
}

/** The Claude source (see registry.ts). */
export const claudeSource: ProviderModule & { readonly id: "claude" } = {
	id: "claude",
	label: "Claude",
	shape: 'conversations with "chat_messages"',
	missingFile: "not included in the export",
	chatUrlBase: "https://claude.ai/chat/",
	files: CONVERSATION_FILES,
	detect: looksLikeClaude,
	normalize: normalizeClaude,
	// What normalizeClaude makes the id and `updated` of (a valid `updated_at` is taken as it is). The only attachment
	// that may bring a file is an artifact: a `tool_use` block named "artifacts" (blockParts).
	quick: {
		id: ["uuid"],
		updated: { key: "updated_at", type: "string" },
		title: "name",
		has: ["chat_messages"],
		hasNot: [],
		fileMarkers: ["artifacts"],
	},
};
