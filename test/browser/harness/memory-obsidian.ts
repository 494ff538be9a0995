/**
 * The `obsidian` module for the browser harness (test/browser/harness/): what the built main.js gets from
 * `require("obsidian")` in the page. The UI (Plugin, ItemView, Modal, Setting, Notice, the DOM helpers) is the test
 * stub's own (test/stubs/obsidian.ts), over the page's real DOM. The vault is replaced by one in memory that costs
 * what Obsidian's does:
 * - a file tree and its metadata held in maps (Obsidian's in-memory index): a lookup by path is one map read, a
 *   folder knows its children; nothing scans a folder per call (the Node stub re-reads directories on every lookup);
 * - the adapter (`vault.adapter`, which sees dot-folders such as `.staging/`) writes into the same tree, and the
 *   Vault index follows each write of a visible path as Obsidian's file watcher does, one path at a time;
 * - every adapter and Vault call is asynchronous (a microtask), as Obsidian's are.
 * Where Obsidian is strict, this is too: `create` refuses an existing path, a missing parent folder, a dot-path.
 */
import {
	Events,
	FileManager as StubFileManager,
	Workspace,
	CommandRegistry,
	SecretStorage,
	normalizePath,
	splitFrontMatter,
	TAbstractFile,
	TFile,
	TFolder,
} from "../../stubs/obsidian";
import type { View, WorkspaceLeaf } from "../../stubs/obsidian";
import { stringify as stringifyYaml } from "yaml";

export * from "../../stubs/obsidian";

function isHidden(path: string): boolean {
	return path.split("/").some((s) => s.startsWith("."));
}

function parentOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "/" : path.slice(0, i);
}

function nameOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? path : path.slice(i + 1);
}

/** Adapter paths: "" and "/" are the root; no leading or trailing slash. */
function clean(path: string): string {
	const p = normalizePath(path);
	return p === "/" ? "" : p;
}

/**
 * The completions of Node's fs calls as Obsidian desktop's adapter makes them: each system call (open, write, close,
 * stat, …) runs on libuv's pool and comes back to the renderer's main thread as a task of its own, so an awaited
 * chain of writes never runs as one task and anything else may run between them. Here each is a message on a
 * MessageChannel (a task, as soon as the page can take one; not throttled as nested timers are). `ops` is how many
 * such calls Node makes for the adapter's call: fs.promises.writeFile and appendFile open, write and close (3);
 * readFile opens, stats, reads in pieces of 512 KiB and closes; exists, stat, mkdir, rename, unlink one each.
 */
const completions: (() => void)[] = [];
let channel: MessageChannel | null = null;
function nextTask(): Promise<void> {
	if (!channel) {
		channel = new MessageChannel();
		channel.port1.onmessage = () => completions.shift()?.();
		// In Node (the store's unit tests and cost check), the port must not keep the process alive.
		(channel.port1 as unknown as { unref?: () => void }).unref?.();
	}
	const c = channel;
	return new Promise((resolve) => {
		completions.push(resolve);
		c.port2.postMessage(null);
	});
}
async function io(ops: number): Promise<void> {
	for (let i = 0; i < ops; i++) await nextTask();
}
/** The fs calls of a whole read (readFile) of `size` bytes. */
const readOps = (size: number): number => 4 + Math.floor(size / (512 * 1024));
const WRITE_OPS = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Room that text is encoded into before its bytes are copied out (grown as needed). */
let scratch = new Uint8Array(1 << 16);

/**
 * `text` as UTF-8 in the scratch (a view, valid until the next call). Text of more than 16 MiB as UTF-8 is encoded
 * into room of its own, not kept (the page's heap is measured).
 */
function encoded(text: string): Uint8Array {
	const most = text.length * 3;
	if (most > 1 << 24) {
		const room = new Uint8Array(most);
		return room.subarray(0, encoder.encodeInto(text, room).written);
	}
	if (most > scratch.length) scratch = new Uint8Array(Math.min(1 << 24, Math.max(most, scratch.length * 2)));
	return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** UTF-8 bytes of `data` (encoded into the scratch, as a write would, and not kept). */
function sizeOf(data: string | Uint8Array): number {
	return typeof data === "string" ? encoded(data).length : data.length;
}

/** The room a file's last chunk gets for small appends that follow (a disk's page: 64 KiB). */
export const CHUNK_ROOM = 1 << 16;

/**
 * A file's bytes as a disk holds them: in chunks, an append adds its own bytes after the last and never moves what
 * is there (a growing flat buffer copied on each growth, as before, charged the shard flush's pieces a copy of the
 * whole file a disk does not make, and held up to twice the file). Small appends fill the last chunk's room (at
 * most CHUNK_ROOM a file beyond its size). Text is made UTF-8 when it is written and text again when read, as
 * Node's fs does for Obsidian's adapter (Buffer.from, then the write copies it to the page cache: here encodeInto
 * a scratch, then one copy into the chunk) — by encodeInto, not TextEncoder.encode, which in Blink costs several
 * times more and would charge the stand-in's own cost to the plugin. A whole read joins the chunks (a read copies
 * out of the page cache too), and keeps them joined; a ranged read copies only its range.
 */
export class FileData {
	readonly kind = "file";
	private chunks: Uint8Array[];
	/** Bytes used in the last chunk (the rest of it is room). */
	private lastUsed: number;
	size: number;

	/** Set for a file whose bytes are not kept (see MemoryDisk.sizesOnly): only its size is. */
	private discarded: string | null = null;

	constructor(
		data: string | Uint8Array,
		public ctime: number,
		public mtime: number,
		discard: string | null = null,
	) {
		if (discard !== null) {
			this.discarded = discard;
			this.chunks = [];
			this.lastUsed = 0;
			this.size = sizeOf(data);
			return;
		}
		const bytes = typeof data === "string" ? encoded(data).slice() : data;
		this.chunks = [bytes];
		this.lastUsed = bytes.length;
		this.size = bytes.length;
	}

	append(data: string | Uint8Array, now: number): void {
		this.mtime = now;
		if (this.discarded !== null) {
			this.size += sizeOf(data);
			return;
		}
		const bytes = typeof data === "string" ? encoded(data) : data;
		const last = this.chunks[this.chunks.length - 1];
		if (last && last.length - this.lastUsed >= bytes.length) {
			last.set(bytes, this.lastUsed);
			this.lastUsed += bytes.length;
		} else {
			// Its own chunk, with room for the small appends that follow (a large one gets none: it is one write).
			const chunk = new Uint8Array(bytes.length >= CHUNK_ROOM ? bytes.length : CHUNK_ROOM);
			chunk.set(bytes);
			if (last && this.lastUsed < last.length) this.chunks[this.chunks.length - 1] = last.slice(0, this.lastUsed);
			this.chunks.push(chunk);
			this.lastUsed = bytes.length;
		}
		this.size += bytes.length;
	}

	/** The content (a view: valid until the next change). The chunks are joined once, as one read of the file. */
	get bytes(): Uint8Array {
		if (this.discarded !== null) throw new Error(`harness: the contents of ${this.discarded} were not kept (sizes only)`);
		if (this.chunks.length > 1) {
			const whole = new Uint8Array(this.size);
			let at = 0;
			for (let i = 0; i < this.chunks.length; i++) {
				const c = i === this.chunks.length - 1 ? this.chunks[i]!.subarray(0, this.lastUsed) : this.chunks[i]!;
				whole.set(c, at);
				at += c.length;
			}
			this.chunks = [whole];
			this.lastUsed = whole.length;
		}
		return (this.chunks[0] ?? new Uint8Array(0)).subarray(0, this.size);
	}

	/** Copies up to `length` bytes from `position` into `buffer` at `offset` (only that range); the count copied. */
	readInto(buffer: Uint8Array, offset: number, length: number, position: number): number {
		if (this.discarded !== null) throw new Error(`harness: the contents of ${this.discarded} were not kept (sizes only)`);
		const want = Math.max(0, Math.min(length, this.size - position));
		let copied = 0;
		let start = 0;
		for (let i = 0; i < this.chunks.length && copied < want; i++) {
			const used = i === this.chunks.length - 1 ? this.lastUsed : this.chunks[i]!.length;
			const from = position + copied - start;
			if (from < used) {
				const n = Math.min(used - from, want - copied);
				buffer.set(this.chunks[i]!.subarray(from, from + n), offset + copied);
				copied += n;
			}
			start += used;
		}
		return copied;
	}

	text(): string {
		return decoder.decode(this.bytes);
	}

	/** Bytes held for this file (with its last chunk's room). */
	heldBytes(): number {
		let n = 0;
		for (const c of this.chunks) n += c.length;
		return n;
	}

	/** How many chunks hold it (tests). */
	get chunkCount(): number {
		return this.chunks.length;
	}
}

type Entry = FileData | { kind: "folder"; children: Set<string>; ctime: number };

/** The bytes of every file and folder of the vault, by path (the disk). */
export class MemoryDisk {
	readonly entries = new Map<string, Entry>([["", { kind: "folder", children: new Set(), ctime: Date.now() }]]);
	/** Called after each change of a path (the vault's watcher). */
	onChange: (path: string) => void = () => undefined;
	/** Counters of the calls made, by method (for the harness's reports). */
	readonly calls = new Map<string, number>();
	/**
	 * Files whose bytes are not kept, only their sizes (reading one throws): for measuring the page's heap without
	 * what Obsidian would hold on disk. Null: every file is kept.
	 */
	sizesOnly: ((path: string) => boolean) | null = null;
	/** Bytes written (whole writes and appends), by path (for the harness's reports). */
	readonly written = new Map<string, { bytes: number; writes: number }>();

	count(what: string): void {
		this.calls.set(what, (this.calls.get(what) ?? 0) + 1);
	}

	get(path: string): Entry | undefined {
		return this.entries.get(clean(path));
	}

	folder(path: string): Extract<Entry, { kind: "folder" }> {
		const e = this.get(path);
		if (!e) throw new Error(`ENOENT: no such file or directory, '${path}'`);
		if (e.kind !== "folder") throw new Error(`ENOTDIR: not a directory, '${path}'`);
		return e;
	}

	/** Creates the folder and its parents. */
	mkdirs(path: string): void {
		const p = clean(path);
		if (p === "" || this.entries.has(p)) {
			if (p !== "" && this.entries.get(p)!.kind !== "folder") throw new Error(`EEXIST: file already exists, mkdir '${p}'`);
			return;
		}
		const parent = parentOf(p) === "/" ? "" : parentOf(p);
		this.mkdirs(parent);
		this.entries.set(p, { kind: "folder", children: new Set(), ctime: Date.now() });
		this.folder(parent).children.add(nameOf(p));
		this.onChange(p);
	}

	writeFile(path: string, data: string | Uint8Array, append = false): void {
		const p = clean(path);
		const parent = parentOf(p) === "/" ? "" : parentOf(p);
		const dir = this.entries.get(parent);
		if (!dir || dir.kind !== "folder") throw new Error(`ENOENT: no such file or directory, open '${p}'`);
		const now = Date.now();
		const old = this.entries.get(p);
		if (old?.kind === "folder") throw new Error(`EISDIR: illegal operation on a directory, open '${p}'`);
		let added: number | null = null;
		if (append && old) {
			old.append(data, now);
		} else {
			this.entries.set(p, new FileData(data, old?.ctime ?? now, now, this.sizesOnly?.(p) ? p : null));
		}
		if (typeof data !== "string") added = data.length;
		const w = this.written.get(p) ?? { bytes: 0, writes: 0 };
		// Text is counted in UTF-16 units (what was handed over; not encoded here to count it).
		w.bytes += added ?? data.length;
		w.writes++;
		this.written.set(p, w);
		dir.children.add(nameOf(p));
		this.onChange(p);
	}

	remove(path: string): void {
		const p = clean(path);
		const e = this.entries.get(p);
		if (!e) return;
		if (e.kind === "folder") for (const c of [...e.children]) this.remove(p === "" ? c : `${p}/${c}`);
		this.entries.delete(p);
		const parent = this.entries.get(parentOf(p) === "/" ? "" : parentOf(p));
		if (parent?.kind === "folder") parent.children.delete(nameOf(p));
		this.onChange(p);
	}

	/** Moves a file or a folder with everything in it. */
	move(from: string, to: string): void {
		const f = clean(from);
		const t = clean(to);
		const e = this.entries.get(f);
		if (!e) throw new Error(`ENOENT: no such file or directory, rename '${f}'`);
		this.mkdirs(parentOf(t) === "/" ? "" : parentOf(t));
		const moved: [string, Entry][] = [];
		for (const [path, entry] of this.entries) if (path === f || path.startsWith(`${f}/`)) moved.push([path, entry]);
		for (const [path] of moved) this.entries.delete(path);
		const oldParent = this.entries.get(parentOf(f) === "/" ? "" : parentOf(f));
		if (oldParent?.kind === "folder") oldParent.children.delete(nameOf(f));
		for (const [path, entry] of moved) this.entries.set(t + path.slice(f.length), entry);
		this.folder(parentOf(t) === "/" ? "" : parentOf(t)).children.add(nameOf(t));
		for (const [path] of moved) this.onChange(path);
		for (const [path] of moved) this.onChange(t + path.slice(f.length));
	}
}

/** Where the vault is "on disk" (the paths `getFullPath` gives and the page's `fs` opens). */
export const VAULT_ROOT = "/vault";

/**
 * Obsidian desktop's DataAdapter (a FileSystemAdapter) over the in-memory disk: it has full paths, and the page's
 * `window.require("fs")` (see memoryFs) opens them, so a ranged read reads only its range, as on the desktop.
 */
export class MemoryAdapter {
	constructor(
		readonly disk: MemoryDisk,
		private readonly name: string,
	) {}

	getFullPath(path: string): string {
		const p = clean(path);
		return p === "" ? VAULT_ROOT : `${VAULT_ROOT}/${p}`;
	}

	getName(): string {
		return this.name;
	}

	async exists(path: string): Promise<boolean> {
		this.disk.count("adapter.exists");
		await io(1);
		return this.disk.get(path) !== undefined;
	}

	async stat(path: string): Promise<{ type: "file" | "folder"; ctime: number; mtime: number; size: number } | null> {
		this.disk.count("adapter.stat");
		await io(1);
		const e = this.disk.get(path);
		if (!e) return null;
		if (e.kind === "folder") return { type: "folder", ctime: e.ctime, mtime: e.ctime, size: 0 };
		// The size only if asked for (it needs the text as UTF-8; a real stat is O(1)).
		return {
			type: "file",
			ctime: e.ctime,
			mtime: e.mtime,
			get size() {
				return e.size;
			},
		};
	}

	async list(path: string): Promise<{ files: string[]; folders: string[] }> {
		this.disk.count("adapter.list");
		await io(1);
		const p = clean(path);
		const dir = this.disk.folder(p);
		const files: string[] = [];
		const folders: string[] = [];
		for (const name of dir.children) {
			const child = p === "" ? name : `${p}/${name}`;
			(this.disk.get(child)?.kind === "folder" ? folders : files).push(child);
		}
		return { files, folders };
	}

	async read(path: string): Promise<string> {
		this.disk.count("adapter.read");
		{
			const e = this.disk.get(path);
			await io(readOps(e?.kind === "file" ? e.size : 0));
		}
		const e = this.disk.get(path);
		if (!e || e.kind !== "file") throw new Error(`ENOENT: no such file or directory, open '${path}'`);
		return e.text();
	}

	async readBinary(path: string): Promise<ArrayBuffer> {
		this.disk.count("adapter.readBinary");
		{
			const e = this.disk.get(path);
			await io(readOps(e?.kind === "file" ? e.size : 0));
		}
		const e = this.disk.get(path);
		if (!e || e.kind !== "file") throw new Error(`ENOENT: no such file or directory, open '${path}'`);
		return e.bytes.slice().buffer;
	}

	async write(path: string, data: string): Promise<void> {
		this.disk.count("adapter.write");
		await io(WRITE_OPS);
		this.disk.writeFile(path, data);
	}

	async writeBinary(path: string, data: ArrayBuffer): Promise<void> {
		this.disk.count("adapter.writeBinary");
		await io(WRITE_OPS);
		this.disk.writeFile(path, new Uint8Array(data.slice(0)));
	}

	async append(path: string, data: string): Promise<void> {
		this.disk.count("adapter.append");
		await io(WRITE_OPS);
		this.disk.writeFile(path, data, true);
	}

	async process(path: string, fn: (data: string) => string): Promise<string> {
		const next = fn(await this.read(path));
		await this.write(path, next);
		return next;
	}

	async mkdir(path: string): Promise<void> {
		this.disk.count("adapter.mkdir");
		await io(1);
		this.disk.mkdirs(path);
	}

	async remove(path: string): Promise<void> {
		this.disk.count("adapter.remove");
		await io(1);
		const e = this.disk.get(path);
		if (!e) throw new Error(`ENOENT: no such file or directory, unlink '${path}'`);
		if (e.kind === "folder") throw new Error(`EISDIR: remove() on folder '${path}'`);
		this.disk.remove(path);
	}

	async rmdir(path: string, recursive: boolean): Promise<void> {
		this.disk.count("adapter.rmdir");
		await io(1);
		const e = this.disk.folder(path);
		if (!recursive && e.children.size > 0) throw new Error(`ENOTEMPTY: directory not empty, rmdir '${path}'`);
		this.disk.remove(path);
	}

	/** Refuses to replace an existing target, as Obsidian's adapter does. */
	async rename(from: string, to: string): Promise<void> {
		this.disk.count("adapter.rename");
		await io(1);
		if (this.disk.get(to)) throw new Error("Destination file already exists!");
		this.disk.move(from, to);
	}

	async copy(from: string, to: string): Promise<void> {
		await io(2 * WRITE_OPS);
		if (this.disk.get(to)) throw new Error("Destination file already exists!");
		const e = this.disk.get(from);
		if (!e || e.kind !== "file") throw new Error(`ENOENT: no such file or directory, copyfile '${from}'`);
		this.disk.writeFile(to, e.bytes.slice());
	}

	async trashLocal(path: string): Promise<void> {
		await io(1);
		this.disk.mkdirs(".trash");
		let target = `.trash/${nameOf(clean(path))}`;
		for (let n = 1; this.disk.get(target); n++) target = `.trash/${n} ${nameOf(clean(path))}`;
		this.disk.move(path, target);
	}

	async trashSystem(path: string): Promise<boolean> {
		await this.trashLocal(path);
		return true;
	}
}

function hiddenError(path: string): Error {
	return new Error(`obsidian stand-in: the Vault API cannot see dot-paths ("${path}"); use vault.adapter`);
}

/** The Vault API over an index kept in memory and updated path by path as the disk changes. */
export class Vault extends Events {
	readonly configDir = ".obsidian";
	readonly config: Record<string, unknown> = { attachmentFolderPath: "/" };
	private readonly index = new Map<string, TAbstractFile>();
	private readonly root: TFolder;

	constructor(readonly adapter: MemoryAdapter) {
		super();
		this.root = new TFolder(this, "/");
		this.root.name = "";
		adapter.disk.onChange = (path) => this.sync(path);
	}

	/** What Obsidian's file watcher does for one changed path: the index entry follows the disk. */
	private sync(path: string): void {
		if (path === "" || isHidden(path)) return;
		const e = this.adapter.disk.get(path);
		const known = this.index.get(path);
		const parentPath = parentOf(path);
		const parent = parentPath === "/" ? this.root : this.index.get(parentPath);
		if (!e) {
			if (!known) return;
			this.index.delete(path);
			if (known.parent) known.parent.children = known.parent.children.filter((c) => c !== known);
			return;
		}
		let f = known;
		if (!f || (e.kind === "folder") !== f instanceof TFolder) {
			if (f?.parent) f.parent.children = f.parent.children.filter((c) => c !== f);
			f = e.kind === "folder" ? new TFolder(this, path) : new TFile(this, path);
			this.index.set(path, f);
			if (parent instanceof TFolder) {
				f.parent = parent;
				parent.children.push(f);
			}
		}
		// The size is worked out only if asked for (it needs a pass over the text).
		if (f instanceof TFile && e.kind === "file")
			f.stat = {
				ctime: e.ctime,
				mtime: e.mtime,
				get size() {
					return e.size;
				},
			};
	}

	getName(): string {
		return this.adapter.getName();
	}

	getRoot(): TFolder {
		return this.root;
	}

	getConfig(key: string): unknown {
		return this.config[key];
	}

	getAbstractFileByPath(path: string): TAbstractFile | null {
		const p = normalizePath(path);
		return p === "/" ? this.root : (this.index.get(p) ?? null);
	}

	getFileByPath(path: string): TFile | null {
		const f = this.getAbstractFileByPath(path);
		return f instanceof TFile ? f : null;
	}

	getFolderByPath(path: string): TFolder | null {
		const f = this.getAbstractFileByPath(path);
		return f instanceof TFolder ? f : null;
	}

	getAllLoadedFiles(): TAbstractFile[] {
		return [...this.index.values()];
	}

	getFiles(): TFile[] {
		return [...this.index.values()].filter((f): f is TFile => f instanceof TFile);
	}

	getMarkdownFiles(): TFile[] {
		return this.getFiles().filter((f) => f.extension === "md");
	}

	getAvailablePath(base: string, extension: string): string {
		for (let n = 0; ; n++) {
			const candidate = normalizePath(`${n === 0 ? base : `${base} ${n}`}${extension ? `.${extension}` : ""}`);
			if (!this.getAbstractFileByPath(candidate)) return candidate;
		}
	}

	private checkNew(path: string): string {
		const p = normalizePath(path);
		if (isHidden(p)) throw hiddenError(p);
		if (this.adapter.disk.get(p)) throw new Error("File already exists.");
		const parent = parentOf(p);
		if (parent !== "/" && this.adapter.disk.get(parent)?.kind !== "folder")
			throw new Error(`obsidian stand-in: parent folder "${parent}" does not exist`);
		return p;
	}

	/** Test-only: each new note waits this long first (a slow disk), so that a test can act while an import runs. */
	static createDelayMs = 0;

	async create(path: string, data: string): Promise<TFile> {
		this.adapter.disk.count("vault.create");
		const p = this.checkNew(path);
		await io(WRITE_OPS);
		if (Vault.createDelayMs > 0) await new Promise((r) => setTimeout(r, Vault.createDelayMs));
		this.adapter.disk.writeFile(p, data);
		const f = this.getFileByPath(p)!;
		this.trigger("create", f);
		return f;
	}

	async createBinary(path: string, data: ArrayBuffer): Promise<TFile> {
		this.adapter.disk.count("vault.createBinary");
		const p = this.checkNew(path);
		await io(WRITE_OPS);
		this.adapter.disk.writeFile(p, new Uint8Array(data.slice(0)));
		const f = this.getFileByPath(p)!;
		this.trigger("create", f);
		return f;
	}

	async createFolder(path: string): Promise<TFolder> {
		const p = normalizePath(path);
		if (isHidden(p)) throw hiddenError(p);
		if (this.adapter.disk.get(p)) throw new Error("Folder already exists.");
		await io(1);
		this.adapter.disk.mkdirs(p);
		const f = this.getFolderByPath(p)!;
		this.trigger("create", f);
		return f;
	}

	private alive(file: TAbstractFile): void {
		if (this.index.get(file.path) !== file) throw new Error(`obsidian stand-in: "${file.path}" no longer exists`);
	}

	async read(file: TFile): Promise<string> {
		this.adapter.disk.count("vault.read");
		this.alive(file);
		return this.adapter.read(file.path);
	}

	async cachedRead(file: TFile): Promise<string> {
		return this.read(file);
	}

	async modify(file: TFile, data: string): Promise<void> {
		this.adapter.disk.count("vault.modify");
		this.alive(file);
		await io(WRITE_OPS);
		this.adapter.disk.writeFile(file.path, data);
		this.trigger("modify", file);
	}

	async process(file: TFile, fn: (data: string) => string): Promise<string> {
		const next = fn(await this.read(file));
		await this.modify(file, next);
		return next;
	}

	async append(file: TFile, data: string): Promise<void> {
		this.alive(file);
		await io(WRITE_OPS);
		this.adapter.disk.writeFile(file.path, data, true);
		this.trigger("modify", file);
	}

	/** Keeps the same file object, as Obsidian does. */
	async rename(file: TAbstractFile, newPath: string): Promise<void> {
		const to = normalizePath(newPath);
		if (isHidden(to)) throw hiddenError(to);
		this.alive(file);
		if (this.adapter.disk.get(to)) throw new Error("Destination file already exists!");
		const parent = parentOf(to);
		if (parent !== "/" && this.adapter.disk.get(parent)?.kind !== "folder")
			throw new Error(`obsidian stand-in: parent folder "${parent}" does not exist`);
		await io(1);
		const old = file.path;
		// The object moves with its path: the index keeps it under the new one.
		this.index.delete(old);
		if (file.parent) file.parent.children = file.parent.children.filter((c) => c !== file);
		this.adapter.disk.onChange = () => undefined;
		try {
			this.adapter.disk.move(old, to);
		} finally {
			this.adapter.disk.onChange = (path) => this.sync(path);
		}
		for (const [p, f] of [...this.index])
			if (p.startsWith(`${old}/`)) {
				this.index.delete(p);
				f.setPath(to + p.slice(old.length));
				this.index.set(f.path, f);
			}
		file.setPath(to);
		this.index.set(to, file);
		const found = parent === "/" ? this.root : this.index.get(parent);
		if (!(found instanceof TFolder)) throw new Error(`obsidian stand-in: parent folder "${parent}" does not exist`);
		const newParent = found;
		file.parent = newParent;
		newParent.children.push(file);
		this.trigger("rename", file, old);
	}

	async delete(file: TAbstractFile): Promise<void> {
		this.alive(file);
		await io(1);
		this.adapter.disk.remove(file.path);
		this.trigger("delete", file);
	}

	async trash(file: TAbstractFile, system: boolean): Promise<void> {
		this.alive(file);
		if (system) await this.adapter.trashSystem(file.path);
		else await this.adapter.trashLocal(file.path);
		this.trigger("delete", file);
	}
}

/**
 * Notes' frontmatter, trash and attachment paths as the stub's FileManager has them; a rename moves the file only
 * (Obsidian updates the links that point at it from its metadata cache, at a cost in the backlinks, not the vault).
 */
export class FileManager {
	constructor(private readonly vault: Vault) {}

	async renameFile(file: TAbstractFile, newPath: string): Promise<void> {
		await this.vault.rename(file, newPath);
	}

	async processFrontMatter(file: TFile, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
		await this.vault.process(file, (text) => {
			const { data, body, had } = splitFrontMatter(text);
			fn(data);
			if (Object.keys(data).length === 0 && !had) return text;
			return `---\n${stringifyYaml(data)}---\n${body}`;
		});
	}

	async trashFile(file: TAbstractFile): Promise<void> {
		// Obsidian's "move to Obsidian trash" (the index follows the move, as after any adapter change).
		if (this.vault.getAbstractFileByPath(file.path) !== file) throw new Error(`obsidian stand-in: "${file.path}" no longer exists`);
		await this.vault.adapter.trashLocal(file.path);
	}

	getNewFileParent(): TFolder {
		return this.vault.getRoot();
	}

	getAvailablePathForAttachment(filename: string, sourcePath?: string): Promise<string> {
		return StubFileManager.prototype.getAvailablePathForAttachment.call({ vault: this.vault }, filename, sourcePath);
	}
}

/** Link lookups from a name index (Obsidian's metadata cache keeps one). */
export class MetadataCache extends Events {
	constructor(private readonly vault: Vault) {
		super();
	}

	getFirstLinkpathDest(linkpath: string, sourcePath: string): TFile | null {
		void sourcePath;
		const direct = this.vault.getFileByPath(linkpath) ?? this.vault.getFileByPath(`${linkpath}.md`);
		if (direct) return direct;
		const name = nameOf(linkpath).toLowerCase();
		return this.vault.getFiles().find((f) => f.name.toLowerCase() === name || f.basename.toLowerCase() === name) ?? null;
	}
}

export class App {
	secretStorage = new SecretStorage();
	readonly vault: Vault;
	readonly fileManager: FileManager;
	readonly metadataCache: MetadataCache;
	readonly workspace: Workspace;
	readonly commands = new CommandRegistry();
	readonly viewRegistry = new Map<string, (leaf: WorkspaceLeaf) => View>();

	constructor(
		readonly disk: MemoryDisk,
		name = "Harness vault",
	) {
		this.vault = new Vault(new MemoryAdapter(disk, name));
		this.fileManager = new FileManager(this.vault);
		this.metadataCache = new MetadataCache(this.vault);
		this.workspace = new Workspace(this as never);
	}
}

/** The part of Node's `fs` the plugin uses on the desktop (ranged reads by full path), over the in-memory disk. */
export function memoryFs(disk: MemoryDisk): unknown {
	return {
		promises: {
			open(full: string, flags: string) {
				void flags;
				disk.count("fs.open");
				const path = full.startsWith(`${VAULT_ROOT}/`) ? full.slice(VAULT_ROOT.length + 1) : null;
				const e = path === null ? undefined : disk.get(path);
				if (!e || e.kind !== "file") return Promise.reject(new Error(`ENOENT: no such file or directory, open '${full}'`));
				return io(1).then(() => ({
					stat: () => io(1).then(() => ({ size: e.size })),
					read: (buffer: Uint8Array, offset: number, length: number, position: number) => {
						return io(1).then(() => ({ bytesRead: e.readInto(buffer, offset, length, position) }));
					},
					close: () => io(1),
				}));
			},
		},
	};
}
