import { STAGE_TYPES, type StageType } from "../model/status";
import type { PipelineRecordLike } from "./panel-model";

export interface StageRecordCounts {
	done: number;
	skipped: number;
	failed: number;
	review: number;
}

/** A failed item's latest record and its stage. */
export interface LoggedFailure {
	stage: StageType;
	record: PipelineRecordLike;
}

/** A note the load stage created or updated (its latest record). */
export interface LoggedNote {
	path: string;
	title: string | null;
	outcome: string;
}

function key(status: PipelineRecordLike["status"]): keyof StageRecordCounts {
	return status === "success" ? "done" : status === "review" ? "review" : status;
}

/** "updated (options changed): path" is an update too: the first word of the load record's reason is the outcome. */
function noteOf(r: PipelineRecordLike): LoggedNote | null {
	if (!r.note_path || (r.status !== "success" && r.status !== "review")) return null;
	const outcome = (r.reason ?? "").split(":")[0]?.split(" ")[0] ?? "";
	if (outcome !== "created" && outcome !== "updated") return null;
	return { path: r.note_path, title: r.title ?? null, outcome };
}

/**
 * What the panel needs from a phase's stage log, kept up to date record by record: per stage, each item's latest
 * record counted once (a retried item with its last outcome), the failed items, the notes written, the latest
 * times. Records are added as the log grows (see JsonlFollower), so a refresh costs what was appended since the last
 * one, not the whole log again; what the panel draws from it is capped (failures, notes), so neither grows with
 * the session.
 */
export class PhaseLog {
	private readonly latest = new Map<StageType, Map<string, PipelineRecordLike["status"]>>(STAGE_TYPES.map((t) => [t, new Map()]));
	private readonly counts = new Map<StageType, StageRecordCounts>(
		STAGE_TYPES.map((t) => [t, { done: 0, skipped: 0, failed: 0, review: 0 }]),
	);
	private readonly failed = new Map<StageType, Map<string, PipelineRecordLike>>(STAGE_TYPES.map((t) => [t, new Map()]));
	private readonly lastAt = new Map<StageType, string>();
	private lastAnyAt: string | null = null;
	/** Load's notes by item, and the order items last wrote one (ids may repeat; the latest counts). */
	private readonly notesById = new Map<string, LoggedNote>();
	private noteOrder: string[] = [];

	static from(records: readonly PipelineRecordLike[]): PhaseLog {
		const log = new PhaseLog();
		log.add(records);
		return log;
	}

	add(records: readonly PipelineRecordLike[]): void {
		for (const r of records) this.addOne(r);
	}

	private addOne(r: PipelineRecordLike): void {
		const latest = this.latest.get(r.stage);
		if (!latest) return;
		const counts = this.counts.get(r.stage)!;
		const before = latest.get(r.item_id);
		if (before !== undefined) counts[key(before)]--;
		latest.set(r.item_id, r.status);
		counts[key(r.status)]++;
		const failed = this.failed.get(r.stage)!;
		if (r.status === "failed") failed.set(r.item_id, r);
		else failed.delete(r.item_id);
		const last = this.lastAt.get(r.stage);
		if (last === undefined || r.timestamp > last) this.lastAt.set(r.stage, r.timestamp);
		if (this.lastAnyAt === null || r.timestamp > this.lastAnyAt) this.lastAnyAt = r.timestamp;
		if (r.stage === "load") {
			const note = noteOf(r);
			if (note) {
				this.notesById.set(r.item_id, note);
				this.noteOrder.push(r.item_id);
				if (this.noteOrder.length > 4 * this.notesById.size + 1024) this.compactNoteOrder();
			} else this.notesById.delete(r.item_id);
		}
	}

	/** Keeps each id once, at its latest place (the order list never grows past a few times the notes). */
	private compactNoteOrder(): void {
		const seen = new Set<string>();
		const out: string[] = [];
		for (let i = this.noteOrder.length - 1; i >= 0; i--) {
			const id = this.noteOrder[i]!;
			if (seen.has(id) || !this.notesById.has(id)) continue;
			seen.add(id);
			out.push(id);
		}
		this.noteOrder = out.reverse();
	}

	stageCounts(stage: StageType): StageRecordCounts {
		return { ...this.counts.get(stage)! };
	}

	lastTimestamp(stage: StageType): string | null {
		return this.lastAt.get(stage) ?? null;
	}

	/** The latest time of any record. */
	get lastRecordAt(): string | null {
		return this.lastAnyAt;
	}

	/** Failed items, stage by stage: the first `max`, and how many there are in all. */
	failures(max: number): { list: LoggedFailure[]; total: number } {
		const list: LoggedFailure[] = [];
		let total = 0;
		for (const stage of STAGE_TYPES) {
			const failed = this.failed.get(stage)!;
			total += failed.size;
			for (const record of failed.values()) {
				if (list.length >= max) break;
				list.push({ stage, record });
			}
		}
		return { list, total };
	}

	/** Notes written, latest first: the first `max`, and how many there are in all. */
	notes(max: number): { list: LoggedNote[]; total: number } {
		const list: LoggedNote[] = [];
		const seen = new Set<string>();
		for (let i = this.noteOrder.length - 1; i >= 0 && list.length < max; i--) {
			const id = this.noteOrder[i]!;
			if (seen.has(id)) continue;
			seen.add(id);
			const note = this.notesById.get(id);
			if (note) list.push(note);
		}
		return { list, total: this.notesById.size };
	}
}
