import type { ParsedKnowledge } from "./parse-knowledge";

/**
 * When a model result goes to the review queue instead of the notes. Thresholds are the reference's (section
 * 3.10, after spec 055 halved them): the knowledge body must be at least 5% of a 10,000+ character
 * conversation, 10% of 1,000–9,999, 15% below 1,000.
 */

export type ReviewDecision = { review: false } | { review: true; reason: string };

export const REQUIRED_SECTIONS = ["title", "summary", "content"] as const;

export interface RatioRule {
	/** Applies to conversations of at least this many characters. */
	minChars: number;
	/** The body must be at least this fraction of the conversation. */
	minRatio: number;
}

/** Longest conversations first. */
export const BODY_RATIO_RULES: readonly RatioRule[] = [
	{ minChars: 10_000, minRatio: 0.05 },
	{ minChars: 1_000, minRatio: 0.1 },
	{ minChars: 0, minRatio: 0.15 },
];

export function minBodyRatio(conversationChars: number): number {
	for (const rule of BODY_RATIO_RULES) if (conversationChars >= rule.minChars) return rule.minRatio;
	return BODY_RATIO_RULES[BODY_RATIO_RULES.length - 1]?.minRatio ?? 0;
}

function percent(ratio: number): string {
	return `${(ratio * 100).toFixed(1)}%`;
}

export interface ReviewInput {
	/** Length of the conversation transcript the model read. */
	conversationChars: number;
	/** The knowledge body (the Content section, merged across parts). */
	body: string;
	/** `missing` may name a section that a merged result has only in part (see mergeKnowledge). */
	parsed: Pick<ParsedKnowledge, "title" | "summary" | "content" | "unclosedFence"> & { missing?: readonly string[] };
}

/** All reasons that apply, joined with "; ". */
export function decideReview(input: ReviewInput): ReviewDecision {
	const reasons: string[] = [];
	const missing = REQUIRED_SECTIONS.filter((section) => {
		const value = input.parsed[section];
		return value === undefined || value.trim() === "" || (input.parsed.missing?.includes(section) ?? false);
	});
	if (missing.length > 0) reasons.push(`missing required section${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
	if (input.parsed.unclosedFence) reasons.push("unclosed code fence in the model reply (it may be truncated)");
	const bodyChars = input.body.trim().length;
	if (input.conversationChars > 0 && input.parsed.content !== undefined && input.parsed.content.trim() !== "") {
		const ratio = bodyChars / input.conversationChars;
		const threshold = minBodyRatio(input.conversationChars);
		if (ratio < threshold) {
			reasons.push(
				`body too short: ${percent(ratio)} of the conversation (${bodyChars} of ${input.conversationChars} characters), threshold ${percent(threshold)}`,
			);
		}
	}
	return reasons.length === 0 ? { review: false } : { review: true, reason: reasons.join("; ") };
}
