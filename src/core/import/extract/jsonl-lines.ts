import type { JsonArrayItem } from "./json-array-stream";

/**
 * Streaming reader for JSON Lines documents (coding-agent session logs: one JSON record per line).
 *
 * The bytes are decoded as UTF-8 chunk by chunk and cut at `\n` (a `\r` before it is dropped); the document is
 * never one string, so memory is bounded by the longest line (a tool result holding a whole file, an image as
 * base64). Blank lines are skipped. Each line is parsed on its own and yielded like an element of a JSON array:
 * `index` is the line's 0-based number (line `index + 1` in messages), `offset` the byte where the chunk holding
 * its start begins (close enough for progress). A line that is not JSON is `{ ok: false }` with its number; the
 * reading goes on (the caller decides what that means for its item).
 */

const PREVIEW_CHARS = 60;

function parseLine(text: string, index: number, offset: number): JsonArrayItem {
	try {
		return { ok: true, index, offset, value: JSON.parse(text) as unknown };
	} catch (e) {
		const preview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
		const why = e instanceof Error ? e.message : String(e);
		return { ok: false, index, offset, reason: `line ${index + 1} is not valid JSON (${why}): ${JSON.stringify(preview)}` };
	}
}

/** The lines of a JSONL document, parsed one at a time. */
export async function* jsonlLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<JsonArrayItem, void, undefined> {
	const decoder = new TextDecoder("utf-8");
	/** Pieces of the line being read, when it spans chunks (joined once, so a long line is not copied per chunk). */
	let pending: string[] = [];
	let index = 0;
	let bytes = 0;
	/** Byte offset of the chunk where the pending line started. */
	let lineOffset = 0;
	const emit = (raw: string): JsonArrayItem | null => {
		let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
		if (index === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		const at = index++;
		return text.trim() === "" ? null : parseLine(text, at, lineOffset);
	};
	for await (const chunk of chunks) {
		const text = decoder.decode(chunk, { stream: true });
		let start = 0;
		for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
			pending.push(text.slice(start, nl));
			start = nl + 1;
			const item = emit(pending.join(""));
			pending = [];
			lineOffset = bytes;
			if (item) yield item;
		}
		if (start < text.length) {
			if (pending.length === 0) lineOffset = bytes;
			pending.push(text.slice(start));
		}
		bytes += chunk.length;
	}
	pending.push(decoder.decode());
	const item = emit(pending.join(""));
	if (item) yield item;
}
