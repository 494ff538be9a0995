import { extractJson } from "../llm/json-extract";
import type { Classification, ClassifyInput, GenreClassifier } from "./classify-genre";
import { foldText } from "./classify-genre";
import { OTHER_GENRE_KEY, type Genre } from "./genres";

/** Sends one prompt, returns the model's text reply. */
export type CompletePrompt = (prompt: string) => Promise<string>;

export interface LlmClassifierOptions {
	/** Below this confidence the note goes to review (default 0.5). */
	reviewThreshold?: number;
	/** How much of the body the prompt shows (default 1000 characters). */
	bodyPreviewChars?: number;
}

/** The prompt: the genre table as `- key: description`, the note's title, tags and the start of its body. */
export function buildClassifyPrompt(input: ClassifyInput, genres: readonly Genre[], bodyPreviewChars = 1000): string {
	const table = genres.map((genre) => `- ${genre.key}: ${genre.description || genre.key}`).join("\n");
	return [
		"Classify the note below into exactly one genre from this list (use the key before the colon):",
		table,
		"",
		"Also give a topic: a category-level name of 1-3 words for the note's subject, using the parent concept",
		'rather than a product name (for example "iPhone 15 settings" -> "smartphone"), in the language of the note.',
		"Give your confidence from 0 to 1.",
		'Reply with JSON only: {"genre": "<key>", "topic": "<topic>", "confidence": <0..1>}.',
		`When nothing fits, reply {"genre": "${OTHER_GENRE_KEY}", "topic": "", "confidence": 0}.`,
		"",
		`Title: ${input.title}`,
		`Tags: ${input.tags.join(", ")}`,
		"Body:",
		input.body.slice(0, bodyPreviewChars),
	].join("\n");
}

/**
 * Parses a model's reply tolerantly (fences, prose around the JSON, trailing commas). A genre not in the table
 * becomes `other`; a confidence given as "high"/"low" or a percentage is understood; a missing confidence is 0.5.
 * Throws when the reply has no JSON object at all (the item then fails and can be retried).
 */
export function parseClassificationReply(reply: string, genres: readonly Genre[], reviewThreshold = 0.5): Classification {
	const extracted = extractJson(reply);
	if (!extracted.ok) throw new Error(`The model's genre reply is not JSON: ${extracted.error}`);
	const value = extracted.value;
	if (!value || typeof value !== "object" || Array.isArray(value)) {
		throw new Error("The model's genre reply is not a JSON object");
	}
	const record = value as Record<string, unknown>;
	const rawGenre = typeof record.genre === "string" ? foldText(record.genre.trim()) : "";
	const known = genres.find((genre) => genre.key === rawGenre);
	const genre = known ? known.key : OTHER_GENRE_KEY;
	const topic = typeof record.topic === "string" && record.topic.trim() !== "" ? record.topic.trim() : undefined;
	const confidence = known ? parseConfidence(record.confidence) : 0;
	const reason = known
		? `LLM: ${genre}${topic ? ` / ${topic}` : ""} (${confidence})`
		: `LLM gave no known genre${rawGenre ? ` ("${rawGenre}")` : ""}`;
	return { genre, topic, confidence, review: known ? confidence < reviewThreshold : false, reason };
}

function parseConfidence(value: unknown): number {
	if (typeof value === "number" && Number.isFinite(value)) return clamp(value > 1 && value <= 100 ? value / 100 : value);
	if (typeof value === "string") {
		const text = value.trim().toLowerCase();
		if (text === "high") return 0.9;
		if (text === "medium") return 0.6;
		if (text === "low") return 0.3;
		const number = Number.parseFloat(text.replace(/%$/, ""));
		if (Number.isFinite(number)) return clamp(text.endsWith("%") || number > 1 ? number / 100 : number);
	}
	return 0.5;
}

function clamp(value: number): number {
	return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}

/** A classifier backed by a language model. A valid `genre` already in the frontmatter is kept without a call. */
export function llmClassifier(complete: CompletePrompt, options: LlmClassifierOptions = {}): GenreClassifier {
	return async (input, genres) => {
		const existing = input.genre ? genres.find((genre) => genre.key === foldText(input.genre!.trim())) : undefined;
		if (existing) {
			return {
				genre: existing.key,
				topic: input.topic?.trim() || undefined,
				confidence: 1,
				review: false,
				reason: "genre already set in the frontmatter",
			};
		}
		const reply = await complete(buildClassifyPrompt(input, genres, options.bodyPreviewChars));
		const result = parseClassificationReply(reply, genres, options.reviewThreshold);
		if (!result.topic && input.topic?.trim()) result.topic = input.topic.trim();
		return result;
	};
}
