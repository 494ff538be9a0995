import type { ByteSource } from "../../ports/byte-source";
import type { Conversation, Provider } from "../../model/conversation";
import type { ConversationFacts } from "../../model/conversation-facts";
import type { NoteDraft, RenderChoices } from "../transform/note-draft";
import type { SourceTimeHints } from "../load/source-time-hints";
import type { NotePlace } from "../load/note-place";
import { InputError, JsonStreamError } from "./errors";
import { nonUtf8Encoding, nonUtf8Message } from "./text-encoding";
import { maxStringBytes, setWarmUpWatcher, splitJsonArray, type JsonArrayItem, type WarmUpWatcher } from "./json-array-stream";
import type { QuickShape } from "./quick-look";
import { detectProvider, PROVIDER_MODULES, providerLabel, providerModule, type ProviderModule } from "./normalize/registry";
import type { NormalizeResult } from "./normalize/result";
import { findConversationFiles, looksLikeZip, mayBeConversationFile, ZipArchive, type ZipFile } from "./zip-archive";

export type ProviderChoice = "auto" | Provider;

export interface OpenExportOptions {
	/** `auto` detects from the content's shape; a named provider must match the content or the input is refused. */
	provider?: ProviderChoice;
	/** Ask each source for its SHA-256 (`ByteSource.sha256`) while opening. Off by default (it reads every input once). */
	sha256?: boolean;
	/** Bytes per read of a bare JSON file (default 1 MiB). */
	chunkSize?: number;
	/**
	 * A document (bare file or zip entry) of up to this many bytes is read and parsed whole when the inputs are
	 * opened (default {@link WHOLE_MAX_BYTES}; 0 = stream every document). Faster than splitting it, and a document
	 * broken anywhere is refused before anything is written. Larger ones stream (memory stays bounded).
	 */
	wholeMaxBytes?: number;
	/** At most this many bytes of such documents are held parsed at once (default {@link WHOLE_BUDGET_BYTES}). */
	wholeBudgetBytes?: number;
	/**
	 * How to read a document taking elements from a look (ReadOptions.quick): quick-results.ts's, given by a host
	 * that asks for looks (the CLI's reader thread), so that others do not carry it. Without it, nothing is looked at.
	 */
	quickReader?: QuickReader;
}

export interface QuickReader {
	/**
	 * Reads the elements of a split document (`chunks`), each either parsed (`parsed`: the result of its item) or taken
	 * from a look (see ReadOptions.quick) when `quick` accepts what the look at it found.
	 */
	read(
		doc: Pick<Document, "label" | "chunks" | "readAt">,
		provider: Provider,
		shape: QuickShape,
		before: number,
		quick: NonNullable<ReadOptions["quick"]>,
		parsed: (item: JsonArrayItem) => ExtractResult,
	): AsyncIterable<ExtractResult>;
	/**
	 * A new string watcher of the kind `read` watches with, for the splitter's warm-up (see setWarmUpWatcher): one no
	 * read uses, as the warm-up calls its `seen` and `take` and the module keeps it.
	 */
	warmUpWatcher(): WarmUpWatcher;
}

/** See OpenExportOptions.wholeMaxBytes: a parsed document takes about twice its size in memory. */
export const WHOLE_MAX_BYTES = 32 * 1024 * 1024;
/** See OpenExportOptions.wholeBudgetBytes. */
export const WHOLE_BUDGET_BYTES = 48 * 1024 * 1024;

/** One input, as recorded in the session's extract/input manifest. */
export interface InputManifestEntry {
	name: string;
	size: number;
	/** Lowercase hex; present when `sha256: true` and the source can compute it. */
	sha256?: string;
	/** Null only for an input that holds no conversation at all (an empty array). */
	provider: Provider | null;
	kind: "zip" | "json";
	/** The conversation files read, as `source` labels (`name` for a bare file, `name:entry` inside a zip). */
	documents: string[];
}

export type ExtractResult =
	| {
			ok: true;
			conversation: Conversation;
			source: string;
			index: number;
			/** `JSON.stringify(conversation)`, when the reader made it already (a reader in another thread sends it so). */
			line?: string;
			/**
			 * What extract needs of the conversation, when the reader made it (one in another thread sends it with `line`,
			 * and `conversation` is then parsed from the line only when used).
			 */
			facts?: ConversationFacts;
			/** The deterministic note draft, when `conversations({ draft })` asked for it and the reader made it. */
			draft?: NoteDraft;
			/** Bytes of the inputs before this conversation (out of ExportReader.totalBytes): how far the reading is. */
			position?: number;
			/**
			 * Brings `line` (and so `conversation`) from a reader in another thread that held it back (see
			 * DraftOptions.holdUnchanged): to be awaited before either is used. Absent when the line is here.
			 */
			fetchLine?: () => Promise<string>;
			/**
			 * Taken from a look at its element, not parsed (see ReadOptions.quick): `facts` hold its id, title and source
			 * time and say it has content, one message and no file; `conversation` is not there. `full()` parses it:
			 * the conversation with its real facts and line, or the failure the element is.
			 */
			quick?: { full(): Promise<ExtractResult> };
			/** Set by the import once it found the note of a `quick` result unchanged as written: the note's path. */
			asWritten?: string;
	  }
	| { ok: false; source: string; index: number; itemId?: string; title?: string; reason: string; position?: number };

export interface ReadOptions {
	/**
	 * What `draftNote` needs: the session the notes belong to, and whether thinking is kept. `unchangedIf`: no draft
	 * for a conversation (without attachments) whose source time is still the one given for its key
	 * (as-written.ts's sourceTimesAsRendered): its note is likely left as it is, which the transform checks first.
	 * `linesOnlyFor`: a reader in another thread sends a conversation whose draft it made without its JSON line
	 * unless its key is among these (the conversations the import index knows: a re-import may add their new turns
	 * to an edited note, which needs the conversation); only the keys count. Absent: every line is sent.
	 */
	draft?: {
		sessionId: string;
		unchangedIf?: SourceTimeHints;
		/**
		 * A reader in another thread sends no line for those (`unchangedIf`): the import decides most of them unchanged
		 * from their facts alone and asks for the line of any other (ExtractResult.fetchLine). Only for a consumer that
		 * takes its results one at a time and awaits fetchLine before using a conversation (a fresh extract).
		 */
		holdUnchanged?: boolean;
		/**
		 * A reader in another thread sends a conversation whose draft it made without its JSON line unless its key is
		 * among these (the conversations the import index knows: a re-import may add their new turns to an edited
		 * note, which needs the conversation); only the keys count. Absent: every line is sent.
		 */
		linesOnlyFor?: SourceTimeHints;
		/**
		 * With `holdUnchanged`: a reader in another thread may take a conversation whose id and source time match
		 * `unchangedIf` from a look at its element, without parsing it (ExtractResult.quick), if the element shows no
		 * file its note may bring. For an import that takes conversations of one message (minMessages ≤ 1): a look
		 * cannot count them, and their note was written, so they had content.
		 */
		quickLook?: boolean;
		/**
		 * Where the import puts a new note (its options): a reader in another thread that makes each drafted note whole
		 * for its first path there (the plugin's, see PremadeNote) takes it from here. The reader itself does not use it.
		 */
		premake?: NotePlace;
	} & RenderChoices;
	/**
	 * Whether a conversation may be taken from a look at its element (ExtractResult.quick), asked with its id and
	 * source time as normalising makes them (`accept`); `active()` false: no element is looked at for now (a first
	 * import, or the reader's first batch before the import said what it knows), at no cost. Only elements of large
	 * documents (those split, not read whole) of a source that says where these are (ProviderModule.quick) are.
	 */
	quick?: { active(): boolean; accept(provider: Provider, id: string, updated: string): boolean };
}

export interface ExportReader {
	readonly inputs: readonly InputManifestEntry[];
	/** Inputs passed but not read, with why (a Claude bundle manifest given along with its zips). */
	readonly skipped: readonly { name: string; reason: string }[];
	/** Bytes of all the conversation documents (a zip's entries uncompressed), for progress (ExtractResult.position). */
	readonly totalBytes?: number;
	/**
	 * Streams every conversation of every input, in input order. Item-level problems are yielded as
	 * `{ ok: false }`; a whole-input problem found late (a truncated 1 GB file) is thrown as InputError.
	 * Each call starts over from the beginning. With `draft`, a reader may attach each conversation's deterministic
	 * note draft (a reader in another thread renders it there); the transform renders whatever has none.
	 */
	conversations(options?: ReadOptions): AsyncIterable<ExtractResult>;
	close(): Promise<void>;
}

/** One JSON document to split: a bare file or a zip entry. */
interface Document {
	label: string;
	/** Its bytes (a zip entry's uncompressed size). */
	size: number;
	/**
	 * `reused`: the caller copies what it keeps of a chunk before it asks for the next one (the JSON splitter, a whole
	 * read): the chunks may then share the source's reused arrays (ByteSource.sequential).
	 */
	chunks(reused?: boolean): AsyncIterable<Uint8Array>;
	/** A range of its bytes, when it can be read anywhere (a bare file, not a zip entry). */
	readAt?: (offset: number, length: number) => Promise<Uint8Array>;
	/**
	 * Its elements, when it was read and parsed whole at open (see OpenExportOptions.wholeMaxBytes). The first
	 * `conversations()` takes them (and lets each go once yielded); a later one reads the document whole again.
	 */
	whole?: unknown[] | null;
	readsWhole?: boolean;
	/** The source of a document not laid out as a top-level JSON array (it splits it itself); absent for an array. */
	module?: ProviderModule;
	/** Its provider, once detected (null: an empty document). */
	provider?: Provider | null;
}

interface OpenedInput {
	source: ByteSource;
	manifest: InputManifestEntry;
	documents: Document[];
	archive?: ZipArchive;
}

const PEEK_ELEMENTS = 5;
const DEFAULT_CHUNK = 1024 * 1024;
const MANIFEST_NAME = /(^|[\\/])manifest[^\\/]*\.json$/i;

/** The sources whose documents are top-level JSON arrays, split by the shared splitter (and read whole when small). */
const ARRAY_MODULES = PROVIDER_MODULES.filter((m) => !m.split || m.jsonArrays === true);
/** The sources that split their documents themselves (JSON Lines, an object holding the array, HTML). */
const OWN_LAYOUT_MODULES = PROVIDER_MODULES.filter((m) => m.split);

function detect(value: unknown, modules: readonly ProviderModule[] = ARRAY_MODULES): Provider | null {
	return detectProvider(value, modules)?.id ?? null;
}

function shapesOf(modules: readonly ProviderModule[]): string {
	return modules.map((m) => `a ${m.label} export (${m.shape})`).join(", ");
}

/**
 * Sequential chunks of a ByteSource, with one read in flight ahead of the consumer. `reused`: a chunk is read over
 * once the consumer asks for the next one (ByteSource.sequential, where the source has it).
 */
async function* sourceChunks(source: ByteSource, chunkSize: number, reused = false): AsyncGenerator<Uint8Array, void, undefined> {
	const size = source.size;
	let offset = 0;
	// Buffers no larger than the document (a folder of small JSON files makes many passes).
	const read =
		(reused && size > 0 && source.sequential?.(Math.min(chunkSize, size))) || ((at: number, length: number) => source.read(at, length));
	let pending: Promise<Uint8Array> | null = size > 0 ? read(0, Math.min(chunkSize, size)) : null;
	while (pending) {
		const bytes = await pending;
		if (bytes.length === 0)
			throw new InputError(source.name, `the file ended early: no bytes at ${offset} of ${size} (did it change while reading?)`);
		offset += bytes.length;
		pending = offset < size ? read(offset, Math.min(chunkSize, size - offset)) : null;
		yield bytes;
	}
}

function wrapStreamError(label: string, e: unknown): unknown {
	if (e instanceof JsonStreamError) return new InputError(label, e.message, { cause: e });
	return e;
}

/** Reads the first few elements of a document to learn its provider. Throws InputError when the document is unusable. */
async function peekProvider(doc: Document): Promise<{ provider: Provider | null; elements: number; firstFailure?: string }> {
	if (doc.whole) {
		const first = doc.whole.slice(0, PEEK_ELEMENTS);
		const provider = first.map((v) => detect(v)).find((p) => p !== null) ?? null;
		return { provider, elements: first.length };
	}
	let elements = 0;
	let firstFailure: string | undefined;
	try {
		for await (const item of splitJsonArray(doc.chunks(true))) {
			elements++;
			if (item.ok) {
				const provider = detect(item.value);
				if (provider) return { provider, elements };
			} else {
				firstFailure ??= item.reason;
			}
			if (elements >= PEEK_ELEMENTS) break;
		}
	} catch (e) {
		throw wrapStreamError(doc.label, e);
	}
	return firstFailure === undefined ? { provider: null, elements } : { provider: null, elements, firstFailure };
}

function resolveProvider(
	label: string,
	peek: { provider: Provider | null; elements: number; firstFailure?: string },
	choice: ProviderChoice,
): Provider | null {
	if (peek.elements === 0) return choice === "auto" ? null : choice;
	if (peek.provider === null) {
		const why = peek.firstFailure ? ` (${peek.firstFailure})` : "";
		throw new InputError(label, `unrecognised shape: none of the first ${peek.elements} elements is of ${shapesOf(ARRAY_MODULES)}${why}`);
	}
	if (choice !== "auto" && choice !== peek.provider) {
		throw new InputError(
			label,
			`--provider ${choice} was given, but this is a ${providerLabel(peek.provider)} export (${providerModule(peek.provider).shape}); use --provider ${peek.provider} or auto`,
		);
	}
	return peek.provider;
}

/** The first non-whitespace byte after an optional BOM, or -1. */
async function firstSignificantByte(source: ByteSource): Promise<number> {
	const head = await source.read(0, Math.min(source.size, 4096));
	let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
	for (; i < head.length; i++) {
		const b = head[i]!;
		if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
	}
	return -1;
}

/** The last two non-whitespace bytes (before them, `prev`), or null when the tail holds none. */
async function lastSignificantBytes(source: ByteSource): Promise<{ last: number; prev: number } | null> {
	const start = Math.max(0, source.size - 4096);
	const tail = await source.read(start, source.size - start);
	const found: number[] = [];
	for (let i = tail.length - 1; i >= 0 && found.length < 2; i--) {
		const b = tail[i]!;
		if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) found.push(b);
	}
	const [last, prev] = found;
	return last === undefined ? null : { last, prev: prev ?? -1 };
}

/**
 * A cut-off file (an interrupted download) is refused before anything is written: a complete export ends with the
 * `}` of its last conversation and the array's `]` (or is `[]`). The import streams, so without this check a
 * truncation would only be found when the reading reaches it. A cut that happens to fall right after an inner `}]`
 * passes here (under 0.05% of cut points in our synthetic Claude exports) and is still found then.
 */
async function checkComplete(source: ByteSource): Promise<void> {
	const tail = await lastSignificantBytes(source);
	if (tail === null) return;
	if (tail.last === 0x5d && (tail.prev === 0x7d || tail.prev === 0x5b)) return;
	const shown = (b: number): string =>
		b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, "0")}`;
	throw new InputError(
		source.name,
		`the file is truncated or incomplete (an interrupted download?): a conversations export ends with '}]', but this one ends with ${tail.prev >= 0 ? `${shown(tail.prev)} ` : ""}${shown(tail.last)}`,
	);
}

async function isBundleManifest(source: ByteSource): Promise<boolean> {
	return MANIFEST_NAME.test(source.name) && source.size > 0 && (await firstSignificantByte(source)) === 0x7b;
}

/** The bytes a document may take when read whole (see readWhole), and what is left of them. */
interface WholeBudget {
	maxBytes: number;
	left: number;
}

/** A document's elements, read and parsed whole; null when it is not one JSON array (or its size was wrong). */
async function parseWhole(doc: Document): Promise<unknown[] | null> {
	const bytes = new Uint8Array(doc.size);
	let length = 0;
	for await (const chunk of doc.chunks(true)) {
		// A zip entry's recorded size can be wrong: then it streams (the splitter reads it again).
		if (length + chunk.length > bytes.length) return null;
		bytes.set(chunk, length);
		length += chunk.length;
	}
	try {
		// fatal: invalid UTF-8 is an error here too; the splitter then reports the element that holds it.
		const elements: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length)));
		return Array.isArray(elements) ? elements : null;
	} catch {
		return null;
	}
}

/**
 * Reads a small document whole when opening (see OpenExportOptions.wholeMaxBytes), setting `doc.whole`. False when
 * it does not parse: the caller then splits it at once (findBreak), so that a break anywhere in it is found before
 * anything is written.
 */
async function readWhole(doc: Document, budget: WholeBudget): Promise<boolean> {
	// A document larger than the limit of one message may hold one over it: it streams, where the limit is checked.
	if (doc.size > budget.maxBytes || doc.size > budget.left || doc.size > maxStringBytes()) return true;
	const elements = await parseWhole(doc);
	if (!elements) return false;
	doc.whole = elements;
	doc.readsWhole = true;
	budget.left -= doc.size;
	return true;
}

/**
 * Splits a document that did not parse whole, to the end: a structural break (a cut, garbage between
 * conversations, not an array) is thrown as InputError. Without one, its bad elements stream as item failures
 * (like those of a large document).
 */
async function findBreak(doc: Document): Promise<void> {
	try {
		for await (const item of splitJsonArray(doc.chunks(true))) void item;
	} catch (e) {
		throw wrapStreamError(doc.label, e);
	}
}

/** The first non-whitespace byte of a document (after an optional BOM), or -1; reads its first chunk or two. */
async function firstDocumentByte(doc: Document): Promise<number> {
	let seen = 0;
	for await (const chunk of doc.chunks()) {
		for (let i = 0; i < chunk.length; i++, seen++) {
			const b = chunk[i]!;
			if (seen < 3 && (b === 0xef || b === 0xbb || b === 0xbf)) continue;
			if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
		}
		if (seen > 4096) break;
	}
	return -1;
}

/**
 * The source, among those that split their documents themselves, whose splitter and detector accept the first items
 * of a document; null when none does. A splitter that fails on the bytes is simply not that source.
 */
async function ownLayoutModule(doc: Document, choice: ProviderChoice): Promise<ProviderModule | null> {
	// Those that name such a file first (cheaper: most documents are theirs), then the others: the content decides.
	const path = doc.label.slice(doc.label.lastIndexOf(":") + 1);
	const named = OWN_LAYOUT_MODULES.filter((m) => m.files.test(path));
	for (const module of [...named, ...OWN_LAYOUT_MODULES.filter((m) => !named.includes(m))]) {
		if (choice !== "auto" && choice !== module.id) continue;
		const split = module.split!;
		let elements = 0;
		try {
			for await (const item of split(doc.chunks())) {
				elements++;
				if (item.ok && module.detect(item.value)) return module;
				if (elements >= PEEK_ELEMENTS) break;
			}
		} catch {
			// Not this layout.
		}
	}
	return null;
}

/**
 * With a `--provider` that is not the document's, when the document is of another source's own layout: says what it
 * is (a Claude Code session log given as `--provider codex`), rather than, later, that it is not a JSON array.
 */
async function refuseOtherLayout(doc: Document, choice: ProviderChoice): Promise<void> {
	if (choice === "auto") return;
	const actual = await ownLayoutModule(doc, "auto");
	if (actual) {
		throw new InputError(
			doc.label,
			`--provider ${choice} was given, but this is a ${actual.label} export (${actual.shape}); use --provider ${actual.id} or auto`,
		);
	}
}

/**
 * Opens one document: learns its provider from its first items (`doc.provider`; a source of its own layout also in
 * `doc.module`) and checks an array document to its end (see findBreak). `optional`: a document picked only by name
 * (a `MyActivity.json` of a full Google Takeout is there for every Google product) that no source recognises is
 * skipped (returns false) instead of refused.
 */
async function openDocument(doc: Document, choice: ProviderChoice, budget: WholeBudget, optional: boolean): Promise<boolean> {
	const first = await firstDocumentByte(doc);
	if (first !== 0x5b && OWN_LAYOUT_MODULES.length > 0) {
		const module = await ownLayoutModule(doc, choice);
		if (module) {
			doc.module = module;
			doc.provider = module.id;
			return true;
		}
		if (optional) return false;
		await refuseOtherLayout(doc, choice);
	}
	const parsed = await readWhole(doc, budget);
	let peek;
	try {
		peek = await peekProvider(doc);
		doc.provider = resolveProvider(doc.label, peek, choice);
	} catch (e) {
		if (optional) return false;
		throw e;
	}
	if (!parsed) await findBreak(doc);
	return true;
}

/**
 * Sources whose files may share one zip: a zip of a home folder's coding-agent logs holds Claude Code's and Codex's
 * sessions side by side (`.claude/projects/…`, `.codex/sessions/…`), as a folder of them does. Any other mix in one
 * zip is refused (it is no export any app writes).
 */
const MAY_SHARE_A_ZIP: ReadonlySet<Provider> = new Set(["claude-code", "codex"]);

/** Zip entries some source names as its files (see ProviderModule.files), other than the `conversations*.json` ones. */
function otherSourceFiles(files: readonly ZipFile[], taken: readonly ZipFile[]): ZipFile[] {
	const seen = new Set(taken);
	return files.filter((f) => !seen.has(f) && !f.path.startsWith("__MACOSX/") && PROVIDER_MODULES.some((m) => m.files.test(f.path)));
}

async function openZip(
	source: ByteSource,
	choice: ProviderChoice,
	budget: WholeBudget,
): Promise<{ input: OpenedInput; skipped: string[] }> {
	// Only the entries that can be conversations are kept while they are read: not one record per upload.
	const archive = await ZipArchive.open(source, (path) => mayBeConversationFile(path) || PROVIDER_MODULES.some((m) => m.files.test(path)));
	try {
		const files = findConversationFiles(archive.files);
		const others = otherSourceFiles(archive.files, files);
		if (files.length === 0 && others.length === 0) {
			const listing = archive.firstPaths.join(", ");
			throw new InputError(
				source.name,
				`no conversations in this zip: it has no conversations.json or conversations-NNN.json at its root or in one top-level folder, nor any other file a source exports (it holds ${archive.count} files${listing ? `: ${listing}` : ""}${archive.count > 8 ? ", …" : ""})`,
			);
		}
		const toDocument = (file: ZipFile): Document => ({
			label: `${source.name}:${file.path}`,
			size: file.size,
			chunks: () => archive.chunks(file),
		});
		const documents: Document[] = [];
		const skipped: string[] = [];
		let provider: Provider | null = null;
		for (const [file, optional] of [...files.map((f) => [f, false] as const), ...others.map((f) => [f, true] as const)]) {
			const doc = toDocument(file);
			if (!(await openDocument(doc, choice, budget, optional))) {
				skipped.push(doc.label);
				continue;
			}
			const p = doc.provider ?? null;
			if (p && provider && p !== provider && !(MAY_SHARE_A_ZIP.has(p) && MAY_SHARE_A_ZIP.has(provider))) {
				throw new InputError(
					doc.label,
					`this part is a ${providerLabel(p)} export but an earlier part of the same zip is ${providerLabel(provider)}`,
				);
			}
			provider ??= p;
			documents.push(doc);
		}
		if (documents.length === 0) {
			throw new InputError(
				source.name,
				`no conversations in this zip: none of its files is of ${shapesOf(PROVIDER_MODULES)} (looked at ${skipped.length}: ${skipped.slice(0, 4).join(", ")}${skipped.length > 4 ? ", …" : ""})`,
			);
		}
		return {
			input: {
				source,
				manifest: { name: source.name, size: source.size, provider, kind: "zip", documents: documents.map((d) => d.label) },
				documents,
				archive,
			},
			skipped,
		};
	} catch (e) {
		await archive.close();
		throw e;
	}
}

async function openJson(source: ByteSource, choice: ProviderChoice, chunkSize: number, budget: WholeBudget): Promise<OpenedInput> {
	if (source.size === 0) throw new InputError(source.name, "the file is empty");
	const encoding = nonUtf8Encoding(await source.read(0, Math.min(source.size, 4)));
	if (encoding) throw new InputError(source.name, nonUtf8Message(encoding));
	const doc: Document = {
		label: source.name,
		size: source.size,
		chunks: (reused) => sourceChunks(source, chunkSize, reused),
		readAt: (offset, length) => source.read(offset, length),
	};
	if ((await firstSignificantByte(source)) !== 0x5b && OWN_LAYOUT_MODULES.length > 0) {
		const module = await ownLayoutModule(doc, choice);
		if (module) {
			doc.module = module;
			doc.provider = module.id;
			return {
				source,
				manifest: { name: source.name, size: source.size, provider: module.id, kind: "json", documents: [source.name] },
				documents: [doc],
			};
		}
		await refuseOtherLayout(doc, choice);
	}
	const parsed = await readWhole(doc, budget);
	const provider = resolveProvider(source.name, await peekProvider(doc), choice);
	doc.provider = provider;
	if (!doc.whole) await checkComplete(source);
	if (!parsed) await findBreak(doc);
	return { source, manifest: { name: source.name, size: source.size, provider, kind: "json", documents: [source.name] }, documents: [doc] };
}

async function openOne(
	source: ByteSource,
	choice: ProviderChoice,
	chunkSize: number,
	budget: WholeBudget,
): Promise<{ input: OpenedInput; skipped: string[] }> {
	const head = await source.read(0, Math.min(source.size, 4));
	if (looksLikeZip(head)) return openZip(source, choice, budget);
	if (/\.zip$/i.test(source.name)) {
		throw new InputError(
			source.name,
			source.size === 0 ? "not a zip archive (the file is empty)" : "not a zip archive (it does not start with a zip signature)",
		);
	}
	return { input: await openJson(source, choice, chunkSize, budget), skipped: [] };
}

function normalize(provider: Provider, value: unknown): NormalizeResult {
	const module = providerModule(provider);
	const shape = detect(value);
	if (shape !== null && shape !== provider) {
		const other = providerModule(shape).normalize(value);
		const who = other.ok
			? { itemId: other.conversation.id, title: other.conversation.title }
			: { itemId: other.itemId, title: other.title };
		return { ok: false, ...who, reason: `a ${providerLabel(shape)} conversation inside a ${module.label} export` };
	}
	// Unrecognised shapes go through the provider's own validation, which says what is missing.
	return module.normalize(value);
}

/**
 * The elements of a document read whole, as the splitter would yield them: those read when opening (each let go
 * once yielded), or read again. Positions are estimated, spread evenly over the document's bytes.
 */
async function* wholeItems(doc: Document): AsyncGenerator<JsonArrayItem> {
	const elements = doc.whole ?? (await parseWhole(doc));
	doc.whole = null;
	if (!elements) {
		// Not one JSON array any more (the file changed since it was opened): the splitter says what is wrong.
		yield* splitJsonArray(doc.chunks(true));
		return;
	}
	const n = elements.length;
	for (let index = 0; index < n; index++) {
		const value = elements[index];
		elements[index] = undefined;
		yield { ok: true, index, offset: 1 + Math.floor(((doc.size - 2) * index) / n), value };
	}
}

function fromNormalized(label: string, result: NormalizeResult, index: number, position: number): ExtractResult {
	if (result.ok) return { ok: true, conversation: result.conversation, source: label, index, position };
	const failure: ExtractResult = { ok: false, source: label, index, reason: result.reason, position };
	if (result.itemId !== undefined) failure.itemId = result.itemId;
	if (result.title !== undefined) failure.title = result.title;
	return failure;
}

function toResult(label: string, provider: Provider, item: JsonArrayItem, before: number): ExtractResult {
	const position = before + item.offset;
	if (!item.ok) return { ok: false, source: label, index: item.index, reason: item.reason, position };
	return fromNormalized(label, normalize(provider, item.value), item.index, position);
}

/** A document's conversations: each item normalized, or its items grouped by its source (ProviderModule.group). */
async function* documentResults(
	doc: Document,
	provider: Provider,
	before: number,
	quick?: { reader: QuickReader; accept: NonNullable<ReadOptions["quick"]> },
): AsyncGenerator<ExtractResult> {
	const module = doc.module ?? providerModule(provider);
	if (quick && module.quick && !doc.module && !doc.readsWhole && !module.group) {
		yield* quick.reader.read(doc, provider, module.quick, before, quick.accept, (item) => toResult(doc.label, provider, item, before));
		return;
	}
	const items = doc.module ? doc.module.split!(doc.chunks()) : doc.readsWhole ? wholeItems(doc) : splitJsonArray(doc.chunks(true));
	if (module.group) {
		// A grouping source has read the whole document before its first conversation (and yields them in its own
		// order): the reading is at the document's end.
		for await (const r of module.group(items)) yield fromNormalized(doc.label, r, r.index, before + doc.size);
		return;
	}
	for await (const item of items) yield toResult(doc.label, provider, item, before);
}

async function closeAll(opened: readonly OpenedInput[]): Promise<void> {
	for (const o of opened) if (o.archive) await o.archive.close();
}

/**
 * Opens the inputs of one import and validates each of them up front (zip directory, conversation
 * files, the shape of the first conversations), so whole-input problems are thrown here as
 * {@link InputError} before anything is written. Claude bundle manifests (`manifest-*.json`) are
 * skipped when zips are given too, and refused alone with a message telling the user to pass the zips.
 */
export async function openExport(sources: readonly ByteSource[], opts: OpenExportOptions = {}): Promise<ExportReader> {
	const choice = opts.provider ?? "auto";
	const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
	const budget: WholeBudget = { maxBytes: opts.wholeMaxBytes ?? WHOLE_MAX_BYTES, left: opts.wholeBudgetBytes ?? WHOLE_BUDGET_BYTES };
	if (sources.length === 0) throw new InputError("(no input)", "no input was given");
	if (opts.quickReader) setWarmUpWatcher(opts.quickReader.warmUpWatcher());
	const opened: OpenedInput[] = [];
	const skipped: { name: string; reason: string }[] = [];
	const manifests: ByteSource[] = [];
	try {
		for (const source of sources) {
			if (await isBundleManifest(source)) {
				manifests.push(source);
				continue;
			}
			const { input, skipped: notRead } = await openOne(source, choice, chunkSize, budget);
			opened.push(input);
			for (const name of notRead)
				skipped.push({ name, reason: "no source recognises its content (another product's file of the same name?)" });
		}
		for (const manifest of manifests) {
			if (!opened.some((o) => o.manifest.kind === "zip")) {
				throw new InputError(
					manifest.name,
					"this is a Claude export manifest (it lists download links), not conversations: download the zip files it lists and pass those zips (or the folder holding them) instead",
				);
			}
			skipped.push({ name: manifest.name, reason: "Claude export manifest: its zips are read instead" });
		}
		if (opts.sha256) {
			for (const input of opened) {
				if (input.source.sha256) input.manifest.sha256 = await input.source.sha256();
			}
		}
	} catch (e) {
		await closeAll(opened);
		throw e;
	}

	return {
		inputs: opened.map((o) => o.manifest),
		skipped,
		totalBytes: opened.reduce((sum, o) => sum + o.documents.reduce((n, d) => n + d.size, 0), 0),
		async *conversations(options?: ReadOptions): AsyncGenerator<ExtractResult, void, undefined> {
			const quick = opts.quickReader && options?.quick ? { reader: opts.quickReader, accept: options.quick } : undefined;
			let before = 0;
			for (const input of opened) {
				for (const doc of input.documents) {
					const provider = doc.provider ?? input.manifest.provider;
					try {
						if (provider === null) {
							// Peeking saw an empty array: the document holds nothing, unless it changed since.
							for await (const item of doc.readsWhole ? wholeItems(doc) : splitJsonArray(doc.chunks(true))) {
								void item;
								throw new InputError(doc.label, "the input changed while it was being read (it was empty when opened)");
							}
						} else {
							yield* documentResults(doc, provider, before, quick);
						}
					} catch (e) {
						throw wrapStreamError(doc.label, e);
					}
					// A whole number kept small-integer (Smi) when it fits: a file's size from the host is a heap number
					// (Node's stat), and a position made from one (before + offset) turned every result's and wire item's
					// `position` field into a double field at the second document's first conversation: the maps those
					// objects had were deprecated, and the reader thread's pump and the main side's run loop, optimized
					// for them, thrown away ("wrong map").
					before = Math.trunc(before + doc.size);
				}
			}
		},
		async close(): Promise<void> {
			await closeAll(opened);
		},
	};
}
