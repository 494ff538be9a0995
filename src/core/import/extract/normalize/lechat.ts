import * as z from "../../../model/zod";
import type { Conversation, Message, Part } from "../../../model/conversation";
import type { JsonArrayItem } from "../json-array-stream";
import type { GroupedResult, ProviderModule } from "./registry";
import { issuesReason, isRecord, str, summariseValue, timeValue, titleFromText, truncate, bump, isoTime, knownTimes } from "./text-utils";

/**
 * Le Chat (Mistral) data export (Settings → export: a zip with one `chat-<id>.json` per conversation and its
 * uploads in `chat-<id>-files/`) → canonical Conversation.
 *
 * Learned from public descriptions, not copied: the incumbent Obsidian importer's types and converter
 * (Superkikim/nexus-ai-chat-importer, src/providers/lechat/lechat-types.ts, lechat-converter.ts) and the issue's
 * pitfall list. One file is ONE conversation: a JSON array of its messages, so the whole file groups into one note:
 *
 *     [{ "id", "version", "chatId", "role": "user" | "assistant", "createdAt": "2025-…Z",
 *        "content": "…the whole answer…",
 *        "contentChunks": [{ "type": "tool_call", "name": "web_search", "publicArguments": "{\"query\":…}" },
 *                          { "type": "text", "text": "…the whole answer again…" }, { "type": "reference", … }],
 *        "files": [{ "type": "image", "name": "plot.png" }], "reaction", "canvas", "quotes", … }]
 *
 * Messages are not in time order in the file: they are sorted by `createdAt`. The answer is repeated in `content`
 * and its text chunk(s): only the chunks are read when there are any, else `content`. A tool call's arguments are
 * JSON inside a string (`publicArguments`): parsed for a readable summary. There is no title (the first prompt is)
 * and no model. Uploads are named (`chat-<id>-files/` is not imported).
 */

const ChunkSchema = /* @__PURE__ */ z.lazySchema(() => z.looseObject({ type: z.string() }));

const LeChatMessageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		id: z.nullish(z.string()),
		chatId: z.string().check(z.minLength(1)),
		role: z.string(),
		content: z.nullish(z.string()),
		contentChunks: z.nullish(z.array(ChunkSchema())),
		createdAt: z.nullish(z.string()),
		files: z.nullish(z.array(z.unknown())),
	}),
);
type LeChatMessage = z.infer<ReturnType<typeof LeChatMessageSchema>>;

/** True when a raw value is one Le Chat message (`chatId`, `role`, `contentChunks` or `createdAt`). */
export function looksLikeLeChat(raw: unknown): boolean {
	return isRecord(raw) && typeof raw.chatId === "string" && typeof raw.role === "string" && ("contentChunks" in raw || "createdAt" in raw);
}

/** `publicArguments` is JSON inside a string; its parsed value (or the string, when it does not parse). */
function parsedArguments(value: unknown): unknown {
	if (typeof value !== "string") return value;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

function chunkParts(chunks: readonly Record<string, unknown>[], unknown: Record<string, number>): Part[] {
	const parts: Part[] = [];
	for (const chunk of chunks) {
		const type = str(chunk.type) ?? "unknown";
		if (type === "text") {
			const text = str(chunk.text) ?? "";
			if (text.trim() !== "") parts.push({ kind: "text", text });
		} else if (type === "tool_call") {
			const name = str(chunk.name) ?? "tool";
			parts.push({ kind: "tool_call", name, summary: summariseValue(parsedArguments(chunk.publicArguments)) });
			const result = chunk.publicResult;
			if (result !== undefined && result !== null) {
				const part: Part = { kind: "tool_result", name, summary: summariseValue(parsedArguments(result), 500) };
				if (chunk.success === false) part.isError = true;
				parts.push(part);
			}
		} else if (type === "reference" || type === "custom_element") {
			// Footnote markers and UI widgets: nothing to read on their own.
		} else {
			bump(unknown, `chunk:${type}`);
			parts.push({ kind: "unknown", blockType: type });
		}
	}
	return parts;
}

/** The uploads of a message; the zip keeps them as `chat-<chat id>-files/<name>` (see ExportFiles). */
function fileParts(files: readonly unknown[] | null | undefined, chatId: string | undefined): Part[] {
	const out: Part[] = [];
	for (const f of files ?? []) {
		if (!isRecord(f)) continue;
		const name = str(f.name);
		if (!name) continue;
		const part: Part = chatId
			? { kind: "attachment", name, ref: `lechat:${chatId}/${name}`, missing: true }
			: { kind: "attachment", name, missing: true };
		out.push(part);
	}
	return out;
}

function messageOf(m: LeChatMessage, index: number, unknown: Record<string, number>): Message | null {
	if (m.role !== "user" && m.role !== "assistant") {
		bump(unknown, `role:${m.role}`);
		return null;
	}
	const chunks = (m.contentChunks ?? []) as Record<string, unknown>[];
	const fromChunks = chunkParts(chunks, unknown);
	const hasChunkText = fromChunks.some((p) => p.kind === "text");
	const parts: Part[] = [...fromChunks];
	// The answer is in `content` AND in its text chunk: `content` only when no chunk holds the text.
	const content = m.content ?? "";
	if (!hasChunkText && content.trim() !== "") parts.push({ kind: "text", text: content });
	parts.push(...fileParts(m.files, m.chatId));
	if (parts.length === 0) return null;
	return { id: m.id ?? `${m.chatId}#${index}`, role: m.role, time: isoTime(m.createdAt), parts };
}

/** All the messages of one `chat-<id>.json` → its one conversation. */
async function* groupLeChat(items: AsyncIterable<JsonArrayItem>): AsyncGenerator<GroupedResult> {
	const messages: { m: LeChatMessage; index: number }[] = [];
	let first: { index: number; offset: number } | null = null;
	for await (const item of items) {
		first ??= { index: item.index, offset: item.offset };
		if (!item.ok) {
			yield { ok: false, reason: item.reason, index: item.index, offset: item.offset };
			continue;
		}
		const parsed = LeChatMessageSchema().safeParse(item.value);
		if (!parsed.success) {
			yield { ok: false, reason: issuesReason("not a valid Le Chat message", parsed.error.issues), index: item.index, offset: item.offset };
			continue;
		}
		messages.push({ m: parsed.data, index: item.index });
	}
	if (messages.length === 0 || first === null) return;
	const chatId = messages[0]!.m.chatId;
	const others = messages.filter((x) => x.m.chatId !== chatId);
	if (others.length > 0) {
		yield {
			ok: false,
			itemId: chatId,
			reason: `a Le Chat file holds one conversation, but this one mixes chats ${chatId} and ${others[0]!.m.chatId}`,
			...first,
		};
		return;
	}
	messages.sort((a, b) => timeValue(a.m.createdAt) - timeValue(b.m.createdAt) || a.index - b.index);
	const unknown: Record<string, number> = {};
	const out: Message[] = [];
	for (const { m, index } of messages) {
		const message = messageOf(m, index, unknown);
		if (message) out.push(message);
	}
	const times = knownTimes(out);
	const prompt = out.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
	const title = prompt && prompt.kind === "text" ? titleFromText(prompt.text) : "";
	const conversation: Conversation = {
		id: chatId,
		provider: "lechat",
		title: title === "" ? "Untitled" : truncate(title, 80),
		created: times[0] ?? null,
		updated: times[times.length - 1] ?? null,
		models: [],
		messages: out,
	};
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	yield { ok: true, conversation, ...first };
}

/** The Le Chat source (see registry.ts). */
export const lechatSource: ProviderModule & { readonly id: "lechat" } = {
	id: "lechat",
	label: "Le Chat",
	shape: 'one chat per file: an array of messages with "chatId" and "contentChunks"',
	missingFile: "not imported",
	files: /(^|\/)chat-[^/]+\.json$/i,
	detect: looksLikeLeChat,
	normalize: () => ({ ok: false, reason: "a Le Chat message is read with the rest of its chat file" }),
	group: groupLeChat,
};
