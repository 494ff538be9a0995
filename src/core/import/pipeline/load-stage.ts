import { runStage, type StageContext, type StageProgress, type StageResult } from "../../pipeline/stage-runner";
import type { NoteVault } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import { stageOutputDir } from "../../session/paths";
import { NameAllocator } from "../../naming/unique-names";
import { sanitizeFileName } from "../../naming/sanitize-file-name";
import { noteHash, noteHashLike } from "../../util/note-hash";
import { computeFileIdAsync } from "../transform/file-id";
import { composeNote } from "../transform/render-note";
import { decideLoad, sameTime, type LoadDecision } from "../load/load-decision";
import { zonedIsoTime } from "../transform/note-time";
import type { ImportIndex } from "../load/import-index";
import { addedKeysOnly, organizeKeysOf, withOrganizeKeys } from "../load/index-sync";
import { IMPORT_KEYS } from "../transform/note-frontmatter";
import { currentNoteOf, sourceIdentity, VaultNoteFinder } from "../load/vault-note-finder";
import { LOG_BATCH_MS } from "./extract-stage";
import { sameRender, type NoteDraft } from "../transform/note-draft";
import { providerFolder as providerSubfolder, type ImportOptions } from "./import-options";
import { appendJsonl, ensureJsonlLineStart } from "../../logs/jsonl";
import type { DraftFileWriter } from "../attachments/resolve-draft-files";
import { replaceFileTokens } from "../attachments/draft-files";

/** How a load ended for one note; the first word is the load record's reason. */
export type NoteOutcome = "created" | "updated" | "unchanged" | "preserved";

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
	/** Debug mode: also keep a full copy of every note written in the session's `load/output/` (default: the manifest only). */
	keepCopies?: boolean;
	signal?: AbortSignal;
	onProgress?: (p: StageProgress) => void;
	/** Brings the files a draft refers to into the vault (absent: their tokens become nothing; see draft-files.ts). */
	files?: DraftFileWriter;
}

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

export const REVIEW_FOLDER = "_review";

/** A note's file name, `.md` included, is at most this many UTF-8 bytes. */
export const MAX_NOTE_FILE_NAME_BYTES = 200;

/** A project's folder name is at most this many UTF-8 bytes (the note's own name has its 200 besides). */
const MAX_FOLDER_NAME_BYTES = 100;

/** `2025-03-10 ` from the draft's `created` (already in the import's time zone), with `datePrefix`; else "". */
function datePrefixOf(draft: NoteDraft): string {
	const created = draft.frontmatter.created;
	return created !== undefined && /^\d{4}-\d{2}-\d{2}/.test(created) ? `${created.slice(0, 10)} ` : "";
}

function joinPath(...parts: string[]): string {
	return parts
		.flatMap((p) => p.split("/"))
		.filter((p) => p !== "" && p !== ".")
		.join("/");
}

function folderOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "" : path.slice(0, i);
}

function stemOf(path: string): string {
	return path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "");
}

/** The note text for a draft at a path: `file_id` hashes the body with that path. */
export async function finalNote(draft: NoteDraft, path: string, sha256?: Sha256Text): Promise<string> {
	return composeNote({ ...draft.frontmatter, file_id: await computeFileIdAsync(draft.body, path, sha256) }, draft.body);
}

/**
 * Load: each note draft into the vault (`<out>/<Provider>/<Title>.md`, names collision-safe and stable), idempotent
 * by source id through the import index, and a line in the session's `load/output/manifest.jsonl` (a full copy
 * only in debug mode). Never overwrites a note by
 * name, never touches a note the user edited, never writes outside the output folder.
 */
// Long on purpose (see scripts/long-functions.mjs): deciding and writing a note share the stage's state (the index,
// names taken, the manifest, the files) as closures; `write` is the named write step. A NoteLoader class is the next
// split.
export async function runLoadStage(o: LoadStageOptions): Promise<StageResult> {
	const { ctx, vault, index, options } = o;
	const finder = new VaultNoteFinder(vault, ctx.logger);
	const allocators = new Map<string, NameAllocator>();
	const sessionOut = stageOutputDir(ctx.sessionId, "import", "load");
	const manifestPath = `${sessionOut}/${LOAD_MANIFEST_FILE}`;
	let manifest: ManifestLine[] = [];
	const flushManifest = async (): Promise<void> => {
		const batch = manifest;
		manifest = [];
		await appendJsonl(ctx.store, manifestPath, batch);
	};
	let sinceFlush = 0;

	const allocatorFor = async (folder: string): Promise<NameAllocator> => {
		let allocator = allocators.get(folder);
		if (!allocator) {
			const existing = (await vault.listMarkdown(folder)).filter((p) => folderOf(p) === folder).map(stemOf);
			// The cap is on the whole file name: the stem leaves room for ".md".
			allocator = new NameAllocator(existing, { maxBytes: MAX_NOTE_FILE_NAME_BYTES - ".md".length });
			allocators.set(folder, allocator);
		}
		return allocator;
	};

	// One read where the index says (a re-import visits every note it wrote), else by its source id in the vault.
	const currentNote = (draft: NoteDraft): Promise<{ path: string; text: string } | null> =>
		currentNoteOf(vault, finder, index.get(draft.provider, draft.item_id)?.path ?? null, draft.provider, draft.item_id, (found) =>
			ctx.logger.warn(`Several notes carry source_id ${draft.item_id}: ${found.join(", ")}; using ${found[0]}`),
		);

	const reviewFolder = joinPath(options.outFolder, REVIEW_FOLDER);
	const datePrefix = (draft: NoteDraft): string => (options.datePrefix ? datePrefixOf(draft) : "");
	/** The provider's folder, and with `byProject` the project's inside it (when the export names the project). */
	const providerFolder = (draft: NoteDraft): string => {
		const folder = joinPath(options.outFolder, providerSubfolder(draft.provider));
		const project = options.byProject ? draft.frontmatter.project : undefined;
		return project ? joinPath(folder, sanitizeFileName(project, { maxBytes: MAX_FOLDER_NAME_BYTES })) : folder;
	};
	const folderFor = (draft: NoteDraft): string => (draft.review_reason ? reviewFolder : providerFolder(draft));

	/**
	 * `expectHash`: the note's hash when the decision was made; a write first checks it still holds. `rendered`: the
	 * note as it would be written at the current note's path (rendered once, to decide; an update writes it as is).
	 */
	type Plan =
		| Exclude<LoadDecision, { action: "create" | "update" | "unchanged" }>
		| (Extract<LoadDecision, { action: "unchanged" }> & { rendered: string })
		| { action: "create"; path: string }
		| { action: "update"; path: string; expectHash: string; rendered: string; why?: string }
		| { action: "promote"; path: string; expectHash: string }
		| { action: "append"; path: string; expectHash: string; text: string };

	/** The next free name for a draft's title in a folder (claimed in input order: stable `Title 1`, `Title 2`). */
	const claimPath = async (folder: string, draft: NoteDraft): Promise<string> => {
		// A claimed name is one path segment (sanitizeFileName leaves no "/" and never "." or "").
		const name = `${(await allocatorFor(folder)).claim(sanitizeFileName(`${datePrefix(draft)}${draft.title}`))}.md`;
		return folder === "" ? name : `${folder}/${name}`;
	};

	/** The draft with the files it refers to in the vault and linked (see DraftFileWriter), for a note at `path`. */
	const withFiles = async (draft: NoteDraft, path: string): Promise<NoteDraft> => {
		if (!draft.files || draft.files.length === 0) return draft;
		const resolved = o.files
			? await o.files.resolve(draft, path)
			: { ...draft, body: replaceFileTokens(draft.body, draft.files, () => "") };
		delete resolved.files;
		return resolved;
	};

	/**
	 * What to do with a draft, and for a new note its name: decided one draft at a time, in input order. The plan
	 * carries the draft as it will be written (its files brought in and linked for the note's path).
	 */
	const decide = async (raw: NoteDraft): Promise<Plan & { draft: NoteDraft }> => {
		const current = await currentNote(raw);
		// A kept draft is never written: its files are not brought in either.
		const draft = current && !raw.keep ? await withFiles(raw, current.path) : raw;
		const plan = await decideFor(draft, current);
		if (plan.action === "create") return { ...plan, draft: raw.keep ? raw : await withFiles(raw, plan.path) };
		return { ...plan, draft };
	};

	const decideFor = async (draft: NoteDraft, current: { path: string; text: string } | null): Promise<Plan> => {
		const indexed = index.get(draft.provider, draft.item_id);
		if (draft.keep) {
			// Transform saw from the index that nothing changed (and made no model call): unchanged where the note is
			// now, or preserved when it is gone; never a write. The hashes cannot match: the draft is not the note.
			const kept = decideLoad({
				indexed,
				current: current ? { path: current.path, hash: "", frontmatterUpdated: null } : null,
				renderedHash: "\u0000",
				sourceUpdated: draft.source_updated,
			});
			return kept.action === "unchanged"
				? { ...kept, rendered: "" }
				: kept.action === "preserve"
					? kept
					: { action: "preserve", path: current?.path ?? null, reason: "kept as it is" };
		}
		if (current && indexed && (await unchangedAsWritten(draft, current, indexed)))
			return { action: "unchanged", path: current.path, adopt: false, rendered: "" };
		// A note organize filed keeps its genre, topic and summary through an update (they are not the import's).
		let rendered = current ? withOrganizeKeys(await finalNote(draft, current.path, o.sha256), organizeKeysOf(current.text)) : "";
		// Of the index entry's kind when there is one (an older index holds c1 hashes), else the current kind.
		const hashOf = (text: string): Promise<string> => (indexed ? noteHashLike(indexed.hash, text, o.sha256) : noteHash(text, o.sha256));
		let renderedHash = current ? await hashOf(rendered) : "";
		const currentHash = current ? await hashOf(current.text) : "";
		// What the user can have changed is the body and the import's values (issue 16.3): a property they added (in
		// Obsidian, or another plugin did) is not an edit when the note is otherwise as we wrote it, to the byte, or
		// once its frontmatter is laid out our way again (see addedKeysOnly). The note is then ours; an update keeps
		// the added keys.
		let asJudged = currentHash;
		if (current && indexed && currentHash !== indexed.hash && indexed.userText !== true) {
			const theirs = await addedKeysOnly(
				current.text,
				indexed.hash,
				new Set([...IMPORT_KEYS, ...Object.keys(draft.frontmatter)]),
				o.sha256,
			);
			if (theirs) {
				asJudged = indexed.hash;
				rendered = withOrganizeKeys(rendered, theirs);
				renderedHash = await hashOf(rendered);
			}
		}
		if (current && indexed && folderOf(current.path) === reviewFolder && currentHash === indexed.hash && currentHash !== renderedHash) {
			// An untouched review note and a new transform of it (a retry): replace it.
			if (draft.review_reason === undefined) return { action: "promote", path: current.path, expectHash: currentHash };
			return { action: "update", path: current.path, expectHash: currentHash, rendered };
		}
		// Written with other render options (or by another renderer version) than this run's; known only when recorded.
		const stale = draft.render !== undefined && indexed?.render !== undefined && !sameRender(draft.render, indexed.render);
		const rerender = stale ? "options changed" : options.rerender ? "re-render asked" : undefined;
		const decision = decideLoad({
			indexed,
			current: current ? { path: current.path, hash: asJudged, frontmatterUpdated: sourceIdentity(current.text)?.updated ?? null } : null,
			renderedHash,
			sourceUpdated: draft.source_updated,
			...(rerender ? { rerender } : {}),
		});
		if (
			decision.action === "preserve" &&
			current &&
			indexed &&
			draft.append &&
			options.editedNotes === "append" &&
			!sameTime(indexed.sourceUpdated, draft.source_updated)
		) {
			// Edited by the user and grown at the source: the new turns go below the user's text, which stays as it is.
			if ("rewritten" in draft.append) {
				return {
					...decision,
					reason:
						"updated at the source, but earlier messages were rewritten or removed there (a regenerated answer) and the note was edited since it was imported; kept as it is, nothing merged",
				};
			}
			// The files the new turns refer to come in as a note's do (copied once, embedded or linked).
			const turns = draft.append.files
				? (await withFiles({ ...draft, body: draft.append.transcript, files: draft.append.files }, current.path)).body
				: draft.append.transcript;
			return {
				action: "append",
				path: current.path,
				expectHash: currentHash,
				text: appendTurns(
					current.text,
					{ ...draft, append: { from: draft.append.from, transcript: turns } },
					ctx.clock.now(),
					options.timeZone,
				),
			};
		}
		if (decision.action === "update") return { ...decision, expectHash: currentHash, rendered };
		if (decision.action === "unchanged") return { ...decision, rendered };
		if (decision.action !== "create") return decision;
		return { action: "create", path: await claimPath(folderFor(draft), draft) };
	};
	/**
	 * Unchanged at the source since the note was written, rendered the same way (same renderer and options), no
	 * re-render asked, and the note is where and as we wrote it (not a review note): decideLoad can only answer
	 * "unchanged" (adopt false) here, whatever the note would render to, so it is not rendered and hashed again to
	 * compare. One hash of the note instead of a render and two: a re-import of an unchanged export cost more CPU than
	 * its first import.
	 */
	const unchangedAsWritten = async (
		draft: NoteDraft,
		current: { path: string; text: string },
		indexed: NonNullable<ReturnType<typeof index.get>>,
	): Promise<boolean> =>
		!options.rerender &&
		current.path === indexed.path &&
		folderOf(current.path) !== reviewFolder &&
		draft.render !== undefined &&
		indexed.render !== undefined &&
		sameRender(draft.render, indexed.render) &&
		sameTime(indexed.sourceUpdated, draft.source_updated) &&
		(await noteHashLike(indexed.hash, current.text, o.sha256)) === indexed.hash;
	let decisions: Promise<unknown> = Promise.resolve();
	const decideInOrder = (draft: NoteDraft): Promise<Plan & { draft: NoteDraft }> => {
		const next = decisions.then(() => decide(draft));
		decisions = next.catch(() => undefined);
		return next;
	};

	/** Where the session keeps its copy of a note: mirroring the output folder (`Claude/…`, `_review/…`). */
	const outPrefix = `${joinPath(options.outFolder)}/`;
	const copyPath = (draft: NoteDraft, notePath: string): string => {
		const inside = notePath.startsWith(outPrefix)
			? notePath.slice(outPrefix.length)
			: joinPath(providerSubfolder(draft.provider), `${stemOf(notePath)}.md`);
		return joinPath(sessionOut, inside);
	};
	/** Records what was written (the manifest, flushed with the index); in debug mode also the note's full copy. */
	const keep = async (draft: NoteDraft, path: string, text: string, d: ManifestLine["d"], hash: string): Promise<void> => {
		manifest.push({ p: path, h: hash, d, b: utf8Bytes(text) });
		if (o.keepCopies) await ctx.store.write(copyPath(draft, path), text);
	};
	/** The note changed since the decision (the user is editing it right now): leave it. */
	const editedMeanwhile = async (path: string, expectHash: string): Promise<boolean> =>
		(await noteHashLike(expectHash, await vault.read(path), o.sha256)) !== expectHash;

	const write = async (
		draft: NoteDraft,
		decision: Plan,
	): Promise<{ outcome: NoteOutcome; path: string | null; reason?: string; why?: string }> => {
		const now = ctx.clock.now().toISOString();
		const remember = async (path: string, text: string, userText = false): Promise<string> => {
			const hash = await noteHash(text, o.sha256);
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
				...(userText || (decision.action === "unchanged" && index.get(draft.provider, draft.item_id)?.userText)
					? { user_text: true as const }
					: {}),
			});
			finder.remember(draft.provider, draft.item_id, path);
			return hash;
		};
		switch (decision.action) {
			case "create": {
				const folder = folderFor(draft);
				for (let path = decision.path; ; path = await claimPath(folder, draft)) {
					const text = await finalNote(draft, path, o.sha256);
					if (options.dryRun) return { outcome: "created", path };
					try {
						await vault.create(path, text); // never overwrites
					} catch (error) {
						if (await vault.exists(path)) continue; // appeared since we listed the folder: take the next name
						throw error;
					}
					await keep(draft, path, text, "created", await remember(path, text));
					return { outcome: "created", path };
				}
			}
			case "update": {
				const text = decision.rendered; // decision.path is the note the decision rendered for
				if (!options.dryRun) {
					if (await editedMeanwhile(decision.path, decision.expectHash)) {
						return { outcome: "preserved", path: decision.path, reason: "the note was edited while the import ran" };
					}
					await vault.modify(decision.path, text);
					await keep(draft, decision.path, text, "updated", await remember(decision.path, text));
				}
				return { outcome: "updated", path: decision.path, ...(decision.why ? { why: decision.why } : {}) };
			}
			case "promote": {
				// A note that waited in review and now has a good transform: it moves to its provider folder.
				const path = await claimPath(providerFolder(draft), draft);
				const text = await finalNote(draft, path, o.sha256);
				if (!options.dryRun) {
					if (await editedMeanwhile(decision.path, decision.expectHash)) {
						return { outcome: "preserved", path: decision.path, reason: "the note was edited while the import ran" };
					}
					await vault.rename(decision.path, path);
					await vault.modify(path, text);
					await keep(draft, path, text, "updated", await remember(path, text));
				}
				return { outcome: "updated", path };
			}
			case "append": {
				if (!options.dryRun) {
					if (await editedMeanwhile(decision.path, decision.expectHash)) {
						return { outcome: "preserved", path: decision.path, reason: "the note was edited while the import ran" };
					}
					await vault.modify(decision.path, decision.text);
					await keep(draft, decision.path, decision.text, "updated", await remember(decision.path, decision.text, true));
				}
				return { outcome: "updated", path: decision.path, why: NEW_MESSAGES_APPENDED };
			}
			case "unchanged": {
				if (decision.adopt && !options.dryRun) {
					const text = await vault.read(decision.path);
					const hash = await remember(decision.path, text);
					// Exactly what this session writes there: this session created it, and was killed before its
					// manifest line was written (and before the index was flushed). Record it now.
					if (text === decision.rendered) await keep(draft, decision.path, text, "adopted", hash);
				}
				return { outcome: "unchanged", path: decision.path };
			}
			case "preserve":
				return { outcome: "preserved", path: decision.path, reason: decision.reason };
		}
	};

	// A crash may have cut the manifest's last line: ended once, before this run appends.
	await ensureJsonlLineStart(ctx.store, manifestPath);
	try {
		return await runStage<NoteDraft>({
			ctx,
			stage: "load",
			// A note written but not yet logged when a crash hits is adopted as unchanged on resume (the index and the
			// vault, not the log, prove it), so the log appends can be batched.
			logBatchMs: LOG_BATCH_MS,
			// The index and the manifest reach the disk before any record that says their notes are written (a kill
			// between the two would leave an item logged done that neither names: not redone, and lost to both).
			beforeLog: async () => {
				await index.flush();
				await flushManifest();
				await o.files?.flush();
			},
			// Decisions are made one at a time in input order; the writes overlap (the disk, not the CPU, is the limit).
			concurrency: o.concurrency ?? 4,
			items: o.drafts,
			identify: (d) => ({ id: d.item_id, title: d.title }),
			...(o.skip ? { skip: o.skip } : {}),
			process: async (draft, step) => {
				const decision = await step.run("determine_vault", () => decideInOrder(draft));
				const result = await step.run("move_to_vault", () => write(decision.draft, decision));
				if (++sinceFlush >= 50) {
					sinceFlush = 0;
					await index.flush();
					await flushManifest();
					await o.files?.flush();
				}
				// "updated (options changed): path": the first word stays the outcome (see summarize).
				const outcome = result.why ? `${result.outcome} (${result.why})` : result.outcome;
				const reason = [outcome, result.path ?? "", result.reason ?? ""].filter((s) => s !== "").join(": ");
				const note = result.path !== null && !options.dryRun ? { note: result.path } : {};
				const typed = {
					outcome: result.outcome,
					...(result.outcome === "updated" && result.why && result.why !== NEW_MESSAGES_APPENDED ? { rerendered: true } : {}),
				};
				if (draft.review_reason) return { status: "review", reason: `${reason}; review: ${draft.review_reason}`, ...note, ...typed };
				return { status: "success", reason, ...note, ...typed };
			},
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {}),
			...(o.sharedLogReady ? { sharedLogReady: true } : {}),
		});
	} finally {
		await index.flush();
		await flushManifest();
		await o.files?.flush();
	}
}

/** The load record's words for a note that got new messages below the user's text: `updated (new messages appended)`. */
export const NEW_MESSAGES_APPENDED = "new messages appended";

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

/** Runs of non-ASCII characters: the only ones that take more than one UTF-8 byte. */
const NON_ASCII_RUN = /[\u0080-\uffff]+/g;

/**
 * The UTF-8 length of `text` (a lone surrogate counted as U+FFFD's 3 bytes, as it is written). The regular
 * expression skips the ASCII, most of a note, natively; a loop over every character cost 7% of an import's CPU.
 */
export function utf8Bytes(text: string): number {
	let n = text.length;
	NON_ASCII_RUN.lastIndex = 0;
	for (let m = NON_ASCII_RUN.exec(text); m !== null; m = NON_ASCII_RUN.exec(text)) {
		const run = m[0];
		for (let i = 0; i < run.length; i++) {
			const c = run.charCodeAt(i);
			if (c < 0x800)
				n += 1; // 2 bytes for 1 unit
			else {
				n += 2; // 3 bytes for 1 unit; a surrogate pair is 4 bytes for 2 units
				if (c >= 0xd800 && c <= 0xdbff) {
					const next = run.charCodeAt(i + 1);
					if (next >= 0xdc00 && next <= 0xdfff) i++;
				}
			}
		}
	}
	return n;
}
