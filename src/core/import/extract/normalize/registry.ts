import type { Provider } from "../../../model/conversation";
import type { JsonArrayItem } from "../json-array-stream";
import { chatgptSource } from "./chatgpt";
import { claudeSource } from "./claude";
import { deepseekSource } from "./deepseek";
import { geminiSource } from "./gemini";
import { grokSource } from "./grok";
import { lechatSource } from "./lechat";
import { perplexitySource } from "./perplexity";
import { claudeCodeSource } from "./claude-code";
import { codexSource } from "./codex";
import type { NormalizeResult } from "./result";
import type { QuickShape } from "../quick-look";

/**
 * One source of conversations (Claude, ChatGPT, …): everything the import knows of it, in its own module
 * (`normalize/<id>.ts`), registered in {@link PROVIDERS}. Nothing else in the code keys on a provider id.
 */
export interface ProviderModule {
	/** Stable id (see providers.ts): frontmatter `source`, `--provider`, the import index. */
	readonly id: Provider;
	/** Its name, as shown (preview, panel, messages) and as its notes' folder (`AI Conversations/<label>/`). */
	readonly label: string;
	/** The shape that tells it apart, for messages (`conversations with "chat_messages"`). */
	readonly shape: string;
	/** What a note says of a file the conversation names but the note cannot hold. */
	readonly missingFile: string;
	/** Where a conversation is on the source's site (`url`, the link atop the note): its id goes after this. Absent: none. */
	readonly chatUrlBase?: string;
	/**
	 * Paths (inside a zip or a folder, `/`-separated) of the files that may hold its conversations. It only narrows the
	 * files read: the content decides (`conversations.json` may be Claude, ChatGPT or DeepSeek).
	 */
	readonly files: RegExp;
	/**
	 * How one document's bytes become raw items, streaming. Absent: the elements of a top-level JSON array (the
	 * common case, read with the shared splitter, or whole when small). A source of another layout (JSON Lines, an
	 * object holding the array, HTML) gives its own; its documents are then told apart by trying each such source.
	 */
	readonly split?: (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<JsonArrayItem>;
	/**
	 * With `split`: its documents may ALSO be top-level JSON arrays, read by the shared splitter (Gemini's Takeout is
	 * `MyActivity.json`, an array, or `MyActivity.html`, split by its own reader). Without `split` it always is.
	 */
	readonly jsonArrays?: boolean;
	/** True when one raw item has this source's shape (its first items decide a document). */
	detect(raw: unknown): boolean;
	/** One raw item → one conversation (or an item failure with a reason). */
	normalize(raw: unknown): NormalizeResult;
	/**
	 * For a source whose conversation spans several items (an activity log: one record per prompt; a session log: one
	 * line per event): all the items of one document → its conversations. Used instead of `normalize` when present.
	 * Each result carries the index and byte offset of an item it came from (for failures and progress).
	 */
	readonly group?: (items: AsyncIterable<JsonArrayItem>) => AsyncIterable<GroupedResult>;
	/**
	 * Where an element's id and source time are, for a re-import that decides "unchanged" from a look at the element
	 * without parsing it (quick-look.ts). Must say what `normalize` makes of them; absent: every element is parsed.
	 */
	readonly quick?: QuickShape;
}

export type GroupedResult = NormalizeResult & { index: number; offset: number };

/**
 * Every source, in detection order: the first whose `detect` accepts an item wins, so a narrower shape comes before a
 * broader one that also matches it (DeepSeek's `mapping` before ChatGPT's).
 */
export const PROVIDERS: { readonly [P in Provider]: ProviderModule & { readonly id: P } } = {
	claude: claudeSource,
	// DeepSeek's `mapping` tree would also pass ChatGPT's looser test: it comes first.
	deepseek: deepseekSource,
	chatgpt: chatgptSource,
	gemini: geminiSource,
	lechat: lechatSource,
	grok: grokSource,
	// Reads a whole small object per file: after the streaming layouts, so they are tried first.
	perplexity: perplexitySource,
	"claude-code": claudeCodeSource,
	codex: codexSource,
};

/** The sources in detection order. */
export const PROVIDER_MODULES: readonly ProviderModule[] = Object.values(PROVIDERS);

export function providerModule(id: Provider): ProviderModule {
	return PROVIDERS[id];
}

export function providerLabel(id: Provider): string {
	return PROVIDERS[id].label;
}

/** The source whose shape a raw item has, among `modules` (all by default); null when none. */
export function detectProvider(raw: unknown, modules: readonly ProviderModule[] = PROVIDER_MODULES): ProviderModule | null {
	return modules.find((m) => m.detect(raw)) ?? null;
}
