// A re-import's reading of a large document that takes the conversations whose id and source time match their notes
// from a look at their elements, not parsing them (issue 20; ReadOptions.quick). Given to openExport by the host
// that asks for it (OpenExportOptions.quickReader: the CLI's reader thread), so that the plugin does not carry it.
import type { Conversation, Provider } from "../../model/conversation";
import { parseElement, splitJsonArray, type PeekOptions, type PeekedArrayItem } from "./json-array-stream";
import type { ExtractResult, QuickReader } from "./open-export";
import { quickLook, quickLooker, type QuickLook } from "./quick-look";

/**
 * A conversation taken from a look at its element: what the look found, and how to parse it should the import need
 * it after all (its bytes kept, or read again from a bare file: `parsed` makes the result of the parsed item). Bytes
 * read again that are not the same conversation any more (the file changed since) fail it, saying so.
 */
function quickResult(
	doc: Parameters<QuickReader["read"]>[0],
	provider: Provider,
	item: PeekedArrayItem<QuickLook>,
	before: number,
	parsed: Parameters<QuickReader["read"]>[5],
): ExtractResult {
	const { id, updated, title } = item.peeked;
	const { raw, index, offset, length } = item;
	const label = doc.label;
	const full = async (): Promise<ExtractResult> => {
		const result = parsed(parseElement(raw ?? (await doc.readAt!(offset, length)), index, offset));
		if (raw !== undefined || !result.ok || (result.conversation.id === id && result.conversation.updated === updated)) return result;
		return {
			ok: false,
			source: label,
			index,
			position: before + offset,
			reason: "the input changed while it was being read (read again, this conversation is another)",
		};
	};
	return {
		ok: true,
		get conversation(): Conversation {
			throw new Error(`${label}, conversation ${item.index + 1}: taken from a look at its element, not parsed (quick.full() parses it)`);
		},
		// The note was written from it (its id and time match the note's): it had content, at least one message, and
		// the look found no file (see ReadOptions.quick).
		facts: { id, title, messageCount: 1, hasContent: true, time: updated, provider, updated, attachments: false },
		source: label,
		index: item.index,
		position: before + item.offset,
		quick: { full },
	};
}

/**
 * See QuickReader: the splitter shows each element to a look; one that `quick` accepts and holds no file marker is
 * taken. Its watcher for the splitter's warm-up is a MarkSearch (see there).
 */
export const quickResults: QuickReader = {
	async *read(doc, provider, shape, before, quick, parsed) {
		const looker = quickLooker(shape);
		const marks = new MarkSearch(shape.fileMarkers);
		// While no look is wanted (quick.active()), no string is told of either: the element ending was looked at only if
		// its strings all were, so that one whose markers went unseen is never taken.
		const lookAt = marks.maxLength;
		marks.maxLength = quick.active() ? lookAt : -1;
		const peek = (bytes: Uint8Array, tops: Int32Array, count: number): QuickLook | null => {
			const watched = marks.maxLength >= 0;
			marks.maxLength = quick.active() ? lookAt : -1;
			if (marks.take() || !watched) return null; // it may hold a file for its note, or was not watched
			const look = quickLook(looker, bytes, tops, count);
			return look !== null && quick.accept(provider, look.id, look.updated) ? look : null;
		};
		// The splitter copies what it keeps (the bytes of an element taken, when they cannot be read again): the chunks may
		// be the source's reused arrays. Copies would be most of the memory a re-import holds (and its garbage).
		for await (const item of splitJsonArray(doc.chunks(true), { peek, shortStrings: marks, keep: doc.readAt === undefined }))
			yield "peeked" in item ? quickResult(doc, provider, item, before, parsed) : parsed(item);
	},
	// Markers of the warm-up document's own strings ("id" is one of its keys), so that its split reaches isMarker too.
	warmUpWatcher: () => new MarkSearch(["mx", "id"]),
};

/**
 * Whether the strings of an element the splitter tells of (PeekOptions.shortStrings) hold one of `texts`: one of a
 * marker's length is compared, one with escapes short enough to be one (6 bytes a character at most) is decoded and
 * compared, one cut by a chunk's start is taken as one. `take()` says so for the element just ended, and starts over
 * (an element the splitter gave up on, too large, can only leave a "yes" behind: one more element parsed).
 *
 * A class, not an object of closures made for each document: the splitter calls `seen` in its hottest loop, and its
 * warm-up watches with one of these too (quickResults.warmUpWatcher), so that V8 optimizes that call for this class.
 * Optimized for the warm-up's own object, the splitter's code was thrown away ("wrong map") when a re-import's first
 * watcher was told of a string, and compiled again (--trace-deopt).
 */
export class MarkSearch implements NonNullable<PeekOptions<unknown>["shortStrings"]> {
	/** Longest string told of (-1: none; the reader sets it while no look is wanted). */
	maxLength: number;
	private readonly texts: readonly string[];
	/** The markers' bytes by length. */
	private readonly byLength: (Uint8Array[] | undefined)[] = [];
	private marked = false;

	constructor(texts: readonly string[]) {
		this.texts = texts;
		for (const text of texts) (this.byLength[text.length] ??= []).push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
		this.maxLength = 6 * Math.max(0, ...texts.map((t) => t.length));
	}

	seen(chunk: Uint8Array, start: number, end: number, escaped: boolean): void {
		if (!this.marked && (escaped || start < 0 || this.byLength[end - start] !== undefined))
			this.marked = this.isMarker(chunk, start, end, escaped);
	}

	/** Whether the element just ended held a marker; the next one starts unmarked. */
	take(): boolean {
		const was = this.marked;
		this.marked = false;
		return was;
	}

	private isMarker(chunk: Uint8Array, start: number, end: number, escaped: boolean): boolean {
		// It began in an earlier chunk (or its quote did, for one to decode): not looked at, taken as one.
		if (start < 0 || (escaped && start < 1)) return true;
		if (escaped) {
			try {
				return this.texts.includes(JSON.parse(new TextDecoder().decode(chunk.subarray(start - 1, end + 1))) as string);
			} catch {
				return true;
			}
		}
		const candidates = this.byLength[end - start];
		return (
			candidates !== undefined &&
			candidates.some((codes) => {
				for (let k = 0; k < codes.length; k++) if (chunk[start + k] !== codes[k]) return false;
				return true;
			})
		);
	}
}
