import { sanitizeFileName } from "../naming/sanitize-file-name";
import type { NoteVault } from "../ports/note-vault";
import type { Sha256Text } from "../ports/sha256";
import { sha256Hex } from "../util/sha256";
import { cleanContent } from "./clean-content";
import { classifyByKeywords, type Classification, type ClassifyInput, type GenreClassifier } from "./classify-genre";
import { detectDust } from "./dust";
import { parseNoteData } from "./frontmatter/parse-note";
import { DEFAULT_GENRES, OTHER_GENRE_KEY, type Genre } from "./genres";
import { normalizeFileName } from "./normalize-file-name";
import { normalizeFrontmatter, normalizeTags, wantsFallbackDate, type NormalizeRule } from "./normalize-frontmatter";
import type { ConflictPolicy, Plan, PlanItem } from "./plan";
import { excludedBy, type ExcludeRule } from "./exclusions";
import { findLinks } from "./links/find-links";
import { pathIndex, resolveWithIndex } from "./links/resolve-link";

export const REVIEW_FOLDER = "_review";
export const DUST_FOLDER = "_dust";

export interface OrganizeOptions {
	/** Vault-relative folder to organise ("" for the whole vault). */
	folder: string;
	genres?: readonly Genre[];
	/** Also re-plan notes already marked `normalized: true`. */
	force?: boolean;
	/** Default: keywords and tags. */
	classifier?: GenreClassifier;
	/** What to do when the target name is taken (default "rename": `Title 1`). */
	conflictPolicy?: ConflictPolicy;
	/** File notes under `<genre folder>/<topic>/` when a topic is known (default false). */
	topicFolders?: boolean;
	reviewFolder?: string;
	dustFolder?: string;
	/** The plan's timestamp. */
	now?: Date;
	/**
	 * The folder genre folders (and `_review`, `_dust`) go under (default "": the vault root). The front ends pass
	 * the import's output folder, so that organizing files notes beside the imported ones, not across the vault.
	 */
	genreParent?: string;
	/** Notes left alone, each with why (see exclusions.ts); the plan lists them as skipped. */
	exclude?: readonly ExcludeRule[];
	/**
	 * The normalisation rules for the user's own notes (those not from an import). Absent: all of them, as for
	 * imported notes; the front ends pass the user's setting (none by default: the notes are only filed).
	 */
	userNoteRules?: readonly NormalizeRule[];
	/** Whether another note links to this one (a linked note is never dust). Absent: only outgoing links count. */
	hasIncomingLinks?: (path: string) => Promise<boolean>;
	/** The note's `sourceHash` (the host's, e.g. node:crypto in the CLI). Absent: the core's JavaScript SHA-256. */
	sha256?: Sha256Text;
}

/** A note the import wrote: `source` names a provider and `source_id` the conversation. */
export function isImportedNote(frontmatter: Record<string, unknown>): boolean {
	return (
		(frontmatter.source === "claude" || frontmatter.source === "chatgpt") &&
		typeof frontmatter.source_id === "string" &&
		frontmatter.source_id !== ""
	);
}

/** A daily note's name (`2024-05-01`, also weekly `2024-W18` and monthly `2024-05`). */
const DAILY_NAME = /^\d{4}-(\d{2}(-\d{2})?|W\d{2})$/i;

/**
 * Whether another note of the vault links to a note: built on first use by reading every note once (a plan
 * without a dust candidate never pays for it), then one lookup per question.
 */
export function incomingLinks(vault: NoteVault, listed?: readonly string[]): (path: string) => Promise<boolean> {
	let linked: Promise<Set<string>> | null = null;
	const build = async (): Promise<Set<string>> => {
		const all = listed ?? (await listOrganizeInputs(vault, ""));
		const index = pathIndex(all);
		const out = new Set<string>();
		for (const from of all) {
			let text: string;
			try {
				text = await vault.read(from);
			} catch {
				continue;
			}
			for (const link of findLinks(text)) {
				const to = resolveWithIndex(link.linkPath, from, index);
				if (to !== null && to !== from) out.add(to.toLowerCase());
			}
		}
		return out;
	};
	return async (path) => (await (linked ??= build())).has(path.toLowerCase());
}

/**
 * The notes to organise below `folder` and every note of the vault (what name conflicts are settled against), from
 * one listing of the vault: a first run listed the vault twice (the folder, then all of it). When no note of the
 * listing is below `folder` as spelled (a folder reached through a symlink, which the vault's walk does not follow,
 * or spelled in another case on a disk that ignores case), the folder is listed on its own as before.
 */
export async function listFolderAndVault(vault: NoteVault, folder: string): Promise<{ paths: string[]; all: string[] }> {
	const all = await listOrganizeInputs(vault, "");
	if (folder === "") return { paths: all, all };
	const prefix = `${folder}/`;
	const paths = all.filter((path) => path.startsWith(prefix));
	return { paths: paths.length > 0 ? paths : await listOrganizeInputs(vault, folder), all };
}

/** Markdown notes to organise below `folder`: no dot-folders (`.obsidian`, `.staging`, ...), sorted. */
export async function listOrganizeInputs(vault: NoteVault, folder: string): Promise<string[]> {
	const paths = await vault.listMarkdown(folder);
	// A dot-folder (or file) is a segment starting with ".": at the start or after a "/".
	return paths.filter((path) => /\.md$/i.test(path) && !path.startsWith(".") && !path.includes("/.")).sort();
}

/**
 * Plans one note (the transform step): parse, dust check, classify, normalise the frontmatter, the file name and
 * the content. `to` is the wanted path; name conflicts are settled afterwards by `settleTargets`.
 */
export async function planNote(vault: NoteVault, path: string, options: OrganizeOptions): Promise<PlanItem> {
	return planNoteNow(vault, path, options);
}

/**
 * planNote without a promise where nothing in it waits: a vault that reads synchronously (readNow), a SHA-256 that
 * answers at once, the keyword classifier, no file date to look up and no dust question about incoming links (most
 * notes, in the CLI); otherwise a promise of the same item. A plan of 10,000 notes made ~10 promises per note, each
 * with its turn of the microtask queue. Throws (or rejects) where planNote rejects.
 */
export function planNoteNow(vault: NoteVault, path: string, options: OrganizeOptions): PlanItem | Promise<PlanItem> {
	const excluded = options.exclude ? excludedBy(path, options.exclude) : null;
	if (excluded) return skipped(path, `excluded: ${excluded.reason}`);
	if (!vault.readNow) return vault.read(path).then((text) => planText(vault, path, text, options));
	return planText(vault, path, vault.readNow(path), options);
}

/** planNoteNow once the note is read: its SHA-256 (a promise from a host whose hash is asynchronous). */
function planText(vault: NoteVault, path: string, text: string, options: OrganizeOptions): PlanItem | Promise<PlanItem> {
	const sourceHash = options.sha256 ? options.sha256(text) : sha256Hex(text);
	if (typeof sourceHash !== "string") return sourceHash.then((hash) => planHashed(vault, path, text, hash, options));
	return planHashed(vault, path, text, sourceHash, options);
}

/** planNoteNow once the note is read and hashed: parsed, then skipped, dust or filed. */
function planHashed(
	vault: NoteVault,
	path: string,
	text: string,
	sourceHash: string,
	options: OrganizeOptions,
): PlanItem | Promise<PlanItem> {
	const parsed = parseNoteData(text);
	if (!parsed.ok) {
		return {
			from: path,
			to: path,
			status: "failed",
			reason: "invalid YAML frontmatter",
			frontmatterChanges: [],
			contentChanged: false,
			sourceHash,
			error: { line: parsed.line, message: `Invalid YAML frontmatter in "${path}" at line ${parsed.line}: ${parsed.reason}` },
		};
	}
	const note = parsed.note;
	if (note.frontmatter.organize === false) return skipped(path, "excluded: organize: false in its frontmatter", sourceHash);
	if (note.frontmatter.normalized === true && !options.force) return skipped(path, "already normalized", sourceHash);
	const dust = detectDust(note.body);
	if (dust.dust) return planDust(path, note, dust.reason, sourceHash, options);
	return planFiled(vault, path, note, sourceHash, options);
}

/** A note left where it is, and why. */
function skipped(path: string, reason: string, sourceHash?: string): PlanItem {
	return {
		from: path,
		to: path,
		status: "skipped",
		reason,
		frontmatterChanges: [],
		contentChanged: false,
		...(sourceHash !== undefined ? { sourceHash } : {}),
	};
}

type ParsedNote = Extract<ReturnType<typeof parseNoteData>, { ok: true }>["note"];

/** A note that looks like dust goes to the dust folder, unless it is a template, a daily note, or linked. */
function planDust(path: string, note: ParsedNote, why: string, sourceHash: string, options: OrganizeOptions): PlanItem | Promise<PlanItem> {
	const fileName = path.slice(path.lastIndexOf("/") + 1);
	// Never dust: a template, a daily note, a note that links or is linked to (an index, a hub).
	const keep = /template leftover (\{\{|<%)/.test(why)
		? "looks like a template (template syntax in it)"
		: DAILY_NAME.test(fileName.replace(/\.md$/i, ""))
			? "looks like a daily note (named by its date)"
			: findLinks(note.body).length > 0
				? "links to other notes"
				: null;
	if (keep !== null || !options.hasIncomingLinks) return dustItem(path, fileName, why, keep, sourceHash, options);
	return options
		.hasIncomingLinks(path)
		.then((linked) => dustItem(path, fileName, why, linked ? "other notes link to it" : null, sourceHash, options));
}

/** planDust's item: left where it is when there is a reason to `keep` it, else moved to the dust folder. */
function dustItem(
	path: string,
	fileName: string,
	why: string,
	keep: string | null,
	sourceHash: string,
	options: OrganizeOptions,
): PlanItem {
	if (keep !== null) return skipped(path, `not dust (${why}): ${keep}`, sourceHash);
	const to = joinFolder(options.dustFolder ?? joinFolder(options.genreParent ?? "", DUST_FOLDER), fileName);
	return {
		from: path,
		to,
		status: to === path ? "unchanged" : "planned",
		destination: "dust",
		reason: why,
		frontmatterChanges: [],
		contentChanged: false,
		sourceHash,
	};
}

/** A note classified into a genre (or review): its frontmatter, content and file name normalised, its folder chosen. */
function planFiled(
	vault: NoteVault,
	path: string,
	note: ParsedNote,
	sourceHash: string,
	options: OrganizeOptions,
): PlanItem | Promise<PlanItem> {
	const genres = options.genres ?? DEFAULT_GENRES;
	const fm = note.frontmatter;
	const input: ClassifyInput = {
		title: typeof fm.title === "string" ? fm.title : path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, ""),
		body: note.body,
		tags: topicTags(normalizeTags(fm.tags), fm),
		// A note still awaiting review (`review_reason`) holds only a guessed genre: classify it again.
		genre: typeof fm.genre === "string" && fm.review_reason === undefined ? fm.genre : undefined,
		topic: typeof fm.topic === "string" ? fm.topic : undefined,
	};
	// The keyword classifier answers at once; another (an LLM) with a promise.
	if (!options.classifier) return classified(vault, path, note, sourceHash, options, genres, classifyByKeywords(input, genres));
	return options
		.classifier(input, genres)
		.then((classification) => classified(vault, path, note, sourceHash, options, genres, classification));
}

/** planFiled once the note is classified: the file's date looked up first when a rule wants it (a promise then). */
function classified(
	vault: NoteVault,
	path: string,
	note: ParsedNote,
	sourceHash: string,
	options: OrganizeOptions,
	genres: readonly Genre[],
	classification: Classification,
): PlanItem | Promise<PlanItem> {
	const rules = isImportedNote(note.frontmatter) ? undefined : options.userNoteRules;
	// `created`, when a rule adds it and the note has no date of its own: the file's creation day, never the run's.
	// The stat only then (most notes have a date, or their rules add none).
	if (!wantsFallbackDate(note.frontmatter, path, rules)) return filedItem(path, note, sourceHash, options, genres, classification, rules);
	return vault.stat(path).then((stat) => {
		const fallbackDate = stat?.ctime !== undefined ? new Date(stat.ctime).toISOString().slice(0, 10) : undefined;
		return filedItem(path, note, sourceHash, options, genres, classification, rules, fallbackDate);
	});
}

/** The plan item of a classified note. */
function filedItem(
	path: string,
	note: ParsedNote,
	sourceHash: string,
	options: OrganizeOptions,
	genres: readonly Genre[],
	classification: Classification,
	rules: readonly NormalizeRule[] | undefined,
	fallbackDate?: string,
): PlanItem {
	const genre = genreWithKey(genres, classification.genre) ?? genreWithKey(genres, OTHER_GENRE_KEY);
	const genreKey = genre?.key ?? OTHER_GENRE_KEY;
	const fileName = path.slice(path.lastIndexOf("/") + 1);
	const parent = options.genreParent ?? "";
	// Absent and undefined are the same to normalizeFrontmatter: no object spread per note to leave them out.
	const normalized = normalizeFrontmatter({
		frontmatter: note.frontmatter,
		body: note.body,
		path,
		genre: genreKey,
		topic: classification.topic,
		fallbackDate,
		rules,
		extra:
			classification.review && (rules === undefined || rules.includes("genre"))
				? { review_reason: `${classification.reason} (confidence ${classification.confidence})` }
				: undefined,
	});
	const cleaned = rules === undefined || rules.includes("whitespace") ? cleanContent(note.body, note.eol) : note.body;
	const folder = classification.review
		? (options.reviewFolder ?? joinFolder(parent, REVIEW_FOLDER))
		: joinFolder(
				parent,
				joinFolder(genre?.folder ?? "Other", options.topicFolders && classification.topic ? sanitizeFileName(classification.topic) : ""),
			);
	// The user's own note keeps its file name unless the title rule is on.
	const to = joinFolder(folder, rules === undefined || rules.includes("title") ? `${normalizeFileName(normalized.title)}.md` : fileName);
	const contentChanged = cleaned !== note.body;
	const changed = to !== path || normalized.changes.length > 0 || contentChanged;
	return {
		from: path,
		to,
		status: changed ? "planned" : "unchanged",
		destination: classification.review ? "review" : "genre",
		genre: genreKey,
		topic: classification.topic,
		confidence: classification.confidence,
		reason: classification.reason,
		frontmatterChanges: normalized.changes,
		contentChanged,
		sourceHash,
	};
}

/** The genre of the table with this key (genres.find, without a closure per note). */
function genreWithKey(genres: readonly Genre[], key: string): Genre | undefined {
	for (let index = 0; index < genres.length; index++) if (genres[index]!.key === key) return genres[index];
	return undefined;
}

/** `folder/name` without empty segments (no leading, trailing or doubled "/"). */
export function joinFolder(folder: string, name: string): string {
	// Most calls join two clean parts (three per note): no arrays then.
	if (cleanSegments(folder) && cleanSegments(name)) return folder === "" ? name : name === "" ? folder : `${folder}/${name}`;
	const parts = [...folder.split("/"), ...name.split("/")].filter((part) => part !== "");
	return parts.join("/");
}

/** Whether a path has no empty segment ("" has none). */
function cleanSegments(path: string): boolean {
	return path === "" || (path.charCodeAt(0) !== 47 && path.charCodeAt(path.length - 1) !== 47 && !path.includes("//"));
}

/**
 * Settles name conflicts (the load step's first half). A target is taken when another note already lives
 * there (`existing`, all notes of the vault) or another planned note claimed it; the note's own path is never
 * a conflict. Policy "rename" tries `Name 1`, `Name 2`, ...; "skip" leaves the note where it is; "overwrite"
 * keeps the target (applying trashes the note that was there, and undo restores it).
 */
export async function settleTargets(
	vault: NoteVault,
	items: PlanItem[],
	existing: readonly string[],
	policy: ConflictPolicy,
): Promise<PlanItem[]> {
	const taken = new Set<string>();
	for (const path of existing) taken.add(path.toLowerCase());
	const claimed = new Set<string>();
	// Whether each target folder exists, asked once per folder: nothing is at a name in a folder that is not there
	// (genre folders of a first organize run), so most targets cost no look at the disk.
	const folders = new Map<string, boolean>();
	/** Whether a name (and its lower case) is free as far as the plan and the listing tell; undefined: ask the disk. */
	const knownFree = (candidate: string, lower: string, self: string): boolean | undefined => {
		if (lower === self) return true;
		if (claimed.has(lower) || taken.has(lower)) return false;
		const slash = candidate.lastIndexOf("/");
		return slash > 0 && folders.get(candidate.slice(0, slash)) === false ? true : undefined;
	};
	const free = async (candidate: string, self: string): Promise<boolean> => {
		const known = knownFree(candidate, candidate.toLowerCase(), self);
		if (known !== undefined) return known;
		const folder = candidate.slice(0, Math.max(0, candidate.lastIndexOf("/")));
		let there = folder === "" ? true : folders.get(folder);
		if (there === undefined) {
			there = await vault.exists(folder);
			folders.set(folder, there);
		}
		return !(there && (await vault.exists(candidate)));
	};
	// Each item's result at its own index: the plan keeps the notes' order (no sort by a map of indexes afterwards).
	const out: PlanItem[] = items.slice();
	for (const item of items) {
		if (item.status === "unchanged" || (item.status === "planned" && item.from === item.to)) claimed.add(item.to.toLowerCase());
	}
	let leaving: Set<string> | null = null;
	/**
	 * A note whose target the plan and the listing show free (most of them): settled at once, without a promise or a
	 * look at the disk. False: settleOne decides.
	 */
	const settledNow = (item: PlanItem): boolean => {
		if (item.status !== "planned" || item.from === item.to) return true;
		const lower = item.to.toLowerCase();
		if (knownFree(item.to, lower, item.from.toLowerCase()) !== true) return false;
		claimed.add(lower);
		return true;
	};
	const settleOne = async (index: number): Promise<void> => {
		const item = items[index]!;
		const self = item.from.toLowerCase();
		if (await free(item.to, self)) {
			claimed.add(item.to.toLowerCase());
			return;
		}
		const wanted = item.to;
		if (policy === "skip") {
			out[index] = {
				...item,
				to: item.from,
				status: "skipped",
				reason: `"${wanted}" already exists`,
				conflict: { wanted, resolution: "skip" },
			};
			return;
		}
		if (policy === "overwrite") {
			leaving ??= new Set(items.filter((entry) => entry.status === "planned").map((entry) => entry.from.toLowerCase()));
			if (!claimed.has(wanted.toLowerCase()) && !leaving.has(wanted.toLowerCase())) {
				claimed.add(wanted.toLowerCase());
				out[index] = { ...item, conflict: { wanted, resolution: "overwrite" } };
				return;
			}
		}
		const stem = wanted.slice(0, -3);
		let to = wanted;
		for (let n = 1; ; n++) {
			to = `${stem} ${n}.md`;
			if (await free(to, self)) break;
		}
		claimed.add(to.toLowerCase());
		const status = to === item.from && item.frontmatterChanges.length === 0 && !item.contentChanged ? "unchanged" : "planned";
		out[index] = { ...item, to, status, conflict: to === item.from ? undefined : { wanted, resolution: "rename" } };
	};
	for (let index = 0; index < items.length; index++) if (!settledNow(items[index]!)) await settleOne(index);
	return out;
}

/** Plans the organisation of a folder: every note read, classified and normalised, conflicts settled. */
export async function planOrganize(vault: NoteVault, options: OrganizeOptions): Promise<Plan> {
	const paths = await listOrganizeInputs(vault, options.folder);
	const items: PlanItem[] = [];
	for (const path of paths) {
		try {
			items.push(await planNote(vault, path, options));
		} catch (error) {
			items.push(failedItem(path, error));
		}
	}
	const existing = await listOrganizeInputs(vault, "");
	return {
		version: 1,
		createdAt: (options.now ?? new Date()).toISOString(),
		folder: options.folder,
		force: options.force ?? false,
		conflictPolicy: options.conflictPolicy ?? "rename",
		...(options.userNoteRules !== undefined ? { userNoteRules: [...options.userNoteRules] } : {}),
		items: await settleTargets(vault, items, existing, options.conflictPolicy ?? "rename"),
	};
}

export function failedItem(path: string, error: unknown): PlanItem {
	const message = error instanceof Error ? error.message : String(error);
	return {
		from: path,
		to: path,
		status: "failed",
		reason: message,
		frontmatterChanges: [],
		contentChanged: false,
		error: { message: `"${path}": ${message}` },
	};
}

/** The tag the import puts on every conversation note: it says where a note came from, not what it is about. */
export const IMPORT_PROVENANCE_TAG = "ai-chat";

/**
 * The tags that speak for a note's topic: an imported conversation's provenance tags (`ai-chat` and its
 * `source`, e.g. `claude`) are left out, or every chat would be filed under AI whatever it discussed.
 */
export function topicTags(tags: readonly string[], frontmatter: Record<string, unknown>): string[] {
	const source = typeof frontmatter.source === "string" ? frontmatter.source.toLowerCase() : undefined;
	if (source === undefined) return [...tags];
	return tags.filter((tag) => {
		const t = tag.replace(/^#/, "").toLowerCase();
		return t !== IMPORT_PROVENANCE_TAG && t !== source;
	});
}
