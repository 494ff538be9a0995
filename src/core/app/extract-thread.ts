/**
 * What a reader thread runs (the CLI's worker thread, see cli/extract-thread; the plugin's Web Worker, see
 * plugin/reader-worker): the export reader, the drafts it renders there so that parsing and writing use two cores,
 * and both ends of the messages between that thread and the import (import/extract/reader-thread).
 */
export { openExport } from "../import/extract/open-export";
export { quickResults } from "../import/extract/quick-results";
export { draftNote } from "../import/transform/note-draft";
export { rememberBodyHash, saveBodyHash } from "../import/transform/file-id";
export { premakeNote, PremadePaths, rememberPremadeNote, type PremadeNote } from "../import/load/premade-note";
export { firstNotePath } from "../import/load/note-place";
export { conversationFacts } from "../model/conversation-facts";
export {
	BATCH_CHARS,
	BATCH_ITEMS,
	FIRST_RUN,
	WINDOW,
	fromWire,
	reviveError,
	serveReader,
	toWire,
	wireError,
	WorkerReader,
	type DraftOptions,
	type FromWorker,
	type InputOpener,
	type ReaderEndpoint,
	type ReaderSetup,
	type RemoteBytes,
	type ToWorker,
	type WireError,
	type WireResult,
	type WorkerSidePort,
} from "../import/extract/reader-thread";
export { setMaxStringBytes, DEFAULT_MAX_STRING_BYTES } from "../import/extract/json-array-stream";
