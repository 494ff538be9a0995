import type { Conversation } from "../../../model/conversation";

/** What a normalizer makes of one raw conversation: a canonical Conversation, or an item-level failure. */
export type NormalizeResult = { ok: true; conversation: Conversation } | { ok: false; itemId?: string; title?: string; reason: string };

/** Best-effort id and title of a raw conversation that failed, for the failure record. */
export function describeRaw(raw: unknown, idKeys: readonly string[], titleKeys: readonly string[]): { itemId?: string; title?: string } {
	const out: { itemId?: string; title?: string } = {};
	if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return out;
	const o = raw as Record<string, unknown>;
	for (const key of idKeys) {
		const v = o[key];
		if (typeof v === "string" && v !== "") {
			out.itemId = v;
			break;
		}
	}
	for (const key of titleKeys) {
		const v = o[key];
		if (typeof v === "string" && v !== "") {
			out.title = v;
			break;
		}
	}
	return out;
}
