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
 * The absolute path inside `root` for a vault-relative one: no NUL, no absolute path, no `..`, and the nearest
 * existing ancestor (or the path itself) must really be inside the root — a symlink out, or a dangling symlink on
 * the way, is refused.
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
	if (relative.includes("\0")) throw new PathEscapeError(relative, "contains a NUL character");
	if (relative.startsWith("/") || relative.startsWith("\\") || /^[A-Za-z]:/.test(relative) || path.isAbsolute(relative)) {
		throw new PathEscapeError(relative, "absolute paths are not allowed");
	}
	const segments = relative.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
	if (segments.includes("..")) throw new PathEscapeError(relative, '".." is not allowed');
	const rootResolved = path.resolve(root);
	const realRoot = await fs.realpath(rootResolved).catch(() => rootResolved);
	const target = path.join(rootResolved, ...segments);
	let probe = target;
	for (;;) {
		try {
			const real = await fs.realpath(probe);
			const rel = path.relative(realRoot, real);
			if (rel.startsWith("..") || path.isAbsolute(rel)) throw new PathEscapeError(relative, "it leads outside the vault (symlink)");
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

function tempPathFor(target: string): string {
	return `${target}.tmp-${randomBytes(6).toString("hex")}`;
}

async function writeTemp(temp: string, data: string | Uint8Array): Promise<void> {
	const handle = await fs.open(temp, "wx");
	try {
		await handle.writeFile(data);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Writes `data` to a temp file beside `target` (synced), then renames it over `target`: old or new, never half. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
	await fs.mkdir(path.dirname(target), { recursive: true });
	const temp = tempPathFor(target);
	try {
		await writeTemp(temp, data);
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
	await fs.mkdir(path.dirname(target), { recursive: true });
	const temp = tempPathFor(target);
	try {
		await writeTemp(temp, data);
		await fs.link(temp, target);
	} finally {
		await fs.rm(temp, { force: true });
	}
}
