import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { utf8View } from "./utf8-scratch";

/**
 * Path safety and atomic writes for everything the CLI writes under a vault folder (the staging store and the
 * note vault alike).
 *
 * The calls are synchronous node:fs on purpose: the CLI runs its command in a worker thread, and an import writes
 * thousands of small files, where a promise and a threadpool round trip per syscall cost more than the syscall.
 * The ports stay async (their Obsidian implementations are); they call these functions inside async methods.
 */

/** A temp file of an atomic write: `<name>.tmp-<hex>`. Left behind only by a crash; listings hide it. */
export const TEMP_FILE_PATTERN = /\.tmp-[0-9a-f]{8,}$/;

/** Raised for a path that is absolute, contains `..`, or resolves (through a symlink) outside the root. */
export class PathEscapeError extends Error {
	override readonly name = "PathEscapeError";
	constructor(
		readonly path: string,
		reason: string,
	) {
		super(`Refusing path "${path}": ${reason}`);
	}
}

/** The `code` of a Node error (ENOENT, EEXIST, ...), or undefined for anything else. */
export function codeOf(e: unknown): unknown {
	return e instanceof Error && "code" in e ? e.code : undefined;
}

/** What is known about one vault root in this process. */
interface RootState {
	/** path.resolve of the root as given. */
	readonly resolved: string;
	/** Its realpath (the root itself may be reached through a symlink). */
	readonly real: string;
	/**
	 * Folders proven to be real folders inside the root with no symlink on the way down from the root. A write of
	 * thousands of notes into one folder then costs no walk up to the root per note.
	 */
	readonly proven: Set<string>;
}

const roots = new Map<string, RootState>();

function rootState(root: string): RootState {
	let state = roots.get(root);
	if (state === undefined) {
		const resolved = path.resolve(root);
		let real = resolved;
		try {
			real = fs.realpathSync.native(resolved);
		} catch {
			// A root that does not exist yet: nothing below it can be a symlink either.
		}
		state = { resolved, real, proven: new Set([resolved]) };
		roots.set(root, state);
	}
	return state;
}

/**
 * How the caller touches the final name of a resolved path, which decides what must be checked there.
 * - `follow` (default): it opens the name, following a symlink there, so a symlink at the name must lead inside.
 * - `replace`: it renames a temp file over the name. The rename would not write through a symlink, but it would
 *   silently replace one the user made, so a symlink at the name is still checked like `follow`.
 * - `nofollow`: its own syscall refuses anything already at the name that could lead out (link(2) fails on any
 *   existing entry, open with O_NOFOLLOW fails on a symlink), so nothing at the name is looked at.
 */
export type FinalName = "follow" | "replace" | "nofollow";

function isOutside(realRoot: string, real: string): boolean {
	const rel = path.relative(realRoot, real);
	return rel === ".." || rel.startsWith(".." + path.sep) || path.isAbsolute(rel);
}

/**
 * The absolute path inside `root` for a vault-relative one: no NUL, no absolute path, no `..`, and the nearest
 * existing ancestor (or the path itself) must really be inside the root — a symlink out, or a dangling symlink on
 * the way, is refused. When the path's folder was proven earlier, only the final name is looked at (see FinalName):
 * one lstat, or nothing at all for `nofollow`.
 *
 * Known limit (a check-then-write can only be this good without openat): a proven folder that is swapped for a
 * symlink by another program while this process runs is not noticed until removeFolder forgets it.
 */
export function resolveInsideSync(root: string, relative: string, finalName: FinalName = "follow"): string {
	const state = rootState(root);
	let target: string;
	let folder: string;
	if (PLAIN_JOIN && plainRelative(relative) && !state.resolved.endsWith("/")) {
		// What the checks and path.join below give for such a path, without a regular expression, an array and a
		// normalisation per call (reading every note of a folder made ~10 µs of them per note, half a read's cost).
		target = `${state.resolved}/${relative}`;
		folder = target.slice(0, target.lastIndexOf("/"));
	} else {
		if (relative.includes("\0")) throw new PathEscapeError(relative, "contains a NUL character");
		if (relative.startsWith("/") || relative.startsWith("\\") || /^[A-Za-z]:/.test(relative) || path.isAbsolute(relative)) {
			throw new PathEscapeError(relative, "absolute paths are not allowed");
		}
		const segments = relative.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
		if (segments.includes("..")) throw new PathEscapeError(relative, '".." is not allowed');
		target = segments.length === 0 ? state.resolved : path.join(state.resolved, ...segments);
		folder = path.dirname(target);
	}
	if (target !== state.resolved && state.proven.has(folder)) {
		if (finalName === "nofollow") return target;
		// The folder is known to be inside: only a symlink at the name itself needs the full check.
		if (!fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) return target;
	}
	return walkUp(state, relative, target);
}

/** Where "/" is the separator (not Windows): a plain relative path is then joined to the root as it is. */
const PLAIN_JOIN = path.sep === "/";

/**
 * Whether a vault-relative path is plain: non-empty "/"-separated names, none empty, "." or "..", no backslash, no
 * NUL, no drive letter (":" second). Such a path is inside the root by its text, and path.join(root, ...its names)
 * is `${root}/${relative}` (a root not ending in "/").
 */
export function plainRelative(relative: string): boolean {
	if (relative.length === 0 || relative.charCodeAt(1) === 58) return false;
	let start = 0;
	for (let index = 0; index <= relative.length; index++) {
		const code = index < relative.length ? relative.charCodeAt(index) : 47;
		if (code === 92 || code === 0) return false;
		if (code !== 47) continue;
		const length = index - start;
		if (length === 0) return false;
		if (length <= 2 && relative.charCodeAt(start) === 46 && (length === 1 || relative.charCodeAt(start + 1) === 46)) return false;
		start = index + 1;
	}
	return true;
}

/** The full check: realpath of the nearest existing ancestor (or the path itself) must be inside the root. */
function walkUp(state: RootState, relative: string, target: string): string {
	let probe = target;
	for (;;) {
		if (probe !== target && state.proven.has(probe)) return target;
		let real: string | undefined;
		try {
			real = fs.realpathSync.native(probe);
		} catch (e) {
			if (codeOf(e) !== "ENOENT") throw e;
		}
		if (real !== undefined) {
			if (isOutside(state.real, real)) throw new PathEscapeError(relative, "it leads outside the vault (symlink)");
			// No symlink between the root and this folder: its realpath is the root's plus the same relative path.
			const expected = state.real === state.resolved ? probe : path.join(state.real, path.relative(state.resolved, probe));
			if (real === expected) {
				// The folder holding it is proven too: the next name in it needs one lstat, not a realpath (reading every
				// note of a folder made a realpath per note, a fifth of an organize preview's CPU).
				if (probe !== target) state.proven.add(probe);
				else if (target !== state.resolved) state.proven.add(path.dirname(target));
			}
			return target;
		}
		if (fs.lstatSync(probe, { throwIfNoEntry: false })?.isSymbolicLink()) {
			throw new PathEscapeError(relative, "it passes through a dangling symlink");
		}
		const parent = path.dirname(probe);
		if (parent === probe) return target;
		probe = parent;
	}
}

/** Folders this process has created or seen (mkdir -p is skipped for them). */
const madeDirs = new Set<string>();

function ensureDir(dir: string): void {
	if (madeDirs.has(dir)) return;
	fs.mkdirSync(dir, { recursive: true });
	madeDirs.add(dir);
}

function remakeDir(dir: string): void {
	madeDirs.delete(dir);
	ensureDir(dir);
}

/** Forgets folders remembered as existing or proven (after a folder was removed). */
export function forgetMadeDirs(under: string): void {
	const inside = (dir: string): boolean => dir === under || dir.startsWith(under + path.sep);
	for (const dir of madeDirs) if (inside(dir)) madeDirs.delete(dir);
	for (const state of roots.values()) for (const dir of state.proven) if (dir !== state.resolved && inside(dir)) state.proven.delete(dir);
}

/**
 * Temp names: `<target>.tmp-<prefix><counter>`, the prefix 48 random bits drawn once per module instance (each
 * process, and each worker thread, loads its own), the counter in hex. The prefix has a fixed length, so two
 * counters never give the same name; two writers (processes or threads) share a name only if they drew the same
 * prefix, and even then the exclusive open refuses the second one, which moves on to its next name.
 */
const TEMP_PREFIX = randomBytes(6).toString("hex");
let tempCounter = 0;

/** The next temp name for `target` (exported for tests). */
export function nextTempPath(target: string): string {
	tempCounter++;
	return `${target}.tmp-${TEMP_PREFIX}${tempCounter.toString(16)}`;
}

export interface WriteOptions {
	/** fsync the file before it takes the name: for state files (session.json) that must survive a power cut. */
	sync?: boolean;
	/**
	 * The file's permission bits (e.g. 0o600 for a session file holding notes' text, or a note's own mode when it is
	 * rewritten): set on the temp file before it takes the name, whatever the umask.
	 */
	mode?: number;
}

/** Attempts at a fresh temp name before giving up (each failure means another writer holds that name). */
const TEMP_ATTEMPTS = 8;

function unlinkQuietly(file: string): void {
	try {
		fs.unlinkSync(file);
	} catch {
		// Already gone, or never made: nothing to clean.
	}
}

/**
 * Writes all of `data` at the file's position (a string through the reused UTF-8 buffer: no copy allocated per
 * write). writeSync may write less than asked (a full disk, a signal): it goes on until all of it is written.
 */
function writeAllSync(fd: number, data: string | Uint8Array): void {
	const bytes = typeof data === "string" ? utf8View(data) : data;
	for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/** Writes `data` to a new temp file beside `target` (exclusive create) and returns the temp file's path. */
function writeTemp(target: string, data: string | Uint8Array, options: WriteOptions): string {
	let remade = false;
	for (let attempt = 1; ; attempt++) {
		const temp = nextTempPath(target);
		let fd: number;
		try {
			fd = fs.openSync(temp, "wx", options.mode ?? 0o666);
		} catch (e) {
			const code = codeOf(e);
			if (code === "EEXIST" && attempt < TEMP_ATTEMPTS) continue;
			// The folder was removed since this process last made it: make it again, once.
			if (code === "ENOENT" && !remade) {
				remade = true;
				remakeDir(path.dirname(target));
				continue;
			}
			throw e;
		}
		try {
			if (options.mode !== undefined) fs.fchmodSync(fd, options.mode);
			writeAllSync(fd, data);
			if (options.sync) fs.fsyncSync(fd);
		} catch (e) {
			fs.closeSync(fd);
			unlinkQuietly(temp);
			throw e;
		}
		fs.closeSync(fd);
		return temp;
	}
}

/**
 * Writes `data` to a temp file beside `target`, then renames it over `target`: a crash leaves the old content or the
 * new, never half of it (with `sync`, also across a power cut).
 */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: WriteOptions = {}): void {
	ensureDir(path.dirname(target));
	const temp = writeTemp(target, data, options);
	try {
		fs.renameSync(temp, target);
	} catch (error) {
		unlinkQuietly(temp);
		throw error;
	}
}

/**
 * writeFileAtomic of the concatenation of `chunks`, each written to the temp file as it comes (never one string of
 * them all), renamed over `target` after the last: `target` can be read while the chunks are made.
 */
export async function writeFileAtomicFrom(target: string, chunks: AsyncIterable<string>, options: WriteOptions = {}): Promise<void> {
	ensureDir(path.dirname(target));
	const temp = writeTemp(target, "", options);
	try {
		const fd = fs.openSync(temp, "a");
		try {
			for await (const chunk of chunks) writeAllSync(fd, chunk);
			if (options.sync) fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(temp, target);
	} catch (error) {
		unlinkQuietly(temp);
		throw error;
	}
}

/**
 * Creates `target` with `data` atomically and only if nothing exists there (not even a symlink): the content goes
 * to a temp file, then a hard link claims the name (link fails with EEXIST instead of overwriting).
 */
export function createFileExclusive(target: string, data: string | Uint8Array): void {
	ensureDir(path.dirname(target));
	const temp = writeTemp(target, data, {});
	try {
		fs.linkSync(temp, target);
	} finally {
		unlinkQuietly(temp);
	}
}

/**
 * Writes `data` over `target` in place (open with O_TRUNC, write, close): no temp file, no rename, so a crash can
 * leave it cut short. For files that are written again on resume. `noFollow` as in appendText.
 */
export function writeTextInPlace(target: string, data: string, options: { noFollow?: boolean } & WriteOptions = {}): void {
	const { O_WRONLY, O_TRUNC, O_CREAT, O_NOFOLLOW } = fs.constants;
	const flags = O_WRONLY | O_TRUNC | O_CREAT | (options.noFollow && O_NOFOLLOW !== undefined ? O_NOFOLLOW : 0);
	ensureDir(path.dirname(target));
	const fd = fs.openSync(target, flags, options.mode ?? 0o666);
	try {
		writeAllSync(fd, data);
		if (options.sync) fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

/** O_NOFOLLOW where the platform has it (not on Windows). */
export const CAN_REFUSE_SYMLINK_ON_OPEN = fs.constants.O_NOFOLLOW !== undefined;

/**
 * Appends text, making the folder when needed (remembered, so a long log costs one mkdir, not one per line).
 * `noFollow`: open with O_NOFOLLOW, so a symlink at `target` fails with ELOOP instead of being written through
 * (only where CAN_REFUSE_SYMLINK_ON_OPEN).
 */
export function appendText(target: string, data: string | readonly string[], options: { noFollow?: boolean } & WriteOptions = {}): void {
	const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
	const flags = O_WRONLY | O_APPEND | O_CREAT | (options.noFollow && O_NOFOLLOW !== undefined ? O_NOFOLLOW : 0);
	const dir = path.dirname(target);
	ensureDir(dir);
	let fd: number;
	try {
		fd = fs.openSync(target, flags, options.mode ?? 0o666);
	} catch (e) {
		if (codeOf(e) !== "ENOENT") throw e;
		remakeDir(dir);
		fd = fs.openSync(target, flags, options.mode ?? 0o666);
	}
	try {
		if (typeof data === "string") writeAllSync(fd, data);
		else writeLinesSync(fd, data);
		if (options.sync) fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

/** Where writeLinesSync encodes lines before a write (reused; a line that cannot fit is written on its own). */
const linesScratch = Buffer.allocUnsafe(1024 * 1024);
const NEWLINE = Buffer.from("\n");

/**
 * Writes each line and a line break, encoded one after another into a reused buffer and written as it fills: no
 * string of all of them is made (joining megabytes of lines cost more than writing them).
 */
function writeLinesSync(fd: number, lines: readonly string[]): void {
	let used = 0;
	for (const line of lines) {
		const most = line.length * 3 + 1;
		if (used + most > linesScratch.length) {
			if (used > 0) writeAllSync(fd, linesScratch.subarray(0, used));
			used = 0;
			if (most > linesScratch.length) {
				writeAllSync(fd, line);
				writeAllSync(fd, NEWLINE);
				continue;
			}
		}
		used += linesScratch.write(line, used, "utf8");
		linesScratch[used++] = 0x0a;
	}
	if (used > 0) writeAllSync(fd, linesScratch.subarray(0, used));
}
