import type { ByteSource } from "../../ports/byte-source";
import type { ExportReader, ExtractResult } from "../extract";
import { fromWire, toWire, type WireResult } from "../extract/reader-thread";
import { fingerprint, type InputFingerprint } from "./input-manifest";

/**
 * What a preview keeps of its reading, in characters of the conversations' JSON lines: an export up to about this
 * size is read once for a preview and its import; a larger one is read again by the import (memory stays bounded).
 */
export const PREVIEW_KEEP_CHARS = 64 * 2 ** 20;

/** The inputs as a preview read them: what a new import takes instead of reading its export again. */
export interface PreparedInputs {
	/** Replays the preview's results, in export order, as the export's reader gave them. */
	reader: ExportReader;
	/** The inputs' fingerprints for the session's manifest (taken by the preview: the import reads no byte of them). */
	fingerprints: readonly InputFingerprint[];
}

/**
 * A preview's reading, kept so that "Start import" right after it does not read the export again (issue 17, item 5):
 * every result the reader gave (each conversation as its JSON line and facts, as a reader thread sends them; each
 * failure as it was), the inputs' manifest, and their fingerprints. Kept only while within `budgetChars`, and only
 * usable when the preview read every input to its end; the host decides whether the inputs are still the same files.
 */
export class PreviewReading {
	private results: WireResult[] = [];
	private chars = 0;
	private opened: Pick<ExportReader, "inputs" | "skipped" | "totalBytes"> | null = null;
	private fingerprints: InputFingerprint[] | null = null;
	/** Over the budget: nothing is kept any more (the import reads the export). */
	private dropped = false;

	constructor(private readonly budgetChars = PREVIEW_KEEP_CHARS) {}

	/** The preview opened its inputs. */
	begin(reader: ExportReader): void {
		this.opened = {
			inputs: reader.inputs,
			skipped: reader.skipped,
			...(reader.totalBytes !== undefined ? { totalBytes: reader.totalBytes } : {}),
		};
	}

	/** One result, in export order. */
	add(r: ExtractResult): void {
		if (this.dropped) return;
		const wire = toWire(r);
		this.chars += wire.ok ? (wire.line?.length ?? 0) : wire.reason.length;
		if (this.chars > this.budgetChars) {
			this.dropped = true;
			this.results = [];
			return;
		}
		this.results.push(wire);
	}

	/** The preview read every input to its end: the fingerprints of the inputs make the reading usable. */
	async finish(sources: readonly ByteSource[]): Promise<void> {
		if (this.dropped || !this.opened) return;
		const prints: InputFingerprint[] = [];
		for (const source of sources) prints.push(await fingerprint(source));
		this.fingerprints = prints;
	}

	/** Whether an import can take this reading (complete and within the budget). */
	get usable(): boolean {
		return !this.dropped && this.opened !== null && this.fingerprints !== null;
	}

	/** Conversations and failures kept (for tests and the debug log). */
	get size(): number {
		return this.results.length;
	}

	/** The reading as a new import takes it; null when it is not usable. */
	prepared(): PreparedInputs | null {
		if (!this.usable) return null;
		const results = this.results;
		const opened = this.opened!;
		const reader: ExportReader = {
			inputs: opened.inputs,
			skipped: opened.skipped,
			...(opened.totalBytes !== undefined ? { totalBytes: opened.totalBytes } : {}),
			// Each call starts over, as a reader's does; a conversation is parsed from its line only when a stage uses it.
			async *conversations() {
				for (const w of results) yield fromWire(w);
				await Promise.resolve();
			},
			close: () => Promise.resolve(),
		};
		return { reader, fingerprints: this.fingerprints! };
	}
}
