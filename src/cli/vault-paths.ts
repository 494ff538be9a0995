import * as fs from "node:fs/promises";
import * as path from "node:path";

/** A vault-relative path was refused because it would leave the vault (or is not relative). */
export class PathEscapeError extends Error {
	constructor(readonly requested: string, reason: string) {
		super(`Refused path "${requested}": ${reason}`);
		this.name = "PathEscapeError";
	}
}

/**
 * Resolves a vault-relative POSIX path to an absolute path inside `root`, refusing absolute paths,
 * `..` segments, NUL bytes and symlinks (anywhere on the way) that lead outside the root.
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
	if (relative.includes("\0")) throw new PathEscapeError(relative, "it contains a NUL byte");
	if (path.isAbsolute(relative) || /^[a-zA-Z]:[\\/]/.test(relative) || relative.startsWith("\\")) {
		throw new PathEscapeError(relative, "absolute paths are not allowed");
	}
	const segments = relative.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
	if (segments.includes("..")) throw new PathEscapeError(relative, "'..' is not allowed");
	const rootReal = await fs.realpath(root);
	const target = path.join(rootReal, ...segments);
	// The nearest existing ancestor (or the target itself) must really be inside the root.
	let probe = target;
	for (;;) {
		try {
			const real = await fs.realpath(probe);
			if (real !== rootReal && !real.startsWith(rootReal + path.sep)) {
				throw new PathEscapeError(relative, "it leads outside the vault through a symbolic link");
			}
			break;
		} catch (error) {
			if (error instanceof PathEscapeError) throw error;
			if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
			const parent = path.dirname(probe);
			if (parent === probe) break;
			probe = parent;
		}
	}
	return target;
}

/** Writes `data` to a temp file beside `target`, then renames it over `target` (atomic on POSIX). */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
	await fs.mkdir(path.dirname(target), { recursive: true });
	const temp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
	try {
		await fs.writeFile(temp, data);
		await fs.rename(temp, target);
	} catch (error) {
		await fs.rm(temp, { force: true });
		throw error;
	}
}

/**
 * Creates `target` with `data` atomically and only if nothing exists there: the content goes to a temp
 * file, then a hard link claims the name (link fails with EEXIST instead of overwriting).
 */
export async function createFileExclusive(target: string, data: string | Uint8Array): Promise<void> {
	await fs.mkdir(path.dirname(target), { recursive: true });
	const temp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
	try {
		await fs.writeFile(temp, data);
		await fs.link(temp, target);
	} finally {
		await fs.rm(temp, { force: true });
	}
}
