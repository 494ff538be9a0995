import * as z from "../../../model/zod";
import type { Conversation, Message, Part } from "../../../model/conversation";
import { CONVERSATION_FILES } from "./files";
import type { ProviderModule } from "./registry";
import { describeRaw, type NormalizeResult } from "./result";
import { bump, countUnknownKeys, isoTime, isRecord, issuesReason, knownTimes, str, timeValue, titleFromText, truncate } from "./text-utils";

/**
 * DeepSeek data export (Settings → Data → Export all history: a zip with `conversations.json` and `user.json`) →
 * canonical Conversation.
 *
 * Learned from public descriptions, not copied: the readers in DavidShiang/DeepSeek2md (main.py: `mapping` walked
 * from `"root"`, roles from fragment types) and the PAM importer field-mapping notes; the issue's pitfall list.
 * The shape, as our own fixtures reproduce it:
 *
 *     [{ "id", "title", "inserted_at": "2025-03-30T04:49:36.505000+08:00", "updated_at",
 *        "mapping": { "root": { "id": "root", "parent": null, "children": ["1"], "message": null },
 *                     "1": { "id": "1", "parent": "root", "children": ["2"],
 *                            "message": { "model", "inserted_at", "files": [{ "file_name" }],
 *                                         "fragments": [{ "type": "REQUEST", "content" }] } } } }]
 *
 * Like ChatGPT it is a `mapping` tree in a `conversations.json`, so detection looks inside: a DeepSeek node's message
 * has `fragments` (ChatGPT's has `author`/`content`), and the conversation has `inserted_at` (ChatGPT: `create_time`).
 * There is no `current_node`: the conversation shown is the path to the newest leaf (a regenerated answer or an edited
 * prompt makes a sibling branch). A message has no role: it is the user's when its fragments are REQUEST, the
 * assistant's when RESPONSE / THINK (reasoning) / SEARCH (web results). Times carry `+08:00` and microseconds; they are
 * kept as given (ISO 8601). Only file names are exported (`files[]`), never their content. `user.json` (e-mail,
 * phone) is never read: only `conversations.json` is.
 */

const FragmentSchema = /* @__PURE__ */ z.lazySchema(() => z.looseObject({ type: z.string(), content: z.nullish(z.string()) }));

const DeepSeekMessageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		model: z.nullish(z.string()),
		inserted_at: z.nullish(z.string()),
		fragments: z.array(FragmentSchema()),
		files: z.nullish(z.array(z.unknown())),
	}),
);

const DeepSeekNodeSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		id: z.nullish(z.string()),
		parent: z.nullish(z.string()),
		children: z.nullish(z.array(z.string())),
		message: z.nullish(DeepSeekMessageSchema()),
	}),
);
type DeepSeekNode = z.infer<ReturnType<typeof DeepSeekNodeSchema>>;

const DeepSeekConversationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.looseObject({
		id: z.string().check(z.minLength(1)),
		title: z.nullish(z.string()),
		inserted_at: z.nullish(z.string()),
		updated_at: z.nullish(z.string()),
		mapping: z.record(z.string(), DeepSeekNodeSchema()),
	}),
);

const KNOWN_CONVERSATION_KEYS = new Set(["id", "title", "inserted_at", "updated_at", "mapping"]);
const USER_FRAGMENTS = new Set(["REQUEST"]);
const KNOWN_FRAGMENTS = new Set(["REQUEST", "RESPONSE", "THINK", "SEARCH", "READ_LINK", "TIP"]);

/** True when a raw value is a DeepSeek conversation: a `mapping` whose messages have `fragments` (not ChatGPT's). */
export function looksLikeDeepSeek(raw: unknown): boolean {
	if (!isRecord(raw) || !isRecord(raw.mapping) || "current_node" in raw || "create_time" in raw) return false;
	let sawMessage = false;
	for (const node of Object.values(raw.mapping)) {
		if (!isRecord(node) || !isRecord(node.message)) continue;
		if (!Array.isArray(node.message.fragments)) return false;
		sawMessage = true;
	}
	return sawMessage || "inserted_at" in raw;
}

/** The path from the root to the newest leaf (the branch last shown), cycle-safe. */
function shownPath(mapping: Record<string, DeepSeekNode>): DeepSeekNode[] {
	const newest = new Map<DeepSeekNode, number>();
	/** The latest message time at or below a node (memoised; iterative, so a long chain cannot overflow the stack). */
	const newestBelow = (start: DeepSeekNode): number => {
		const stack: { node: DeepSeekNode; expanded: boolean }[] = [{ node: start, expanded: false }];
		const onPath = new Set<DeepSeekNode>();
		while (stack.length > 0) {
			const top = stack[stack.length - 1]!;
			if (newest.has(top.node)) {
				stack.pop();
				continue;
			}
			const children = (top.node.children ?? [])
				.map((id) => mapping[id])
				.filter((n): n is DeepSeekNode => n !== undefined && !onPath.has(n));
			if (!top.expanded) {
				top.expanded = true;
				onPath.add(top.node);
				for (const child of children) if (!newest.has(child)) stack.push({ node: child, expanded: false });
				continue;
			}
			stack.pop();
			onPath.delete(top.node);
			newest.set(
				top.node,
				Math.max(timeValue(top.node.message?.inserted_at ?? null), ...children.map((c) => newest.get(c) ?? Number.NEGATIVE_INFINITY)),
			);
		}
		return newest.get(start) ?? Number.NEGATIVE_INFINITY;
	};
	let current: DeepSeekNode | undefined = mapping.root ?? Object.values(mapping).find((n) => !n.parent || !mapping[n.parent]);
	const path: DeepSeekNode[] = [];
	const seen = new Set<DeepSeekNode>();
	while (current && !seen.has(current)) {
		seen.add(current);
		path.push(current);
		const children = (current.children ?? []).map((id) => mapping[id]).filter((n): n is DeepSeekNode => n !== undefined);
		// The child holding the latest message below it: what the app showed last (ties: the later child).
		current = children.reduce<DeepSeekNode | undefined>(
			(best, n) => (best === undefined || newestBelow(n) >= newestBelow(best) ? n : best),
			undefined,
		);
	}
	return path;
}

function searchSummary(fragment: Record<string, unknown>): string {
	const results = Array.isArray(fragment.results) ? fragment.results : [];
	const lines = results.flatMap((r) => {
		if (!isRecord(r)) return [];
		const title = str(r.title) ?? str(r.site_name) ?? "";
		const url = str(r.url) ?? "";
		return title || url ? [url ? `${title || url} (${url})` : title] : [];
	});
	return truncate(lines.join("; "), 500);
}

function fileParts(files: readonly unknown[] | null | undefined): Part[] {
	const out: Part[] = [];
	for (const f of files ?? []) {
		if (!isRecord(f)) continue;
		const name = str(f.file_name) ?? str(f.name) ?? str(f.id);
		if (!name) continue;
		const part: Part = { kind: "attachment", name, missing: true };
		if (typeof f.file_size === "number") part.size = f.file_size;
		out.push(part);
	}
	return out;
}

export function normalizeDeepSeek(raw: unknown): NormalizeResult {
	const described = describeRaw(raw, ["id"], ["title"]);
	const parsed = DeepSeekConversationSchema().safeParse(raw);
	if (!parsed.success) return { ok: false, ...described, reason: issuesReason("not a valid DeepSeek conversation", parsed.error.issues) };
	const c = parsed.data;
	const unknown: Record<string, number> = {};
	countUnknownKeys(c, KNOWN_CONVERSATION_KEYS, "conversation", unknown);

	const messages: Message[] = [];
	const models: string[] = [];
	for (const node of shownPath(c.mapping)) {
		const m = node.message;
		if (!m) continue;
		const user = m.fragments.some((f) => USER_FRAGMENTS.has(f.type));
		const parts: Part[] = [];
		for (const f of m.fragments) {
			const text = f.content ?? "";
			if (!KNOWN_FRAGMENTS.has(f.type)) bump(unknown, `fragment:${f.type}`);
			if (f.type === "THINK") {
				if (text.trim() !== "") parts.push({ kind: "thinking", text });
			} else if (f.type === "SEARCH") {
				const summary = searchSummary(f);
				parts.push({ kind: "tool_result", name: "web_search", summary: summary || "(searched the web)" });
			} else if (f.type === "REQUEST" || f.type === "RESPONSE") {
				if (text.trim() !== "") parts.push({ kind: "text", text });
			} else if (text.trim() !== "") {
				parts.push({ kind: "unknown", blockType: f.type, summary: truncate(text.trim(), 200) });
			}
		}
		parts.push(...fileParts(m.files));
		if (parts.length === 0) continue;
		const model = user ? undefined : (m.model ?? undefined);
		if (model && !models.includes(model)) models.push(model);
		messages.push({ id: node.id ?? `${c.id}#${messages.length}`, role: user ? "user" : "assistant", time: isoTime(m.inserted_at), parts });
	}

	const times = knownTimes(messages);
	let title = (c.title ?? "").trim();
	if (title === "") {
		const first = messages.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
		title = first && first.kind === "text" ? titleFromText(first.text) : "";
	}
	const created = isoTime(c.inserted_at) ?? times[0] ?? null;
	const conversation: Conversation = {
		id: c.id,
		provider: "deepseek",
		title: title === "" ? "Untitled" : title,
		created,
		updated: isoTime(c.updated_at) ?? times[times.length - 1] ?? created,
		models,
		messages,
	};
	if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
	return { ok: true, conversation };
}

/** The DeepSeek source (see registry.ts). */
export const deepseekSource: ProviderModule & { readonly id: "deepseek" } = {
	id: "deepseek",
	label: "DeepSeek",
	shape: 'conversations with a "mapping" whose messages have "fragments"',
	missingFile: "not included in the export",
	files: CONVERSATION_FILES,
	detect: looksLikeDeepSeek,
	normalize: normalizeDeepSeek,
};
