import type * as z from "../model/zod";
import { ValidationError } from "../retry/errors";

/**
 * A tolerant JSON extractor for model replies that should be JSON but often come wrapped in prose or fences.
 * Tries, in order: the whole reply; a ```json fenced block (or a bare fence whose body starts with { or [);
 * the first balanced `{...}` (strings and escapes respected, so braces inside strings do not count), moving on
 * to the next `{` when one does not parse. Each candidate is also tried once with trailing commas removed.
 */

export type JsonExtraction = { ok: true; value: unknown; source: "whole" | "fence" | "object" } | { ok: false; error: string };

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
	for (const candidate of [text, withoutTrailingCommas(text)]) {
		try {
			return { ok: true, value: JSON.parse(candidate) as unknown };
		} catch {
			// try the next form
		}
	}
	return { ok: false };
}

/** Removes commas directly before } or ] outside strings. */
export function withoutTrailingCommas(text: string): string {
	let out = "";
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i] ?? "";
		if (inString) {
			out += ch;
			if (ch === "\\") {
				out += text[i + 1] ?? "";
				i++;
			} else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') inString = true;
		if (ch === ",") {
			const rest = text.slice(i + 1);
			if (/^\s*[}\]]/.test(rest)) continue;
		}
		out += ch;
	}
	return out;
}

/** The end index (inclusive) of the balanced object or array starting at `start`, or -1. */
export function balancedEnd(text: string, start: number): number {
	const stack: string[] = [];
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (ch === "\\") i++;
			else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') inString = true;
		else if (ch === "{") stack.push("}");
		else if (ch === "[") stack.push("]");
		else if (ch === "}" || ch === "]") {
			if (stack.pop() !== ch) return -1;
			if (stack.length === 0) return i;
		}
	}
	return -1;
}

function fencedBlocks(text: string): { info: string; body: string }[] {
	const blocks: { info: string; body: string }[] = [];
	const re = /(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)\n[ \t]*\1[ \t]*(?:\n|$)/g;
	for (const match of text.matchAll(re)) {
		blocks.push({ info: (match[2] ?? "").trim().toLowerCase(), body: match[3] ?? "" });
	}
	return blocks;
}

export function extractJson(reply: string): JsonExtraction {
	const text = reply.replace(/^\uFEFF/, "").trim();
	if (text === "") return { ok: false, error: "empty reply" };

	const whole = tryParse(text);
	if (whole.ok) return { ok: true, value: whole.value, source: "whole" };

	const blocks = fencedBlocks(text);
	const jsonBlocks = [
		...blocks.filter((b) => b.info === "json" || b.info === "jsonc" || b.info === "json5"),
		...blocks.filter((b) => b.info === "" && /^\s*[{[]/.test(b.body)),
	];
	for (const block of jsonBlocks) {
		const parsed = tryParse(block.body.trim());
		if (parsed.ok) return { ok: true, value: parsed.value, source: "fence" };
	}

	for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
		const end = balancedEnd(text, start);
		if (end === -1) continue;
		const parsed = tryParse(text.slice(start, end + 1));
		if (parsed.ok) return { ok: true, value: parsed.value, source: "object" };
	}
	return { ok: false, error: "no JSON object found in the reply" };
}

/** Extracts JSON and validates it with `schema`; throws ValidationError (never retried) when either fails. */
export function parseJsonReply<S extends z.ZodMiniType>(reply: string, schema: S): z.infer<S> {
	const extracted = extractJson(reply);
	if (!extracted.ok) throw new ValidationError(`Model reply is not JSON: ${extracted.error}`);
	const checked = schema.safeParse(extracted.value);
	if (!checked.success) {
		const issues = checked.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
		throw new ValidationError(`Model reply JSON has the wrong shape: ${issues}`);
	}
	return checked.data;
}
