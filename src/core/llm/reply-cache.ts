import * as z from "../model/zod";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { sha256Hex } from "../util/sha256";
import type { RawReply } from "./extract-knowledge";

/**
 * The vault-level cache of model replies: every reply the knowledge transform was paid for, kept under
 * `.staging/@cache/llm/<2 hex>/<key>.json` (one small file per reply, so a lookup reads one file and memory never
 * holds the cache). A new session, a re-import after a crash, a resume or a retry finds a reply here instead of
 * calling the model again.
 *
 * The key is everything that shapes a reply: the conversation (provider and id), the prompt's hash (the exact
 * messages sent: the transcript, i.e. the conversation's content, and the prompt text, so the language and the
 * part of a split conversation are in it), the prompt version, the model, and the client's settings that change
 * an answer (temperature, reply length). Change any of them and the model is called again.
 */
export const LLM_CACHE_ROOT = ".staging/@cache/llm";

export interface ReplyKey {
	provider: string;
	conversationId: string;
	part: number;
	totalParts: number;
	/** SHA-256 of the prompt messages (see hashPrompt). */
	promptHash: string;
	promptVersion: string;
	model: string;
	/** The client's reply-shaping settings (LlmClient.settings), "" when it has none. */
	settings: string;
}

const CachedReplySchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		key: z.string(),
		provider: z.string(),
		conversation_id: z.string(),
		part: z.number(),
		totalParts: z.number(),
		promptHash: z.string(),
		promptVersion: z.string(),
		model: z.string(),
		settings: z.string(),
		content: z.string(),
		promptTokens: z.optional(z.number()),
		completionTokens: z.optional(z.number()),
		/** The session that paid for the reply. */
		session_id: z.string(),
		saved_at: z.string(),
	}),
);

/** What `prune` reads of a cached reply: the session that paid for it (made once, not per file). */
const CachedReplySessionSchema = /* @__PURE__ */ z.lazySchema(() => z.pick(CachedReplySchema(), { session_id: true }));
export type CachedReply = z.infer<ReturnType<typeof CachedReplySchema>>;

export function replyKey(k: ReplyKey): string {
	return sha256Hex(
		JSON.stringify(["llm-reply/1", k.provider, k.conversationId, k.part, k.totalParts, k.promptHash, k.promptVersion, k.model, k.settings]),
	);
}

export function replyPath(key: string, root = LLM_CACHE_ROOT): string {
	return `${root}/${key.slice(0, 2)}/${key}.json`;
}

export interface CacheSize {
	/** Replies kept. */
	entries: number;
	bytes: number;
}

export class LlmReplyCache {
	constructor(
		private readonly store: StagingStore,
		private readonly logger?: Logger,
		private readonly root = LLM_CACHE_ROOT,
	) {}

	/**
	 * The saved reply for a key, or null. `onlySession`: only a reply this session paid for (a `--llm-refresh` run
	 * ignores older replies, but a resume of it still reuses its own). A damaged entry is a miss, logged.
	 */
	async get(k: ReplyKey, opts: { onlySession?: string } = {}): Promise<RawReply | null> {
		const key = replyKey(k);
		const path = replyPath(key, this.root);
		let text: string;
		try {
			if (!(await this.store.exists(path))) return null;
			text = await this.store.read(path);
		} catch {
			return null;
		}
		let entry: CachedReply;
		try {
			entry = CachedReplySchema().parse(JSON.parse(text));
		} catch (error) {
			this.logger?.warn(
				`${path}: not a saved model reply (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); the model will be called again`,
			);
			return null;
		}
		if (entry.key !== key) return null;
		if (opts.onlySession !== undefined && entry.session_id !== opts.onlySession) return null;
		return {
			part: entry.part,
			totalParts: entry.totalParts,
			promptHash: entry.promptHash,
			model: entry.model,
			content: entry.content,
			...(entry.promptTokens !== undefined ? { promptTokens: entry.promptTokens } : {}),
			...(entry.completionTokens !== undefined ? { completionTokens: entry.completionTokens } : {}),
		};
	}

	/** Keeps a reply (atomically: a crash leaves the old entry or the new one, never half of one). */
	async put(k: ReplyKey, reply: RawReply, meta: { sessionId: string; savedAt: string }): Promise<void> {
		const key = replyKey(k);
		const entry: CachedReply = {
			key,
			provider: k.provider,
			conversation_id: k.conversationId,
			part: k.part,
			totalParts: k.totalParts,
			promptHash: k.promptHash,
			promptVersion: k.promptVersion,
			model: k.model,
			settings: k.settings,
			content: reply.content,
			...(reply.promptTokens !== undefined ? { promptTokens: reply.promptTokens } : {}),
			...(reply.completionTokens !== undefined ? { completionTokens: reply.completionTokens } : {}),
			session_id: meta.sessionId,
			saved_at: meta.savedAt,
		};
		await this.store.writeAtomic(replyPath(key, this.root), `${JSON.stringify(entry)}\n`);
	}

	/** How many replies the cache holds and their bytes on disk (for `status` and the panel). */
	async size(): Promise<CacheSize> {
		let entries = 0;
		let bytes = 0;
		for (const file of await this.files()) {
			const st = await this.store.stat(file);
			if (!st) continue;
			entries++;
			bytes += st.size;
		}
		return { entries, bytes };
	}

	/**
	 * Removes the replies paid for by sessions that are gone (`keep(sessionId)` false): run after sessions are
	 * removed. A reply still needed by a note is not lost for good: the import index then skips the call for an
	 * unchanged conversation anyway. Returns what was removed.
	 */
	async prune(keep: (sessionId: string) => boolean): Promise<CacheSize> {
		let entries = 0;
		let bytes = 0;
		for (const file of await this.files()) {
			let sessionId: string | null = null;
			try {
				sessionId = CachedReplySessionSchema().parse(JSON.parse(await this.store.read(file))).session_id;
			} catch {
				sessionId = null; // damaged: of no use to anyone
			}
			if (sessionId !== null && keep(sessionId)) continue;
			const st = await this.store.stat(file);
			await this.store.remove(file);
			entries++;
			bytes += st?.size ?? 0;
		}
		for (const folder of (await this.store.list(this.root)).folders) {
			const inside = await this.store.list(folder);
			if (inside.files.length === 0 && inside.folders.length === 0) await this.store.removeFolder(folder);
		}
		return { entries, bytes };
	}

	private async files(): Promise<string[]> {
		const out: string[] = [];
		for (const shard of (await this.store.list(this.root)).folders) {
			for (const file of (await this.store.list(shard)).files) if (file.endsWith(".json")) out.push(file);
		}
		return out;
	}
}
