import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { StagingStore, StagingWriteOptions } from "../core/app/types";
import {
	appendText,
	CAN_REFUSE_SYMLINK_ON_OPEN,
	codeOf,
	forgetMadeDirs,
	PathEscapeError,
	resolveInsideSync,
	TEMP_FILE_PATTERN,
	writeFileAtomic,
	writeFileAtomicFrom,
	writeTextInPlace,
} from "./vault-paths";

export { PathEscapeError, TEMP_FILE_PATTERN };

/**
 * Every file the store creates is the owner's only: sessions hold conversations, copies of notes, prompts and
 * undo data, and the index names every note; none of it is for other users of the machine (`private` is then
 * always true here).
 */
const PRIVATE_MODE = 0o600;

function modeAndSync(options: StagingWriteOptions): { mode: number; sync?: boolean } {
	return { mode: PRIVATE_MODE, ...(options.sync ? { sync: true } : {}) };
}

/**
 * The StagingStore on Node's filesystem, rooted at a vault directory. Nothing outside the root is touched.
 * The methods use synchronous node:fs inside async signatures (see vault-paths.ts for why).
 */
export class NodeStagingStore implements StagingStore {
	readonly root: string;

	constructor(vaultDir: string) {
		this.root = nodePath.resolve(vaultDir);
	}

	/** The absolute path for a vault-relative one; see resolveInsideSync (no `..`, no absolute path, no symlink out). */
	async resolve(path: string): Promise<string> {
		return this.abs(path);
	}

	private abs(path: string): string {
		return resolveInsideSync(this.root, path);
	}

	private rel(abs: string): string {
		return nodePath.relative(this.root, abs).split(nodePath.sep).join("/");
	}

	async exists(path: string): Promise<boolean> {
		return fs.statSync(this.abs(path), { throwIfNoEntry: false }) !== undefined;
	}

	async read(path: string): Promise<string> {
		return fs.readFileSync(this.abs(path), "utf8");
	}

	async writeAtomic(path: string, data: string, options: StagingWriteOptions = {}): Promise<void> {
		// State files (session.json, phase.json, options) are synced; bulk copies of notes are not, unless asked.
		writeFileAtomic(resolveInsideSync(this.root, path, "replace"), data, {
			sync: options.sync === true || path.endsWith(".json"),
			mode: PRIVATE_MODE,
		});
	}

	async writeAtomicFrom(path: string, chunks: AsyncIterable<string>, options: StagingWriteOptions = {}): Promise<void> {
		await writeFileAtomicFrom(resolveInsideSync(this.root, path, "replace"), chunks, {
			sync: options.sync === true || path.endsWith(".json"),
			mode: PRIVATE_MODE,
		});
	}

	async write(path: string, data: string, options: StagingWriteOptions = {}): Promise<void> {
		this.openedNoFollow(path, (target, noFollow) => writeTextInPlace(target, data, { noFollow, ...modeAndSync(options) }));
	}

	async append(path: string, data: string, options: StagingWriteOptions = {}): Promise<void> {
		this.openedNoFollow(path, (target, noFollow) => appendText(target, data, { noFollow, ...modeAndSync(options) }));
	}

	async appendLines(path: string, lines: readonly string[], options: StagingWriteOptions = {}): Promise<void> {
		this.openedNoFollow(path, (target, noFollow) => appendText(target, lines, { noFollow, ...modeAndSync(options) }));
	}

	/**
	 * For a write that opens the file itself (append, write in place): O_NOFOLLOW refuses a symlink at the name, so
	 * a proven folder costs no lstat per write; a symlink there gets the full check and is written through only
	 * when it stays inside the vault. Without O_NOFOLLOW (Windows), always the full check.
	 */
	private openedNoFollow(path: string, open: (target: string, noFollow: boolean) => void): void {
		if (!CAN_REFUSE_SYMLINK_ON_OPEN) {
			open(this.abs(path), false);
			return;
		}
		try {
			open(resolveInsideSync(this.root, path, "nofollow"), true);
		} catch (e) {
			if (codeOf(e) !== "ELOOP") throw e;
			open(this.abs(path), false);
		}
	}

	async createExclusive(path: string, data: string): Promise<boolean> {
		const target = resolveInsideSync(this.root, path, "nofollow");
		fs.mkdirSync(nodePath.dirname(target), { recursive: true });
		let fd: number;
		try {
			fd = fs.openSync(target, "wx", PRIVATE_MODE);
		} catch (e) {
			if (codeOf(e) === "EEXIST") return false;
			throw e;
		}
		try {
			fs.writeSync(fd, data);
			fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		return true;
	}

	async mkdir(path: string): Promise<void> {
		fs.mkdirSync(this.abs(path), { recursive: true });
	}

	async list(path: string): Promise<{ files: string[]; folders: string[] }> {
		const abs = this.abs(path);
		let entries;
		try {
			entries = fs.readdirSync(abs, { withFileTypes: true });
		} catch (e) {
			if (codeOf(e) === "ENOENT") return { files: [], folders: [] };
			throw e;
		}
		const files: string[] = [];
		const folders: string[] = [];
		for (const entry of entries) {
			const child = this.rel(nodePath.join(abs, entry.name));
			if (entry.isDirectory()) folders.push(child);
			else if (entry.isFile() && !TEMP_FILE_PATTERN.test(entry.name)) files.push(child);
		}
		files.sort();
		folders.sort();
		return { files, folders };
	}

	async remove(path: string): Promise<void> {
		fs.rmSync(this.abs(path), { force: true });
	}

	async removeFolder(path: string): Promise<void> {
		const abs = this.abs(path);
		if (abs === this.root) throw new PathEscapeError(path, "refusing to remove the vault root");
		try {
			fs.rmSync(abs, { recursive: true, force: true });
		} finally {
			forgetMadeDirs(abs);
		}
	}

	async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
		if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0)
			throw new RangeError(`${path}: bad range ${offset}+${length}`);
		const fd = fs.openSync(this.abs(path), "r");
		try {
			const size = fs.fstatSync(fd).size;
			const want = Math.max(0, Math.min(length, size - offset));
			const buffer = new Uint8Array(want);
			let got = 0;
			while (got < want) {
				const n = fs.readSync(fd, buffer, got, want - got, offset + got);
				if (n === 0) break;
				got += n;
			}
			return got === want ? buffer : buffer.subarray(0, got);
		} finally {
			fs.closeSync(fd);
		}
	}

	async stat(path: string): Promise<{ size: number; mtime: number } | null> {
		const s = fs.statSync(this.abs(path), { throwIfNoEntry: false });
		return s ? { size: s.size, mtime: s.mtimeMs } : null;
	}
}
