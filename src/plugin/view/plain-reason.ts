import { t, type MessageKey } from "../i18n";

/**
 * A failure's error in plain words for the panel. The raw error stays in the session files and is what
 * "Copy details" copies; here the common causes are named the way a user can act on them, and anything else is
 * its first line, cut short.
 */
const CAUSES: readonly (readonly [RegExp, MessageKey])[] = [
	[/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed|could not (?:reach|connect)|network/i, "reason.unreachable"],
	[/timed? ?out|timeout|ETIMEDOUT|took longer/i, "reason.timeout"],
	[/\b(?:401|403)\b|unauthori[sz]ed|forbidden|api key|invalid.{0,20}key/i, "reason.auth"],
	[/model.{0,40}not found|not found.{0,20}model|no such model|\b404\b/i, "reason.model"],
	[/too (?:large|long)|context length|maximum context|exceeds/i, "reason.tooLarge"],
	[/\b429\b|rate limit|too many requests/i, "reason.rateLimit"],
	[/(?:LLM|model).{0,40}(?:JSON|invalid|unexpected|could not parse)/i, "reason.badAnswer"],
	[/EACCES|EPERM|permission denied|read-only/i, "reason.permission"],
	[/ENOSPC|no space/i, "reason.diskFull"],
	[/JSON|Unexpected token|unexpected end|not valid|invalid (?:input|data)|expected .* (?:received|got)|schema/i, "reason.unreadable"],
];

const MAX_CHARS = 160;

export function plainReason(error: string): string {
	for (const [pattern, key] of CAUSES) if (pattern.test(error)) return t(key);
	const firstLine = error.split("\n", 1)[0]?.trim() ?? "";
	if (firstLine === "") return t("reason.unknown");
	return firstLine.length > MAX_CHARS ? `${firstLine.slice(0, MAX_CHARS - 1)}…` : firstLine;
}
