import { runStage, type ItemOutcome, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import type { NoteVault } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import type { ImportIndex } from "../load/import-index";
import { LOG_BATCH_MS } from "./extract-stage";
import type { NoteDraft } from "../transform/note-draft";
import type { ImportOptions } from "./import-options";
import type { DraftFileWriter } from "../attachments/resolve-draft-files";
import { NEW_MESSAGES_APPENDED, NoteLoader, type NoteWritten } from "../load/note-loader";

export {
	appendTurns,
	finalNote,
	LOAD_MANIFEST_FILE,
	MAX_NOTE_FILE_NAME_BYTES,
	NEW_MESSAGES_APPENDED,
	REVIEW_FOLDER,
	utf8Bytes,
	type ManifestLine,
	type NoteOutcome,
} from "../load/note-loader";

export interface LoadStageOptions {
	ctx: StageContext;
	vault: NoteVault;
	index: ImportIndex;
	drafts: AsyncIterable<NoteDraft>;
	options: ImportOptions;
	skip?: (id: string) => boolean;
	/** Hashes `file_id` (default: Web Crypto where the runtime has it, else JavaScript). */
	sha256?: Sha256Text;
	/** Notes written at once (default 4). Names and logs are the same whatever the value. */
	concurrency?: number;
	/** See RunStageOptions.sharedLogReady. */
	sharedLogReady?: boolean;
	/** See RunStageOptions.stepLog (the import: "all" in debug mode only). */
	stepLog?: "all" | "failed";
	/** Debug mode: also keep a full copy of every note written in the session's `load/output/` (default: the manifest only). */
	keepCopies?: boolean;
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
	/** Brings the files a draft refers to into the vault (absent: their tokens become nothing; see draft-files.ts). */
	files?: DraftFileWriter;
	/** Drafts of notes extract found unchanged as written (TransformStageOptions.quiet): left, with no record. */
	quiet?: WeakSet<NoteDraft>;
}

/**
 * Load: each note draft into the vault (`<out>/<Provider>/<Title>.md`, names collision-safe and stable), idempotent
 * by source id through the import index, and a line in the session's `load/output/manifest.jsonl` (a full copy
 * only in debug mode). The NoteLoader decides and writes each note; this wires it into a stage: the decisions in
 * input order (`determine_vault`), the writes overlapping (`move_to_vault`), the index and the manifest flushed
 * before the log that names their notes.
 */
export async function runLoadStage(o: LoadStageOptions): Promise<StageResult> {
	const loader = new NoteLoader({
		ctx: o.ctx,
		vault: o.vault,
		index: o.index,
		options: o.options,
		...(o.sha256 ? { sha256: o.sha256 } : {}),
		...(o.keepCopies ? { keepCopies: true } : {}),
		...(o.files ? { files: o.files } : {}),
	});
	let sinceFlush = 0;
	await loader.open();
	try {
		return await runStage<NoteDraft>({
			ctx: o.ctx,
			stage: "load",
			// A note written but not yet logged when a crash hits is adopted as unchanged on resume (the index and the
			// vault, not the log, prove it), so the log appends can be batched.
			logBatchMs: LOG_BATCH_MS,
			// The index and the manifest reach the disk before any record that says their notes are written (a kill
			// between the two would leave an item logged done that neither names: not redone, and lost to both).
			beforeLog: () => loader.flush(),
			// Decisions are made one at a time in input order; the writes overlap (the disk, not the CPU, is the limit).
			concurrency: o.concurrency ?? 4,
			items: o.drafts,
			identify: (d) => ({ id: d.item_id, title: d.title }),
			...(o.skip ? { skip: o.skip } : {}),
			process: async (draft, step) => {
				if (draft.as_written !== undefined && o.quiet?.has(draft)) return { status: "success", quiet: true, outcome: "unchanged" };
				const plan = await step.run("determine_vault", () => loader.plan(draft));
				const result = await step.run("move_to_vault", () => loader.write(plan));
				if (++sinceFlush >= 50) {
					sinceFlush = 0;
					await loader.flush();
				}
				return loadRecord(draft, result, o.options.dryRun);
			},
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {}),
			...(o.sharedLogReady ? { sharedLogReady: true } : {}),
			...(o.stepLog ? { stepLog: o.stepLog } : {}),
		});
	} finally {
		await loader.flush();
	}
}

/** The load record of one note: "updated (options changed): path" (the first word stays the outcome, see summarize). */
function loadRecord(draft: NoteDraft, result: NoteWritten, dryRun: boolean): ItemOutcome {
	// Built as [outcome, path, reason].filter(non-empty).join(": ") was, without the array per note.
	let reason = result.why ? `${result.outcome} (${result.why})` : result.outcome;
	if (result.path) reason += `: ${result.path}`;
	if (result.reason) reason += `: ${result.reason}`;
	const record: ItemOutcome = draft.review_reason
		? { status: "review", reason: `${reason}; review: ${draft.review_reason}` }
		: { status: "success", reason };
	if (result.path !== null && !dryRun) record.note = result.path;
	record.outcome = result.outcome;
	if (result.outcome === "updated" && result.why && result.why !== NEW_MESSAGES_APPENDED) record.rerendered = true;
	return record;
}
