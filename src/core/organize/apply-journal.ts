import * as z from "../model/zod";
import { ensureJsonlLineStart, parseJsonl, readJsonl } from "../logs/jsonl";
import type { Logger } from "../ports/logger";
import type { NoteVault } from "../ports/note-vault";
import type { StagingStore } from "../ports/staging-store";
import { sha256Hex } from "../util/sha256";
import {
	AppliedOperationSchema,
	AppliedRecordSchema,
	type AppliedOperation,
	type AppliedRecord,
	type ItemApplyState,
	type OperationLog,
	type UndoDataReader,
	sameFile,
} from "./apply-plan";
import { stageOutputDir } from "../session/paths";

/**
 * The write-ahead journal of an organize apply (`organize/load/output/journal.jsonl`), and the undo data beside
 * it (`undo-data/<sha256>`: each original text once, by its hash).
 *
 * Before a note is touched, the operation is appended (with the hash of the original text, whose copy is already
 * written and flushed) and flushed; then the vault is changed; then "done" is appended. A kill or a full disk at
 * any point therefore leaves, for every change in the vault, a line that says how to reverse it: an operation
 * without its "done" is settled against the vault when the journal is read for a resume or an undo (did the
 * change happen or not?). Appending is linear: one line per event, never the whole record again.
 *
 * Lines: `start` (a run begins; the first one carries the plan's time), `op` (n, operation, links: a link
 * rewrite), `done` / `void` (operation n happened / did not), `item` (a note's state), `fail`, `unfail` (retry
 * drops earlier failures), `linked` (moves whose links were rewritten), `complete`.
 */

const LineSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.discriminatedUnion("t", [
		z.object({ t: z.literal("start"), planCreatedAt: z.string(), appliedAt: z.string() }),
		z.object({ t: z.literal("op"), n: z.number(), op: AppliedOperationSchema(), links: z.optional(z.boolean()) }),
		z.object({ t: z.literal("done"), n: z.number() }),
		z.object({ t: z.literal("void"), n: z.number() }),
		z.object({ t: z.literal("item"), from: z.string(), state: z.enum(["edited", "done", "edit-failed", "move-failed"]) }),
		z.object({ t: z.literal("fail"), path: z.string(), message: z.string() }),
		z.object({ t: z.literal("unfail"), paths: z.array(z.string()) }),
		z.object({ t: z.literal("linked"), moves: z.number() }),
		z.object({ t: z.literal("complete") }),
	]),
);
type Line = z.infer<ReturnType<typeof LineSchema>>;

export function journalPaths(sessionId: string): { journal: string; undoData: string } {
	const dir = stageOutputDir(sessionId, "organize", "load");
	return { journal: `${dir}/journal.jsonl`, undoData: `${dir}/undo-data` };
}

/** What settling a pending operation found; `cut`: a move (or a trash) left under both names, which resume finishes. */
export interface SettledOperation {
	n: number;
	happened: boolean;
	cut?: { from: string; to: string };
}

/** An operation whose "done" never came: it may or may not have happened. */
export interface PendingOperation {
	n: number;
	op: AppliedOperation;
	links: boolean;
}

export interface JournalState {
	/** The record as the journal tells it (operations: those done, in the order they were started). */
	record: AppliedRecord;
	/** Operations started and not finished: settle them with `settlePending` before undoing or going on. */
	pending: PendingOperation[];
	/** The operations done, with their numbers (record.operations without them). */
	done: PendingOperation[];
	/** The number for the next operation. */
	nextN: number;
}

export class ApplyJournal implements OperationLog {
	private constructor(
		private readonly store: StagingStore,
		private readonly paths: { journal: string; undoData: string },
		private n: number,
	) {}

	/** Opens the journal of a session for appending (a cut-off last line is ended first) and logs a new run. */
	static async open(
		store: StagingStore,
		sessionId: string,
		run: { planCreatedAt: string; appliedAt: string; nextN?: number },
	): Promise<ApplyJournal> {
		const paths = journalPaths(sessionId);
		await ensureJsonlLineStart(store, paths.journal);
		const journal = new ApplyJournal(store, paths, run.nextN ?? 0);
		await journal.line({ t: "start", planCreatedAt: run.planCreatedAt, appliedAt: run.appliedAt }, true);
		return journal;
	}

	private async line(line: Line, sync = false): Promise<void> {
		await this.store.append(this.paths.journal, `${JSON.stringify(line)}\n`, { private: true, ...(sync ? { sync: true } : {}) });
	}

	async keep(text: string): Promise<string> {
		const sha = sha256Hex(text);
		const path = `${this.paths.undoData}/${sha}`;
		// Written atomically and flushed: present means whole. The same text is kept once.
		if (!(await this.store.exists(path))) await this.store.writeAtomic(path, text, { private: true, sync: true });
		return sha;
	}

	async begin(op: AppliedOperation, links = false): Promise<number> {
		const n = this.n++;
		await this.line({ t: "op", n, op, ...(links ? { links: true } : {}) }, true);
		return n;
	}

	async end(n: number, happened: boolean): Promise<void> {
		await this.line(happened ? { t: "done", n } : { t: "void", n });
	}

	async itemState(from: string, state: ItemApplyState): Promise<void> {
		await this.line({ t: "item", from, state });
	}

	async failure(path: string, message: string): Promise<void> {
		await this.line({ t: "fail", path, message });
	}

	async unfail(paths: readonly string[]): Promise<void> {
		if (paths.length > 0) await this.line({ t: "unfail", paths: [...paths] });
	}

	async linked(moves: number): Promise<void> {
		await this.line({ t: "linked", moves });
	}

	async complete(): Promise<void> {
		await this.line({ t: "complete" }, true);
	}

	/** Copies a record from an older applied.json into a new journal, so that it stays the whole story. */
	async seed(record: AppliedRecord): Promise<void> {
		const lines: Line[] = [];
		for (const op of record.operations) {
			const n = this.n++;
			lines.push({ t: "op", n, op }, { t: "done", n });
		}
		for (const [from, state] of Object.entries(record.items ?? {})) lines.push({ t: "item", from, state });
		for (const failure of record.failures) lines.push({ t: "fail", ...failure });
		if (record.movesLinked !== undefined) lines.push({ t: "linked", moves: record.movesLinked });
		await this.store.append(this.paths.journal, lines.map((line) => `${JSON.stringify(line)}\n`).join(""), { private: true, sync: true });
	}
}

export async function journalExists(store: StagingStore, sessionId: string): Promise<boolean> {
	return store.exists(journalPaths(sessionId).journal);
}

/** Reads the journal into a record (null when the session has none). A cut-off last line is skipped. */
export async function readApplyJournal(store: StagingStore, sessionId: string, logger?: Logger): Promise<JournalState | null> {
	const paths = journalPaths(sessionId);
	if (!(await store.exists(paths.journal))) return null;
	const { records } = await readJsonl(store, paths.journal, { schema: LineSchema(), ...(logger ? { logger } : {}) });
	return journalState(records);
}

/** The journal's text as a state (the panel reads the text itself, cached). */
export function parseApplyJournal(text: string, path: string): JournalState | null {
	return journalState(parseJsonl(text, path, { schema: LineSchema() }).records);
}

function journalState(records: readonly Line[]): JournalState | null {
	let record: AppliedRecord | null = null;
	const started = new Map<number, { op: AppliedOperation; links: boolean }>();
	const finished = new Map<number, boolean>();
	let failures: AppliedRecord["failures"] = [];
	const items: NonNullable<AppliedRecord["items"]> = {};
	let movesLinked: number | undefined;
	let complete = false;
	let nextN = 0;
	for (const line of records) {
		switch (line.t) {
			case "start":
				record ??= {
					version: 1,
					planCreatedAt: line.planCreatedAt,
					appliedAt: line.appliedAt,
					operations: [],
					failures: [],
					linkEdits: 0,
					complete: false,
					items: {},
				};
				complete = false;
				break;
			case "op":
				started.set(line.n, { op: line.op, links: line.links === true });
				nextN = Math.max(nextN, line.n + 1);
				break;
			case "done":
				finished.set(line.n, true);
				break;
			case "void":
				finished.set(line.n, false);
				break;
			case "item":
				items[line.from] = line.state;
				break;
			case "fail":
				failures.push({ path: line.path, message: line.message });
				break;
			case "unfail": {
				const dropped = new Set(line.paths);
				failures = failures.filter((failure) => !dropped.has(failure.path));
				break;
			}
			case "linked":
				movesLinked = line.moves;
				break;
			case "complete":
				complete = true;
				break;
		}
	}
	if (!record) return null;
	const pending: PendingOperation[] = [];
	const done: PendingOperation[] = [];
	for (const [n, { op, links }] of [...started].sort((a, b) => a[0] - b[0])) {
		const happened = finished.get(n);
		if (happened === undefined) pending.push({ n, op, links });
		else if (happened) {
			done.push({ n, op, links });
			record.operations.push(op);
			if (links) record.linkEdits++;
		}
	}
	record.failures = failures;
	record.items = items;
	record.complete = complete && pending.length === 0;
	if (movesLinked !== undefined) record.movesLinked = movesLinked;
	return { record, pending, done, nextN };
}

/**
 * Decides, from the vault, whether each pending operation happened (a kill or an error came between its line and
 * its "done"): a modify happened when the note has the new text (or anything but the old one: then undo reports
 * the user's change as a conflict rather than guess), a move when the note is at its new path only, a trash when
 * the note is gone, a folder when it exists. Returns the record with the ones that happened put in their place.
 */
export async function settlePending(
	vault: NoteVault,
	state: JournalState,
): Promise<{ record: AppliedRecord; settled: SettledOperation[] }> {
	if (state.pending.length === 0) return { record: state.record, settled: [] };
	const settled: SettledOperation[] = [];
	const happenedOps = new Map<number, AppliedOperation>();
	let linkEdits = 0;
	for (const { n, op, links } of state.pending) {
		let happened: boolean;
		let cut: SettledOperation["cut"];
		if (op.type === "modify") {
			if (!(await vault.exists(op.path))) happened = false;
			else {
				const current = sha256Hex(await vault.read(op.path));
				happened = current !== (op.beforeSha ?? (op.before !== undefined ? sha256Hex(op.before) : undefined));
			}
		} else if (op.type === "move") {
			// A two-step rename cut between its steps leaves the note under both names: it counts as moved (undo and
			// resume finish it with `rename`, which the vault that splits it knows how to complete).
			happened = await vault.exists(op.to);
			if (happened && (await vault.exists(op.from))) {
				happened = await sameFile(vault, op.from, op.to);
				if (happened) cut = { from: op.from, to: op.to };
			}
		} else if (op.type === "trash") {
			happened = !(await vault.exists(op.path));
			// Cut between its two steps (the note at its path and in the trash): it counts as trashed, and resume
			// finishes it (undo takes the trash's name back: see undoPlan).
			const trashed = happened ? null : ((await vault.trashedAs?.(op.path)) ?? null);
			if (trashed !== null) {
				happened = true;
				cut = { from: op.path, to: trashed };
			}
		} else happened = await vault.exists(op.path);
		settled.push({ n, happened, ...(cut ? { cut } : {}) });
		if (happened) {
			happenedOps.set(n, op);
			if (links) linkEdits++;
		}
	}
	// Operations are numbered in the order they started; a later run may follow a pending one: merge by number.
	const record = { ...state.record, linkEdits: state.record.linkEdits + linkEdits };
	if (happenedOps.size > 0) {
		record.operations = [...state.done.map(({ n, op }) => ({ n, op })), ...[...happenedOps].map(([n, op]) => ({ n, op }))]
			.sort((a, b) => a.n - b.n)
			.map(({ op }) => op);
	}
	return { record, settled };
}

/**
 * Finishes the moves and trashes that a kill left with the note under both names (settled as happened): the old
 * name goes.
 * Only for a run that holds the vault (resume): reading a session never changes the vault.
 */
export async function finishCutMoves(vault: NoteVault, state: AppliedState): Promise<void> {
	for (const { cut } of state.settled) if (cut) await vault.rename(cut.from, cut.to);
}

/** applied.json: the record as it stands at the end of a run, for people and older readers (no note text). */
function appliedPath(sessionId: string): string {
	return `${stageOutputDir(sessionId, "organize", "load")}/applied.json`;
}

export async function saveAppliedRecord(store: StagingStore, sessionId: string, record: AppliedRecord): Promise<void> {
	await store.writeAtomic(appliedPath(sessionId), `${JSON.stringify(record, null, "\t")}\n`, { private: true });
}

/** Whether the session's plan was (at least partly) applied: a journal, or applied.json of an older version. */
export async function hasAppliedRecord(store: StagingStore, sessionId: string): Promise<boolean> {
	return (await journalExists(store, sessionId)) || (await store.exists(appliedPath(sessionId)));
}

export interface AppliedState {
	record: AppliedRecord;
	/** From the journal: what settling its pending operations found (append it when going on). */
	settled: SettledOperation[];
	nextN: number;
	/** Where the record came from: a session applied before the journal existed has only applied.json. */
	source: "journal" | "applied.json";
	/** Reads the original texts the journal kept (for undo). */
	undoData: UndoDataReader;
}

/**
 * The applied record of a session: from its journal (the source of truth; pending operations settled against the
 * vault when one is given, else left out), or from applied.json for sessions applied before the journal existed.
 * Null when the plan was never applied.
 */
export async function readAppliedState(
	store: StagingStore,
	sessionId: string,
	vault?: NoteVault,
	logger?: Logger,
): Promise<AppliedState | null> {
	const undoDir = journalPaths(sessionId).undoData;
	const undoData: UndoDataReader = (sha) => {
		if (!/^[0-9a-f]{64}$/.test(sha)) return Promise.reject(new Error(`not a content hash: ${sha}`));
		return store.read(`${undoDir}/${sha}`);
	};
	const state = await readApplyJournal(store, sessionId, logger);
	if (state) {
		if (!vault) return { record: state.record, settled: [], nextN: state.nextN, source: "journal", undoData };
		const { record, settled } = await settlePending(vault, state);
		return { record, settled, nextN: state.nextN, source: "journal", undoData };
	}
	const path = appliedPath(sessionId);
	if (!(await store.exists(path))) return null;
	let record: AppliedRecord;
	try {
		record = AppliedRecordSchema().parse(JSON.parse(await store.read(path)));
	} catch (error) {
		throw new Error(`${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
	}
	return { record, settled: [], nextN: 0, source: "applied.json", undoData };
}
