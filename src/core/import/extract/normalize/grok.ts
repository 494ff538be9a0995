import * as z from "../../../model/zod";
import type { Citation, Conversation, Message, Part } from "../../../model/conversation";
import { splitMemberArray } from "../json-member-stream";
import type { ProviderModule } from "./registry";
import { describeRaw, type NormalizeResult } from "./result";
import { countUnknownKeys, isoTime, isRecord, issuesReason, knownTimes, str, timeValue, titleFromText } from "./text-utils";

/**
 * Grok data export (grok.com / accounts.x.ai → download your data: a zip holding
 * `ttl/30d/export_data/<user id>/prod-grok-backend.json`, `prod-mc-asset-server/<asset id>/content` and account files)
 * → canonical Conversation.
 *
 * Learned from public descriptions, not copied: the PAM importer field mappings (xAI section: two wrapper levels,
 * BSON dates, `parent_response_id`, sender values), the types of the incumbent Obsidian importer
 * (Superkikim/nexus-ai-chat-importer, src/providers/grok/grok-types.ts) and the issue's pitfall list. The shape our
 * fixtures reproduce:
 *
 *     { "conversations": [ { "conversation": { "id", "title", "create_time": "2025-…Z", "modify_time" },
 *                            "responses": [ { "response": { "_id", "conversation_id", "message", "sender",
 *                                                           "create_time": { "$date": { "$numberLong": "1735…" } },
 *                                                           "parent_response_id", "model", "file_attachments": [],
 *                                                           "thinking_trace", "cited_web_search_results": [] },
 *                                             "share_link": null } ] } ],
 *       "projects": [], "tasks": [], "media_posts": [] }
 *
 * The file is ONE object, so its `conversations` array is streamed out of it (json-member-stream), never read whole.
 * Two wrapper levels are unwrapped. `sender` is "human", "assistant", "ASSISTANT" or even a model name ("grok-3"):
 * anything but human is the assistant (and a model name counts as its model). Responses form a tree by
 * `parent_response_id` (a regenerated answer is a sibling): the conversation shown is the path to the newest
 * response; without any parent link the responses are read in time order. Uploaded files are only asset ids
 * (`prod-mc-asset-server/<id>/content`, no extension): named, not imported. The pages an answer cites
 * (`cited_web_search_results`) are its citations. The account files
 * (`prod-mc-auth-mgmt-api.json`: e-mail, birth date; `prod-mc-billing.json`) are never read.
 */

const MongoDateSchema = /* @__PURE__ */ z.lazySchema(() => z.union([z.string(), z.number(), z.looseObject({ $date: z.unknown() })]));

const GrokResponseSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		_id: z.nullish(z.string()),
		message: z.nullish(z.string()),
		sender: z.nullish(z.string()),
		create_time: z.nullish(MongoDateSchema()),
		parent_response_id: z.nullish(z.string()),
		model: z.nullish(z.string()),
		file_attachments: z.nullish(z.array(z.unknown())),
		generated_image_urls: z.nullish(z.array(z.unknown())),
		thinking_trace: z.nullish(z.string()),
		cited_web_search_results: z.nullish(z.array(z.unknown())),
		web_search_results: z.nullish(z.array(z.unknown())),
	}),
);
type GrokResponse = z.infer<ReturnType<typeof GrokResponseSchema>>;

const GrokConversationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		conversation: z.looseObject({
			id: z.string().check(z.minLength(1)),
			title: z.nullish(z.string()),
			create_time: z.nullish(MongoDateSchema()),
			modify_time: z.nullish(MongoDateSchema()),
		}),
		responses: z.array(z.looseObject({ response: GrokResponseSchema() })),
	}),
);

const KNOWN_RESPONSE_KEYS = new Set([
	"_id",
	"conversation_id",
	"message",
	"sender",
	"create_time",
	"parent_response_id",
	"model",
	"file_attachments",
	"generated_image_urls",
	"thinking_trace",
	"thinking_start_time",
	"thinking_end_time",
	"agent_thinking_traces",
	"cited_web_search_results",
	"web_search_results",
	"steps",
	"query",
	"query_type",
	"xpost_ids",
	"webpage_urls",
	"card_attachments_json",
	"error",
	"metadata",
	"manual",
	"partial",
	"shared",
	"image_attachments",
]);

/** True when a raw value is one Grok conversation record (`{ conversation: { id }, responses: [] }`). */
export function looksLikeGrok(raw: unknown): boolean {
	return isRecord(raw) && isRecord(raw.conversation) && typeof raw.conversation.id === "string" && Array.isArray(raw.responses);
}

/** ISO 8601 from an ISO string, epoch milliseconds, or a BSON `{ $date: { $numberLong } }` / `{ $date: "…" }`. */
export function grokTime(value: unknown): string | null {
	if (isRecord(value) && "$date" in value) {
		const d = value.$date;
		if (isRecord(d)) return grokTime(Number(str(d.$numberLong) ?? d.$numberLong));
		return grokTime(d);
	}
	if (typeof value === "number" && Number.isFinite(value) && value > 0) {
		const date = new Date(value);
		return Number.isNaN(date.getTime()) ? null : date.toISOString();
	}
	return isoTime(value);
}

function isHuman(sender: string | null | undefined): boolean {
	const s = (sender ?? "").toLowerCase();
	return s === "human" || s === "user";
}

/** The responses as shown: the path to the newest one through `parent_response_id`, else all in time order. */
function shownResponses(responses: readonly GrokResponse[]): GrokResponse[] {
	const byTime = [...responses].sort((a, b) => timeValue(grokTime(a.create_time)) - timeValue(grokTime(b.create_time)));
	if (!responses.some((r) => r.parent_response_id)) return byTime;
	const byId = new Map<string, GrokResponse>();
	for (const r of responses) if (r._id) byId.set(r._id, r);
	const newest = byTime[byTime.length - 1];
	const path: GrokResponse[] = [];
	const seen = new Set<GrokResponse>();
	for (let r: GrokResponse | undefined = newest; r && !seen.has(r); r = r.parent_response_id ? byId.get(r.parent_response_id) : undefined) {
		seen.add(r);
		path.push(r);
	}
	return path.reverse();
}

/** The web pages an answer cites (`cited_web_search_results`), as citations at the end of its text. */
function citationsOf(list: readonly unknown[] | null | undefined, at: number): Citation[] {
	return (list ?? []).flatMap((c) => {
		if (!isRecord(c)) return [];
		const url = str(c.url);
		const title = str(c.title);
		if (!url && !title) return [];
		const citation: Citation = { at };
		if (url) citation.url = url;
		if (title && title !== url) citation.title = title;
		return [citation];
	});
}

function responseParts(r: GrokResponse, unknown: Record<string, number>): Part[] {
	const parts: Part[] = [];
	countUnknownKeys(r, KNOWN_RESPONSE_KEYS, "response", unknown);
	const thinking = r.thinking_trace ?? "";
	if (thinking.trim() !== "") parts.push({ kind: "thinking", text: thinking });
	const text = r.message ?? "";
	const citations = citationsOf(r.cited_web_search_results, text.length);
	if (text.trim() !== "") parts.push(citations.length > 0 ? { kind: "text", text, citations } : { kind: "text", text });
	for (const a of r.file_attachments ?? []) {
		// An asset id (the zip keeps the upload as `prod-mc-asset-server/<id>/content`), or a record naming it.
		const id = typeof a === "string" ? a : isRecord(a) ? (str(a.asset_id) ?? str(a.id)) : undefined;
		const name = (isRecord(a) ? str(a.name) : undefined) ?? id;
		if (name)
			parts.push(id ? { kind: "attachment", name, ref: `grok-asset:${id}`, missing: true } : { kind: "attachment", name, missing: true });
	}
	for (const u of r.generated_image_urls ?? []) {
		if (typeof u !== "string" || u === "") continue;
		parts.push({
			kind: "attachment",
			name:
				u
					.split("/")
					.filter((s) => s !== "")
					.pop() ?? u,
			missing: true,
		});
	}
	return parts;
}

export function normalizeGrok(raw: unknown): NormalizeResult {
	const inner = isRecord(raw) && isRecord(raw.conversation) ? raw.conversation : raw;
	const described = describeRaw(inner, ["id"], ["title"]);
	const parsed = GrokConversationSchema().safeParse(raw);
	if (!parsed.success) return { ok: false, ...described, reason: issuesReason("not a valid Grok conversation", parsed.error.issues) };
	const c = parsed.data.conversation;
	const unknown: Record<string, number> = {};
	const messages: Message[] = [];
	const models: string[] = [];
	for (const r of shownResponses(parsed.data.responses.map((w) => w.response))) {
		const parts = responseParts(r, unknown);
		if (parts.length === 0) continue;
		const user = isHuman(r.sender);
		if (!user) {
			const sender = r.sender ?? "";
			const model = r.model ?? (sender !== "" && sender.toLowerCase() !== "assistant" ? sender : undefined);
			if (model && !models.includes(model)) models.push(model);
		}
		messages.push({ id: r._id ?? `${c.id}#${messages.length}`, role: user ? "user" : "assistant", time: grokTime(r.create_time), parts });
	}
	const times = knownTimes(messages);
	let title = (c.title ?? "").trim();
	if (title === "") {
		const first = messages.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
		title = first && first.kind === "text" ? titleFromText(first.text) : "";
	}
	const created = grokTime(c.create_time) ?? times[0] ?? null;
	const conversation: Conversation = {
		id: c.id,
		provider: "grok",
		title: title === "" ? "Untitled" : title,
		created,
		updated: grokTime(c.modify_time) ?? times[times.length - 1] ?? created,
		models,
		messages,
	};
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	return { ok: true, conversation };
}

/** The Grok source (see registry.ts). */
export const grokSource: ProviderModule & { readonly id: "grok" } = {
	id: "grok",
	label: "Grok",
	shape: 'one object whose "conversations" hold {"conversation", "responses"}',
	missingFile: "not imported",
	files: /(^|\/)prod-grok-backend\.json$/i,
	split: (chunks) => splitMemberArray(chunks, "conversations"),
	detect: looksLikeGrok,
	normalize: normalizeGrok,
};
