import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/**
 * Path safety and atomic writes for everything the CLI writes under a vault folder (the staging store and the
 * note vault alike).
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

function isNotFound(e: unknown): boolean {
	return e instanceof Error && "code" in e && e.code === "ENOENT";
}

/**
 * Directories already proven to be real directories inside their vault (per vault root). A write of thousands of
 * notes into one folder then costs one realpath of the target, not a walk up to the root for every note.
 */
const provenDirs = new Map<string, Set<string>>();
const realRoots = new Map<string, string>();

async function realRootOf(root: string): Promise<string> {
	let real = realRoots.get(root);
	if (real === undefined) {
		real = await fs.realpath(root).catch(() => root);
		realRoots.set(root, real);
	}
	return real;
}

/**
 * The absolute path inside `root` for a vault-relative one: no NUL, no absolute path, no `..`, and the nearest
 * existing ancestor (or the path itself) must really be inside the root — a symlink out, or a dangling symlink on
 * the way, is refused. `forWrite`: the path is only written by replacing its name (rename or link), so when its
 * folder was proven earlier one lstat of the target (is it a symlink?) is enough.
 */
export async function resolveInside(root: string, relative: string, options: { forWrite?: boolean } = {}): Promise<string> {
	if (relative.includes("\0")) throw new PathEscapeError(relative, "contains a NUL character");
	if (relative.startsWith("/") || relative.startsWith("\\") || /^[A-Za-z]:/.test(relative) || path.isAbsolute(relative)) {
		throw new PathEscapeError(relative, "absolute paths are not allowed");
	}
	const segments = relative.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
	if (segments.includes("..")) throw new PathEscapeError(relative, '".." is not allowed');
	const rootResolved = path.resolve(root);
	const realRoot = await realRootOf(rootResolved);
	let proven = provenDirs.get(rootResolved);
	if (!proven) provenDirs.set(rootResolved, (proven = new Set([rootResolved])));
	const target = path.join(rootResolved, ...segments);
	if (options.forWrite && proven.has(path.dirname(target))) {
		// The folder is known to be inside: only a symlink at the target itself needs the full check.
		const own = await fs.lstat(target).catch(() => null);
		if (!own?.isSymbolicLink()) return target;
	}
	let probe = target;
	for (;;) {
		if (probe !== target && proven.has(probe)) return target;
		try {
			const real = await fs.realpath(probe);
			const rel = path.relative(realRoot, real);
			if (rel.startsWith("..") || path.isAbsolute(rel)) throw new PathEscapeError(relative, "it leads outside the vault (symlink)");
			if (probe !== target && real === probe) proven.add(probe);
			return target;
		} catch (e) {
			if (!isNotFound(e)) throw e;
			const link = await fs.lstat(probe).catch(() => null);
			if (link?.isSymbolicLink()) throw new PathEscapeError(relative, "it passes through a dangling symlink");
			const parent = path.dirname(probe);
			if (parent === probe) return target;
			probe = parent;
		}
	}
}

/** Folders this process has created or seen (mkdir -p is skipped for them). */
const madeDirs = new Set<string>();

async function ensureDir(dir: string): Promise<void> {
	if (madeDirs.has(dir)) return;
	await fs.mkdir(dir, { recursive: true });
	madeDirs.add(dir);
}

/** Forgets folders remembered as existing (after a folder was removed). */
export function forgetMadeDirs(under: string): void {
	for (const dir of madeDirs) if (dir === under || dir.startsWith(under + path.sep)) madeDirs.delete(dir);
	for (const set of provenDirs.values()) for (const dir of set) if (dir === under || dir.startsWith(under + path.sep)) set.delete(dir);
}

function tempPathFor(target: string): string {
	return `${target}.tmp-${randomBytes(6).toString("hex")}`;
}

export interface WriteOptions {
	/** fsync the file before it takes the name: for state files (session.json) that must survive a power cut. */
	sync?: boolean;
}

async function writeTemp(temp: string, data: string | Uint8Array, options: WriteOptions): Promise<void> {
	try {
		await writeTempOnce(temp, data, options);
	} catch (e) {
		// The folder was removed since this process last made it: make it again, once.
		if (!isNotFound(e)) throw e;
		const dir = path.dirname(temp);
		madeDirs.delete(dir);
		await ensureDir(dir);
		await writeTempOnce(temp, data, options);
	}
}

async function writeTempOnce(temp: string, data: string | Uint8Array, options: WriteOptions): Promise<void> {
	if (!options.sync) {
		await fs.writeFile(temp, data, { flag: "wx" });
		return;
	}
	const handle = await fs.open(temp, "wx");
	try {
		await handle.writeFile(data);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/**
 * Writes `data` to a temp file beside `target`, then renames it over `target`: a crash leaves the old content or the
 * new, never half of it (with `sync`, also across a power cut).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
	await ensureDir(path.dirname(target));
	const temp = tempPathFor(target);
	try {
		await writeTemp(temp, data, options);
		await fs.rename(temp, target);
	} catch (error) {
		await fs.rm(temp, { force: true });
		throw error;
	}
}

/**
 * Creates `target` with `data` atomically and only if nothing exists there: the content goes to a temp file, then
 * a hard link claims the name (link fails with EEXIST instead of overwriting).
 */
export async function createFileExclusive(target: string, data: string | Uint8Array): Promise<void> {
	await ensureDir(path.dirname(target));
	const temp = tempPathFor(target);
	try {
		await writeTemp(temp, data, {});
		await fs.link(temp, target);
	} finally {
		await fs.rm(temp, { force: true });
	}
}

/** Appends text, making the folder when needed (remembered, so a long log costs one mkdir, not one per line). */
export async function appendText(target: string, data: string): Promise<void> {
	await ensureDir(path.dirname(target));
	try {
		await fs.appendFile(target, data, "utf8");
	} catch (e) {
		if (!isNotFound(e)) throw e;
		madeDirs.delete(path.dirname(target));
		await ensureDir(path.dirname(target));
		await fs.appendFile(target, data, "utf8");
	}
}
