/** Extract side of the import phase: inputs (zip / JSON) → canonical conversations. */
export { InputError, JsonStreamError } from "./errors";
export { splitJsonArray, chunksOf, type JsonArrayItem } from "./json-array-stream";
export { ZipArchive, findConversationFiles, entryPathEscapes, looksLikeZip, type ZipFile } from "./zip-archive";
export { normalizeClaude, looksLikeClaude } from "./normalize/claude";
export { normalizeChatGpt, looksLikeChatGpt } from "./normalize/chatgpt";
export type { NormalizeResult } from "./normalize/result";
export {
	openExport,
	type ExportReader,
	type ExtractResult,
	type InputManifestEntry,
	type OpenExportOptions,
	type ProviderChoice,
	type ReadOptions,
} from "./open-export";
export {
	PROVIDERS,
	PROVIDER_MODULES,
	providerModule,
	providerLabel,
	detectProvider,
	type ProviderModule,
	type GroupedResult,
} from "./normalize/registry";
