import { openExport } from "../extract";
import type { ImportOptionsInput } from "./import-options";
import { ImportIndex } from "../load/import-index";
import type { ByteSource } from "../../ports/byte-source";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import type { Provider } from "../../model/conversation";

/** One conversation of the export, as the preview lists it (to choose what to import): no messages are kept. */
export interface PreviewConversation {
	id: string;
	provider: Provider;
	title: string;
	/** Updated (else created) time, ISO; null when the export has none. */
	time: string | null;
	messages: number;
	status: "new" | "updated" | "unchanged";
}

/** What the import modal shows before "Start import". */
export interface ImportPreview {
	providers: string[];
	conversations: number;
	new: number;
	updated: number;
	unchanged: number;
	failed: number;
	/** Every conversation read, in export order (a few hundred bytes each, even for 100k conversations). */
	items: PreviewConversation[];
}

/**
 * Reads the export once (streaming) and compares each conversation with the import index: not there → new;
 * there with an older `updated` time → updated; else unchanged — the same rule the load stage applies (a source
 * is "updated" when its updated time moved). Notes the user edited show as updated here; the run preserves them.
 * Writes nothing.
 */
/** How far a preview has read: conversations so far, and bytes of all the inputs (when known). */
export interface PreviewProgress {
	conversations: number;
	bytesRead: number;
	bytesTotal: number | null;
}

/** A preview stopped by its signal (the user cancelled it, or closed the dialog). */
export class PreviewCancelledError extends Error {
	override readonly name = "PreviewCancelledError";
	constructor() {
		super("Preview cancelled");
	}
}

export async function previewSources(
	deps: { store: StagingStore; logger?: Logger },
	sources: readonly ByteSource[],
	options: Pick<ImportOptionsInput, "provider" | "limit">,
	run: { signal?: AbortSignal; onProgress?: (p: PreviewProgress) => void } = {},
): Promise<ImportPreview> {
	if (run.signal?.aborted) throw new PreviewCancelledError();
	const reader = await openExport(sources, { provider: options.provider ?? "auto" });
	try {
		const index = await ImportIndex.open(deps.store, deps.logger);
		const providers = [...new Set(reader.inputs.flatMap((i) => (i.provider ? [i.provider] : [])))];
		const out: ImportPreview = { providers, conversations: 0, new: 0, updated: 0, unchanged: 0, failed: 0, items: [] };
		const total = reader.totalBytes ?? null;
		let told = 0;
		for await (const r of reader.conversations()) {
			if (run.signal?.aborted) throw new PreviewCancelledError();
			if (run.onProgress && Date.now() - told >= 150) {
				told = Date.now();
				run.onProgress({ conversations: out.conversations, bytesRead: r.position ?? 0, bytesTotal: total });
			}
			if (options.limit !== undefined && out.conversations + out.failed >= options.limit) break;
			if (!r.ok) {
				out.failed++;
				continue;
			}
			out.conversations++;
			const c = r.conversation;
			const known = index.get(c.provider, c.id);
			const status = !known
				? "new"
				: c.updated && (!known.sourceUpdated || Date.parse(c.updated) > Date.parse(known.sourceUpdated))
					? "updated"
					: "unchanged";
			out[status]++;
			out.items.push({ id: c.id, provider: c.provider, title: c.title, time: c.updated ?? c.created, messages: c.messages.length, status });
		}
		return out;
	} finally {
		await reader.close();
	}
}
