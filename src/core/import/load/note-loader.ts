import type { StageContext } from "../../pipeline/stage-runner";
import type { NoteVault } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import { stageOutputDir } from "../../session/paths";
import { NameAllocator } from "../../naming/unique-names";
import { noteHash, noteHashLike } from "../../util/note-hash";
import { zonedIsoTime } from "../transform/note-time";
import type { ImportIndex } from "./import-index";
import { addedKeysOnly, organizeKeysOf, withOrganizeKeys } from "./index-sync";
import { IMPORT_KEYS } from "../transform/note-frontmatter";
import { currentNoteOf, VaultNoteFinder } from "./vault-note-finder";
import type { NoteDraft } from "../transform/note-draft";
import { providerFolder as providerSubfolder, type ImportOptions } from "../pipeline/import-options";
import { appendJsonl, ensureJsonlLineStart } from "../../logs/jsonl";
import { utf8Bytes } from "../../util/utf8-bytes";
import { joinPath, MAX_NOTE_STEM_BYTES, nameStemOf, providerFolderOf, reviewFolderOf } from "./note-place";
import { finalNote, madeNoteParts, premadeNoteOf } from "./premade-note";

export { utf8Bytes } from "../../util/utf8-bytes";
export { MAX_NOTE_FILE_NAME_BYTES, REVIEW_FOLDER, reviewFolderOf } from "./note-place";
export { finalNote } from "./premade-note";
import type { DraftFileWriter } from "../attachments/resolve-draft-files";
import { replaceFileTokens } from "../attachments/draft-files";
import {
	decideNote,
	unchangedAsWritten,
	type CurrentNote,
	type LoadRules,
	type NoteDecision,
	type NoteFacts,
	type RenderedNote,
} from "./decide-note";

/** How a load ended for one note; the first word is the load record's reason. */
export type NoteOutcome = "created" | "updated" | "unchanged" | "preserved";

/** `load/output/manifest.jsonl`: one line per note the session wrote (see ManifestLine). */
export const LOAD_MANIFEST_FILE = "manifest.jsonl";

/**
 * What the session wrote, instead of a copy of every note: `p` the vault path, `h` the hash the import index
 * records, `d` the disposition (created, updated, adopted: found written by this session after a crash), `b`
 * the UTF-8 bytes. Short keys: a 10,000-note session's manifest is read by people and status, not by the import.
 */
export interface ManifestLine {
	p: string;
	h: string;
	d: "created" | "updated" | "adopted";
	b: number;
}

/** The load record's words for a note that got new messages below the user's text: `updated (new messages appended)`. */
export const NEW_MESSAGES_APPENDED = "new messages appended";

function folderOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "" : path.slice(0, i);
}

function stemOf(path: string): string {
	return path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "");
}

/**
 * A decision made ready to write (NoteLoader.place): the draft as it will be written (its files brought in and
 * linked for the note's path), a new note's name, and the text an update or an append writes.
 */
export type NotePlan = { draft: NoteDraft } & (
	| { action: "create"; path: string }
	| { action: "update"; path: string; expectHash: string; text: string; why?: string }
	| { action: "promote"; path: string; expectHash: string }
	| { action: "append"; path: string; expectHash: string; text: string }
	/** `rendered`: what this run writes there ("" when not rendered); an adopted note equal to it joins the manifest. */
	| { action: "unchanged"; path: string; adopt: boolean; rendered: string }
	| { action: "preserve"; path: string | null; reason: string }
);

/** A written note's manifest line, as remember records it (see keep): its text (for debug copies), how, its bytes. */
interface WrittenLine {
	text: string | null;
	d: ManifestLine["d"];
	written?: number | void;
}

/** What a write did: the outcome, the note's path, and for the load record why (`why`) or what stopped it (`reason`). */
export interface NoteWritten {
	outcome: NoteOutcome;
	path: string | null;
	reason?: string;
	why?: string;
}

export interface NoteLoaderOptions {
	ctx: StageContext;
	vault: NoteVault;
	index: ImportIndex;
	options: ImportOptions;
	sha256?: Sha256Text;
	/** Debug mode: also keep a full copy of every note written in the session's `load/output/`. */
	keepCopies?: boolean;
	/** Brings the files a draft refers to into the vault (absent: their tokens become nothing; see draft-files.ts). */
	files?: DraftFileWriter;
}

/**
 * One conversation's note into the vault, in four named steps: `facts` reads what there is (the note now, the
 * index entry, the note as it would be written), `decide` (decideNote, pure) says what to do, `place` names a new
 * note and makes the text to write, `write` does the vault I/O and records it (the import index, the manifest).
 * `plan` runs the first three one conversation at a time in input order (names are claimed in that order: stable
 * `Title 1`, `Title 2`); writes may overlap. Never overwrites a note by name, never touches a note the user edited,
 * never writes outside the output folder.
 */
export class NoteLoader {
	private readonly finder: VaultNoteFinder;
	private readonly allocators = new Map<string, NameAllocator>();
	private readonly sessionOut: string;
	private readonly manifestPath: string;
	private manifest: ManifestLine[] = [];
	private readonly rules: LoadRules;
	private decisions: Promise<unknown> = Promise.resolve();
	/** The flush running, if any (one at a time: see flush). */
	private flushing: Promise<void> = Promise.resolve();
	/** A manifest append failed: the file may end inside the line it cut (see flush). */
	private manifestCut = false;

	constructor(private readonly o: NoteLoaderOptions) {
		this.finder = new VaultNoteFinder(o.vault, o.ctx.logger);
		this.sessionOut = stageOutputDir(o.ctx.sessionId, "import", "load");
		this.manifestPath = `${this.sessionOut}/${LOAD_MANIFEST_FILE}`;
		this.rules = {
			reviewFolder: reviewFolderOf(o.options.outFolder),
			rerender: o.options.rerender,
			editedNotes: o.options.editedNotes,
		};
	}

	/** Before the first write: a crash may have cut the manifest's last line, ended once before this run appends. */
	async open(): Promise<void> {
		await ensureJsonlLineStart(this.o.ctx.store, this.manifestPath);
	}

	/**
	 * Writes what was recorded so far: the manifest, then the import index, then the attachment index. The manifest
	 * first: a kill between the two leaves notes the manifest names and the index does not, which a resume adopts as
	 * unchanged and records (a second manifest line for them, harmless); the other order left notes the index had and
	 * the manifest never named (found unchanged as written on resume, so never recorded: a CI run lost 50 of 1,200).
	 * So the index records written are exactly those of the manifest lines written before them: a note's record and
	 * line are made in one step (remember), a flush takes both at the same instant (its manifest lines, and the
	 * index's mark), and flushes run one at a time. Before, the index wrote what it held when its turn came, records
	 * of notes whose lines were still in memory among them (and two flushes could overlap): load20 saw 1,199 of 1,200
	 * named once. A manifest append that fails keeps its lines for the next flush (ahead of the newer ones, after a
	 * check that the file does not end inside a line it may have cut): dropped, the next flush wrote their notes' index
	 * records after a manifest that never named them (review15b: 50 of 260, a retry did not name them either).
	 */
	flush(): Promise<void> {
		const run = this.flushing.then(async () => {
			const batch = this.manifest;
			this.manifest = [];
			const upTo = this.o.index.mark();
			try {
				if (this.manifestCut) {
					await ensureJsonlLineStart(this.o.ctx.store, this.manifestPath);
					this.manifestCut = false;
				}
				await appendJsonl(this.o.ctx.store, this.manifestPath, batch);
			} catch (error) {
				this.manifest = batch.concat(this.manifest);
				this.manifestCut = true;
				throw error;
			}
			await this.o.index.flush(upTo);
			await this.o.files?.flush();
		});
		this.flushing = run.catch(() => undefined);
		return run;
	}

	/** facts → decide → place for one draft, after those of the drafts given before it. */
	plan(raw: NoteDraft): Promise<NotePlan> {
		const next = this.decisions.then(async () => {
			const facts = await this.facts(raw);
			return this.place(facts, decideNote(facts, this.rules));
		});
		this.decisions = next.catch(() => undefined);
		return next;
	}

	/**
	 * What decideNote needs: the note now (one read where the index says, else found by its source id), its hash,
	 * and the note as it would be written there (rendered only when the answer depends on it). A kept draft is never
	 * written: its files are not brought in either.
	 */
	async facts(raw: NoteDraft): Promise<NoteFacts> {
		const { index, vault, ctx, sha256 } = this.o;
		// Found unchanged as written before it was rendered (as-written.ts read and hashed it): nothing more to know.
		if (raw.as_written !== undefined)
			return { draft: raw, indexed: await index.get(raw.provider, raw.item_id), current: null, rendered: null };
		const indexedPath = (await index.get(raw.provider, raw.item_id))?.path ?? null;
		const found = await currentNoteOf(vault, this.finder, indexedPath, raw.provider, raw.item_id, (paths) =>
			ctx.logger.warn(`Several notes carry source_id ${raw.item_id}: ${paths.join(", ")}; using ${paths[0]}`),
		);
		const draft = found && !raw.keep ? await this.withFiles(raw, found.path) : raw;
		// Read again after the reads above: a write of the same id given earlier in the run may have recorded since.
		const indexed = await index.get(raw.provider, raw.item_id);
		if (!found || raw.keep) return { draft, indexed, current: found ? { ...found, hash: null } : null, rendered: null };
		// Of the index entry's kind when there is one (an older index holds c1 hashes), else the current kind.
		const hashOf = (text: string): Promise<string> => (indexed ? noteHashLike(indexed.hash, text, sha256) : noteHash(text, sha256));
		const current: CurrentNote = { ...found, hash: await hashOf(found.text) };
		if (indexed && unchangedAsWritten(draft, current, indexed, this.rules)) return { draft, indexed, current, rendered: null };
		return { draft, indexed, current, rendered: await this.render(draft, current, indexed, hashOf) };
	}

	/** The note as it would be written at the current note's path, organize's keys kept (and the user's added ones). */
	private async render(
		draft: NoteDraft,
		current: CurrentNote,
		indexed: NoteFacts["indexed"],
		hashOf: (text: string) => Promise<string>,
	): Promise<RenderedNote> {
		// A note organize filed keeps its genre, topic and summary through an update (they are not the import's).
		const text = withOrganizeKeys(await finalNote(draft, current.path, this.o.sha256), organizeKeysOf(current.text));
		// A property the user added (in Obsidian, or another plugin did) is not an edit when the note is otherwise as
		// we wrote it, to the byte, or once its frontmatter is laid out our way again (see addedKeysOnly). The note is
		// then ours; an update keeps the added keys.
		if (indexed && current.hash !== indexed.hash && indexed.userText !== true) {
			const theirs = await addedKeysOnly(
				current.text,
				indexed.hash,
				new Set([...IMPORT_KEYS, ...Object.keys(draft.frontmatter)]),
				this.o.sha256,
			);
			if (theirs) {
				const withTheirs = withOrganizeKeys(text, theirs);
				return { text: withTheirs, hash: await hashOf(withTheirs), addedKeys: true };
			}
		}
		return { text, hash: await hashOf(text), addedKeys: false };
	}

	/** A decision made ready to write: a new note's name claimed, the text an update or an append writes. */
	async place(facts: NoteFacts, decision: NoteDecision): Promise<NotePlan> {
		const { draft, current } = facts;
		switch (decision.action) {
			case "create": {
				const path = await this.claimPath(this.folderFor(draft), draft);
				return { ...decision, path, draft: draft.keep ? draft : await this.withFiles(draft, path) };
			}
			case "update":
				return { ...decision, text: facts.rendered?.text ?? "", draft };
			case "unchanged":
				return { ...decision, rendered: facts.rendered?.text ?? "", draft };
			case "append":
				return { ...decision, text: await this.appended(draft, { path: decision.path, text: current?.text ?? "" }), draft };
			case "promote":
			case "preserve":
				return { ...decision, draft };
		}
	}

	/** The edited note with the new turns below it; the files they refer to come in as a note's do. */
	private async appended(draft: NoteDraft, current: { path: string; text: string }): Promise<string> {
		if (!draft.append || "rewritten" in draft.append) return current.text;
		const turns = draft.append.files
			? (await this.withFiles({ ...draft, body: draft.append.transcript, files: draft.append.files }, current.path)).body
			: draft.append.transcript;
		return appendTurns(
			current.text,
			{ ...draft, append: { from: draft.append.from, transcript: turns } },
			this.o.ctx.clock.now(),
			this.o.options.timeZone,
		);
	}

	/** Does the plan: the vault I/O, then records it (the import index, the manifest). */
	async write(plan: NotePlan): Promise<NoteWritten> {
		const { vault, options, sha256 } = this.o;
		const draft = plan.draft;
		const now = this.o.ctx.clock.now().toISOString();
		const remember = (path: string, text: string, userText = false, hash?: string, line?: WrittenLine): Promise<string> =>
			this.remember(plan, now, path, text, userText, hash, line);
		switch (plan.action) {
			case "create": {
				const folder = this.folderFor(draft);
				for (let path = plan.path; ; path = await this.claimPath(folder, draft)) {
					if (options.dryRun) return { outcome: "created", path };
					let created: { hash: string; bytes: number; text: string | null };
					try {
						created = await this.create(draft, path); // never overwrites
					} catch (error) {
						if (await vault.exists(path)) continue; // appeared since we listed the folder: take the next name
						throw error;
					}
					// The hash given: no text to hash.
					await remember(path, "", false, created.hash, { text: created.text, d: "created", written: created.bytes });
					return { outcome: "created", path };
				}
			}
			case "update": {
				const text = plan.text; // plan.path is the note the decision rendered for
				if (!options.dryRun) {
					if (await this.editedMeanwhile(plan.path, plan.expectHash)) return editedWhileRunning(plan.path);
					const written = await vault.modify(plan.path, text);
					await remember(plan.path, text, false, undefined, { text, d: "updated", written });
				}
				return { outcome: "updated", path: plan.path, ...(plan.why ? { why: plan.why } : {}) };
			}
			case "promote": {
				// A note that waited in review and now has a good transform: it moves to its provider folder.
				const path = await this.claimPath(this.providerFolder(draft), draft);
				const text = await finalNote(draft, path, sha256);
				if (!options.dryRun) {
					if (await this.editedMeanwhile(plan.path, plan.expectHash)) return editedWhileRunning(plan.path);
					await vault.rename(plan.path, path);
					const written = await vault.modify(path, text);
					await remember(path, text, false, undefined, { text, d: "updated", written });
				}
				return { outcome: "updated", path };
			}
			case "append": {
				if (!options.dryRun) {
					if (await this.editedMeanwhile(plan.path, plan.expectHash)) return editedWhileRunning(plan.path);
					const written = await vault.modify(plan.path, plan.text);
					await remember(plan.path, plan.text, true, undefined, { text: plan.text, d: "updated", written });
				}
				return { outcome: "updated", path: plan.path, why: NEW_MESSAGES_APPENDED };
			}
			case "unchanged": {
				if (plan.adopt && !options.dryRun) {
					const text = await vault.read(plan.path);
					// Exactly what this session writes there: this session created it, and was killed before its
					// manifest line was written (and before the index was flushed). Record it now.
					await remember(plan.path, text, false, undefined, text === plan.rendered ? { text, d: "adopted" } : undefined);
				}
				return { outcome: "unchanged", path: plan.path };
			}
			case "preserve":
				return { outcome: "preserved", path: plan.path, reason: plan.reason };
		}
	}

	/**
	 * Creates the note of `draft` at `path` (rejects, never overwriting, when anything is there): its hash as the import
	 * index records it, its UTF-8 bytes, and its text where it was composed here (null where the vault made it).
	 */
	private async create(draft: NoteDraft, path: string): Promise<{ hash: string; bytes: number; text: string | null }> {
		const { vault, sha256 } = this.o;
		// Made where the draft was rendered, when it was for this path (see PremadeNote): written and recorded as is.
		const made = premadeNoteOf(draft, path);
		if (made) {
			const written = await vault.create(path, made.text);
			return { hash: made.hash, bytes: typeof written === "number" ? written : made.bytes, text: made.text };
		}
		// Made by the vault in one pass (encoded once for both hashes and the write); debug mode keeps a copy of the text.
		if (vault.createMade && !this.o.keepCopies) {
			const { noteHex, bytes } = await vault.createMade(path, madeNoteParts(draft, path));
			return { hash: `s2:${noteHex}`, bytes, text: null };
		}
		const text = await finalNote(draft, path, sha256);
		const written = await vault.create(path, text);
		return { hash: await noteHash(text, sha256), bytes: typeof written === "number" ? written : utf8Bytes(text), text };
	}

	/**
	 * Records a written note in the import index (and for the vault note finder), and, given `line`, in the session's
	 * manifest, both in one synchronous step (see flush); returns the hash recorded. `known`: the text's hash, taken
	 * already (a premade note's).
	 */
	private async remember(
		plan: NotePlan,
		now: string,
		path: string,
		text: string,
		userText: boolean,
		known?: string,
		line?: WrittenLine,
	): Promise<string> {
		const { index, ctx, sha256 } = this.o;
		const draft = plan.draft;
		const hash = known ?? (await noteHash(text, sha256));
		const userTextWas = !userText && plan.action === "unchanged" && (await index.get(draft.provider, draft.item_id))?.userText === true;
		index.record({
			provider: draft.provider,
			source_id: draft.item_id,
			path,
			hash,
			source_updated: draft.source_updated,
			session_id: ctx.sessionId,
			written_at: now,
			...(draft.llm_key !== undefined ? { llm_key: draft.llm_key } : {}),
			...(draft.render ? { render: draft.render } : {}),
			...(draft.messages ? { messages: draft.messages } : {}),
			...(userText || userTextWas ? { user_text: true as const } : {}),
		});
		if (line) await this.keep(draft, path, line.text, line.d, hash, line.written);
		return hash;
	}

	/**
	 * Records what was written (the manifest, flushed with the index: called by remember in the step that records the
	 * index); in debug mode also the note's full copy. `written`: the bytes the vault says it wrote (counted here when
	 * it does not say).
	 */
	private async keep(
		draft: NoteDraft,
		path: string,
		text: string | null,
		d: ManifestLine["d"],
		hash: string,
		written?: number | void,
	): Promise<void> {
		this.manifest.push({ p: path, h: hash, d, b: typeof written === "number" ? written : utf8Bytes(text ?? "") });
		if (this.o.keepCopies && text !== null) await this.o.ctx.store.write(this.copyPath(draft, path), text);
	}

	/** Where the session keeps its copy of a note: mirroring the output folder (`Claude/…`, `_review/…`). */
	private copyPath(draft: NoteDraft, notePath: string): string {
		const outPrefix = `${joinPath(this.o.options.outFolder)}/`;
		const inside = notePath.startsWith(outPrefix)
			? notePath.slice(outPrefix.length)
			: joinPath(providerSubfolder(draft.provider), `${stemOf(notePath)}.md`);
		return joinPath(this.sessionOut, inside);
	}

	/** The note changed since the decision (the user is editing it right now): leave it. */
	private async editedMeanwhile(path: string, expectHash: string): Promise<boolean> {
		return (await noteHashLike(expectHash, await this.o.vault.read(path), this.o.sha256)) !== expectHash;
	}

	/** The draft with the files it refers to in the vault and linked (see DraftFileWriter), for a note at `path`. */
	private async withFiles(draft: NoteDraft, path: string): Promise<NoteDraft> {
		if (!draft.files || draft.files.length === 0) return draft;
		const resolved = this.o.files
			? await this.o.files.resolve(draft, path)
			: { ...draft, body: replaceFileTokens(draft.body, draft.files, () => "") };
		delete resolved.files;
		return resolved;
	}

	/** The next free name for a draft's title in a folder (claimed in input order: stable `Title 1`, `Title 2`). */
	private async claimPath(folder: string, draft: NoteDraft): Promise<string> {
		// A claimed name is one path segment (sanitizeFileName leaves no "/" and never "." or "").
		const name = `${(await this.allocatorFor(folder)).claim(nameStemOf(draft, this.o.options))}.md`;
		return folder === "" ? name : `${folder}/${name}`;
	}

	private async allocatorFor(folder: string): Promise<NameAllocator> {
		let allocator = this.allocators.get(folder);
		if (!allocator) {
			const existing = (await this.o.vault.listMarkdown(folder)).filter((p) => folderOf(p) === folder).map(stemOf);
			// The cap is on the whole file name: the stem leaves room for ".md".
			allocator = new NameAllocator(existing, { maxBytes: MAX_NOTE_STEM_BYTES });
			this.allocators.set(folder, allocator);
		}
		return allocator;
	}

	private providerFolder(draft: NoteDraft): string {
		return providerFolderOf(draft, this.o.options);
	}

	private folderFor(draft: NoteDraft): string {
		return draft.review_reason ? this.rules.reviewFolder : this.providerFolder(draft);
	}
}

function editedWhileRunning(path: string): NoteWritten {
	return { outcome: "preserved", path, reason: "the note was edited while the import ran" };
}

/**
 * A note the user edited, with the conversation's new turns below everything in it: a blank line, the heading
 * `## Added on <date> from <provider>` (the date in the import's time zone) and the turns as the import renders
 * them, footnote numbers moved past the note's own. The text above is kept byte for byte.
 */
export function appendTurns(current: string, draft: NoteDraft, now: Date, timeZone: string | undefined): string {
	if (!draft.append || "rewritten" in draft.append) return current;
	const date = zonedIsoTime(now.toISOString(), timeZone ?? "UTC").slice(0, 10);
	let highest = 0;
	for (const m of current.matchAll(/\[\^(\d+)\]/g)) highest = Math.max(highest, Number(m[1]));
	const turns =
		highest === 0
			? draft.append.transcript
			: draft.append.transcript.replace(/\[\^(\d+)\]/g, (_all, n: string) => `[^${Number(n) + highest}]`);
	const eol = current.includes("\r\n") ? "\r\n" : "\n";
	const base = current === "" || current.endsWith("\n") ? current : `${current}${eol}`;
	const added = `${eol}## Added on ${date} from ${draft.provider}${eol}${eol}${turns}${eol}`;
	return base + (eol === "\n" ? added : added.replace(/(?<!\r)\n/g, "\r\n"));
}
