/**
 * Our own stand-in for the `obsidian` module (vitest aliases `obsidian` here; the types still come from the
 * real `obsidian.d.ts`). Rules:
 * - Non-UI pieces work for real: the vault is a real temp directory, `requestUrl` speaks real HTTP,
 *   `processFrontMatter` parses real YAML, plugin data lands in `<configDir>/plugins/<id>/data.json`.
 * - Where Obsidian is strict, we are at least as strict: the Vault API cannot see dot-paths, `createFolder`
 *   throws on an existing folder, `vault.create` throws on an existing file, `adapter.rename` refuses to
 *   replace an existing target, and nothing may escape the vault root.
 * - UI classes (ItemView, PluginSettingTab, Setting, Modal, Notice, status bar, ribbon) throw unless a test
 *   calls `enableObsidianUi()` under happy-dom (`// @vitest-environment happy-dom`), which also installs
 *   Obsidian's DOM helpers (`createEl`, `createDiv`, `empty`, `setText`, `toggleClass`, ...).
 *
 * Stub-only helpers (`createTestApp`, `enableObsidianUi`, `noticeLog`, ...) are imported by tests from this
 * file directly, since the `obsidian` types do not declare them.
 */
import * as fsSync from "node:fs";
import { promises as fs, mkdtempSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import nodePath from "node:path";
import { parse as parseYamlText, stringify as stringifyYamlText } from "yaml";
import type * as Real from "obsidian";

// ---------------------------------------------------------------------------------------------------------
// Paths

export function normalizePath(path: string): string {
	let p = path.replace(/[\u00A0\u202F]/g, " ");
	p = p.replace(/[\\/]+/g, "/");
	p = p.replace(/^\/+|\/+$/g, "");
	p = p.normalize("NFC");
	return p === "" ? "/" : p;
}

function isHiddenPath(path: string): boolean {
	return path.split("/").some((segment) => segment.startsWith("."));
}

function parentOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "/" : path.slice(0, i);
}

function nameOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? path : path.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Events

export interface EventRef {
	events: Events;
	name: string;
	callback: (...data: unknown[]) => unknown;
}

export class Events {
	private handlers = new Map<string, EventRef[]>();

	on(name: string, callback: (...data: unknown[]) => unknown): EventRef {
		const ref: EventRef = { events: this, name, callback };
		const list = this.handlers.get(name) ?? [];
		list.push(ref);
		this.handlers.set(name, list);
		return ref;
	}

	off(name: string, callback: (...data: unknown[]) => unknown): void {
		const list = this.handlers.get(name) ?? [];
		this.handlers.set(
			name,
			list.filter((r) => r.callback !== callback),
		);
	}

	offref(ref: EventRef): void {
		const list = this.handlers.get(ref.name) ?? [];
		this.handlers.set(
			ref.name,
			list.filter((r) => r !== ref),
		);
	}

	trigger(name: string, ...data: unknown[]): void {
		for (const ref of [...(this.handlers.get(name) ?? [])]) ref.callback(...data);
	}
}

// ---------------------------------------------------------------------------------------------------------
// Files

/**
 * The file classes are shared with the browser harness's in-memory vault (test/browser/harness), so `vault` is any
 * object: the plugin never reads it.
 */
export abstract class TAbstractFile {
	vault: object;
	path: string;
	name: string;
	parent: TFolder | null;

	constructor(vault: object, path: string) {
		this.vault = vault;
		this.path = path;
		this.name = nameOf(path);
		this.parent = null;
	}

	/** Stub-only: moves this object to a new path (Obsidian keeps the same object across renames). */
	setPath(path: string): void {
		this.path = path;
		this.name = nameOf(path);
	}
}

export class TFile extends TAbstractFile {
	stat = { ctime: 0, mtime: 0, size: 0 };
	basename = "";
	extension = "";

	constructor(vault: object, path: string) {
		super(vault, path);
		this.setPath(path);
	}

	override setPath(path: string): void {
		super.setPath(path);
		const dot = this.name.lastIndexOf(".");
		this.basename = dot > 0 ? this.name.slice(0, dot) : this.name;
		this.extension = dot > 0 ? this.name.slice(dot + 1) : "";
	}
}

export class TFolder extends TAbstractFile {
	private own: TAbstractFile[] = [];
	/**
	 * Stub-only: set by the Node vault, which reads a folder's entries from disk when `children` is asked for (one
	 * level, so a lookup by path never walks a subtree). An assignment to `children` ends it.
	 */
	readChildren: (() => TAbstractFile[]) | null = null;

	get children(): TAbstractFile[] {
		return this.readChildren ? this.readChildren() : this.own;
	}

	set children(children: TAbstractFile[]) {
		this.own = children;
		this.readChildren = null;
	}

	isRoot(): boolean {
		return this.path === "/";
	}
}

// ---------------------------------------------------------------------------------------------------------
// Adapter over a real directory

export class FileSystemAdapter {
	constructor(readonly basePath: string) {}

	getName(): string {
		return nodePath.basename(this.basePath);
	}

	/** Absolute path on disk; throws when `path` would leave the vault. */
	getFullPath(path: string): string {
		if (path === "/") return this.basePath; // the vault root, as Obsidian names it
		if (nodePath.isAbsolute(path) || /^[a-zA-Z]:/.test(path)) {
			throw new Error(`obsidian stub: absolute path "${path}" given to the adapter`);
		}
		const full = nodePath.resolve(this.basePath, path === "/" ? "." : path);
		if (full !== this.basePath && !full.startsWith(this.basePath + nodePath.sep)) {
			throw new Error(`obsidian stub: path "${path}" escapes the vault`);
		}
		return full;
	}

	async exists(path: string): Promise<boolean> {
		try {
			await fs.stat(this.getFullPath(path));
			return true;
		} catch {
			return false;
		}
	}

	async stat(path: string): Promise<{ type: "file" | "folder"; ctime: number; mtime: number; size: number } | null> {
		try {
			const s = await fs.stat(this.getFullPath(path));
			return { type: s.isDirectory() ? "folder" : "file", ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size };
		} catch {
			return null;
		}
	}

	async list(path: string): Promise<{ files: string[]; folders: string[] }> {
		const full = this.getFullPath(path);
		const entries = await fs.readdir(full, { withFileTypes: true });
		const prefix = path === "/" || path === "" ? "" : `${path}/`;
		const files: string[] = [];
		const folders: string[] = [];
		for (const e of entries) {
			(e.isDirectory() ? folders : files).push(prefix + e.name);
		}
		return { files, folders };
	}

	async read(path: string): Promise<string> {
		return fs.readFile(this.getFullPath(path), "utf8");
	}

	async readBinary(path: string): Promise<ArrayBuffer> {
		const buf = await fs.readFile(this.getFullPath(path));
		return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
	}

	/** Like Obsidian's desktop adapter, the parent folder must exist (we do not create it silently). */
	async write(path: string, data: string): Promise<void> {
		await fs.writeFile(this.getFullPath(path), data, "utf8");
	}

	async writeBinary(path: string, data: ArrayBuffer): Promise<void> {
		await fs.writeFile(this.getFullPath(path), Buffer.from(data));
	}

	async append(path: string, data: string): Promise<void> {
		await fs.appendFile(this.getFullPath(path), data, "utf8");
	}

	async mkdir(path: string): Promise<void> {
		await fs.mkdir(this.getFullPath(path), { recursive: true });
	}

	async remove(path: string): Promise<void> {
		const full = this.getFullPath(path);
		const s = await fs.stat(full);
		if (s.isDirectory()) throw new Error(`obsidian stub: remove() on folder "${path}"`);
		await fs.unlink(full);
	}

	async rmdir(path: string, recursive: boolean): Promise<void> {
		const full = this.getFullPath(path);
		if (recursive) await fs.rm(full, { recursive: true });
		else await fs.rmdir(full);
	}

	/** Refuses to replace an existing target, as Obsidian's adapter does ("Destination file already exists!"). */
	async rename(from: string, to: string): Promise<void> {
		const src = this.getFullPath(from);
		const dst = this.getFullPath(to);
		if (await this.exists(to)) throw new Error("Destination file already exists!");
		await fs.mkdir(nodePath.dirname(dst), { recursive: true });
		await fs.rename(src, dst);
	}

	async trashLocal(path: string): Promise<void> {
		await fs.mkdir(this.getFullPath(".trash"), { recursive: true });
		await this.rename(path, `.trash/${nameOf(path)}`);
	}

	async trashSystem(path: string): Promise<boolean> {
		await this.trashLocal(path);
		return true;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Vault

function hiddenError(path: string): Error {
	return new Error(`obsidian stub: the Vault API cannot see dot-paths ("${path}"); use vault.adapter`);
}

export class Vault extends Events {
	readonly configDir = ".obsidian";
	private cache = new Map<string, TAbstractFile>();
	private root: TFolder;

	constructor(readonly adapter: FileSystemAdapter) {
		super();
		this.root = new TFolder(this, "/");
		this.root.name = "";
		this.root.readChildren = () => this.childrenOf("/");
	}

	getName(): string {
		return this.adapter.getName();
	}

	/** The root; its children, like every folder's here, are read from disk when asked for. */
	getRoot(): TFolder {
		return this.root;
	}

	/** A folder's entries as file objects (one directory read; dot-entries left out, as in Obsidian). */
	private childrenOf(folder: string): TAbstractFile[] {
		return requireFs()
			.readdirSync(this.adapter.getFullPath(folder))
			.filter((n) => !n.startsWith("."))
			.map((n) => this.lookup(folder === "/" ? n : `${folder}/${n}`))
			.filter((c): c is TAbstractFile => c !== null);
	}

	/**
	 * A file object with fresh stats, or null (also for any path with a dot-segment, as in Obsidian). One `stat`: a
	 * folder's children are read only when asked for, so a lookup costs about what Obsidian's index read does.
	 */
	private lookup(path: string): TAbstractFile | null {
		const p = normalizePath(path);
		if (p === "/") return this.root;
		if (isHiddenPath(p)) return null;
		let s: fsSync.Stats;
		try {
			s = requireFs().statSync(this.adapter.getFullPath(p));
		} catch {
			this.cache.delete(p);
			return null;
		}
		let f = this.cache.get(p);
		if (!f || (s.isDirectory() ? !(f instanceof TFolder) : !(f instanceof TFile))) {
			f = s.isDirectory() ? new TFolder(this, p) : new TFile(this, p);
			this.cache.set(p, f);
		}
		if (f instanceof TFile) f.stat = { ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size };
		if (f instanceof TFolder) f.readChildren = () => this.childrenOf(p);
		const parentPath = parentOf(p);
		const parent = parentPath === "/" ? this.root : (this.cache.get(parentPath) ?? this.lookup(parentPath));
		f.parent = parent instanceof TFolder ? parent : null;
		return f;
	}

	getAbstractFileByPath(path: string): TAbstractFile | null {
		return this.lookup(path);
	}

	getFileByPath(path: string): TFile | null {
		const f = this.lookup(path);
		return f instanceof TFile ? f : null;
	}

	getFolderByPath(path: string): TFolder | null {
		const f = this.lookup(path);
		return f instanceof TFolder ? f : null;
	}

	/** Every Markdown file (walks the directory; Obsidian reads its index). Dot-folders are skipped. */
	getMarkdownFiles(): TFile[] {
		return this.getFiles().filter((f) => f.extension === "md");
	}

	getFiles(): TFile[] {
		const out: TFile[] = [];
		const walk = (dir: string) => {
			for (const e of requireFs().readdirSync(this.adapter.getFullPath(dir), { withFileTypes: true })) {
				if (e.name.startsWith(".")) continue;
				const p = dir === "/" ? e.name : `${dir}/${e.name}`;
				if (e.isDirectory()) walk(p);
				else {
					const f = this.getFileByPath(p);
					if (f) out.push(f);
				}
			}
		};
		walk("/");
		return out;
	}

	/** Throws when anything exists at `path` or the parent folder is missing. */
	async create(path: string, data: string): Promise<TFile> {
		const p = normalizePath(path);
		if (isHiddenPath(p)) throw hiddenError(p);
		if (await this.adapter.exists(p)) throw new Error("File already exists.");
		const parent = parentOf(p);
		if (parent !== "/" && !(await this.adapter.exists(parent))) {
			throw new Error(`obsidian stub: parent folder "${parent}" does not exist`);
		}
		await this.adapter.write(p, data);
		const f = this.getFileByPath(p);
		if (!f) throw new Error(`obsidian stub: created "${p}" but cannot see it`);
		this.trigger("create", f);
		return f;
	}

	/** Like create, for bytes (images, PDFs). */
	async createBinary(path: string, data: ArrayBuffer): Promise<TFile> {
		const p = normalizePath(path);
		if (isHiddenPath(p)) throw hiddenError(p);
		if (await this.adapter.exists(p)) throw new Error("File already exists.");
		const parent = parentOf(p);
		if (parent !== "/" && !(await this.adapter.exists(parent))) {
			throw new Error(`obsidian stub: parent folder "${parent}" does not exist`);
		}
		await this.adapter.writeBinary(p, data);
		const f = this.getFileByPath(p);
		if (!f) throw new Error(`obsidian stub: created "${p}" but cannot see it`);
		this.trigger("create", f);
		return f;
	}

	/** Stub-only: the vault's settings that getConfig reads (Obsidian keeps them in `.obsidian/app.json`). */
	readonly config: Record<string, unknown> = { attachmentFolderPath: "/" };

	getConfig(key: string): unknown {
		return this.config[key];
	}

	/** `base.ext`, else `base 1.ext`, `base 2.ext`, …: the first free path, as Obsidian numbers them. */
	getAvailablePath(base: string, extension: string): string {
		for (let n = 0; ; n++) {
			const candidate = normalizePath(`${n === 0 ? base : `${base} ${n}`}${extension ? `.${extension}` : ""}`);
			if (!this.getAbstractFileByPath(candidate)) return candidate;
		}
	}

	/** Throws when the folder (or a file of that name) exists, like Obsidian. Creates parents. */
	async createFolder(path: string): Promise<TFolder> {
		const p = normalizePath(path);
		if (isHiddenPath(p)) throw hiddenError(p);
		if (await this.adapter.exists(p)) throw new Error("Folder already exists.");
		await this.adapter.mkdir(p);
		const f = this.getFolderByPath(p);
		if (!f) throw new Error(`obsidian stub: created "${p}" but cannot see it`);
		this.trigger("create", f);
		return f;
	}

	private checkAlive(file: TAbstractFile): void {
		if (!requireFs().existsSync(this.adapter.getFullPath(file.path))) {
			throw new Error(`obsidian stub: "${file.path}" no longer exists`);
		}
	}

	async read(file: TFile): Promise<string> {
		this.checkAlive(file);
		return this.adapter.read(file.path);
	}

	async cachedRead(file: TFile): Promise<string> {
		return this.read(file);
	}

	async modify(file: TFile, data: string): Promise<void> {
		this.checkAlive(file);
		await this.adapter.write(file.path, data);
		this.lookup(file.path);
		this.trigger("modify", file);
	}

	async process(file: TFile, fn: (data: string) => string): Promise<string> {
		const next = fn(await this.read(file));
		await this.modify(file, next);
		return next;
	}

	async append(file: TFile, data: string): Promise<void> {
		this.checkAlive(file);
		await this.adapter.append(file.path, data);
		this.trigger("modify", file);
	}

	/** Throws when the target exists. Keeps the same file object, as Obsidian does. */
	async rename(file: TAbstractFile, newPath: string): Promise<void> {
		const to = normalizePath(newPath);
		if (isHiddenPath(to)) throw hiddenError(to);
		this.checkAlive(file);
		const parent = parentOf(to);
		if (parent !== "/" && !(await this.adapter.exists(parent))) {
			throw new Error(`obsidian stub: parent folder "${parent}" does not exist`);
		}
		const old = file.path;
		await this.adapter.rename(old, to);
		this.cache.delete(old);
		file.setPath(to);
		this.cache.set(to, file);
		this.lookup(to);
		this.trigger("rename", file, old);
	}

	async delete(file: TAbstractFile, force?: boolean): Promise<void> {
		void force;
		this.checkAlive(file);
		if (file instanceof TFolder) await this.adapter.rmdir(file.path, true);
		else await this.adapter.remove(file.path);
		this.cache.delete(file.path);
		this.trigger("delete", file);
	}

	async trash(file: TAbstractFile, system: boolean): Promise<void> {
		this.checkAlive(file);
		if (system) await this.adapter.trashSystem(file.path);
		else await this.adapter.trashLocal(file.path);
		this.cache.delete(file.path);
		this.trigger("delete", file);
	}
}

/** Synchronous fs, so lookups are synchronous like Obsidian's in-memory index. */
function requireFs(): typeof fsSync {
	return fsSync;
}

// ---------------------------------------------------------------------------------------------------------
// Frontmatter and YAML

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n?---(?:\r?\n|$)/;

/** Splits a note into its frontmatter object and body. Exported for tests. */
export function splitFrontMatter(text: string): { data: Record<string, unknown>; body: string; had: boolean } {
	const m = FRONTMATTER.exec(text);
	if (!m) return { data: {}, body: text, had: false };
	const parsed = parseYamlText(m[1] ?? "") as unknown;
	const data = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
	return { data, body: text.slice(m[0].length), had: true };
}

/** Obsidian's link resolution, simply: relative to the source's folder, then from the root, then by name (same folder first, then fewest folders, then shortest). */
export function stubResolveLink(linkPath: string, sourcePath: string, paths: readonly string[]): string | null {
	const link = linkPath.trim().replace(/^\/+/, "");
	const hasExt = /\.[a-z0-9]{1,5}$/i.test(nameOf(link));
	const variants = (hasExt ? [link, `${link}.md`] : [`${link}.md`]).map((v) => v.toLowerCase());
	const lower = new Map(paths.map((p) => [p.toLowerCase(), p]));
	const folder = parentOf(sourcePath) === "/" ? "" : parentOf(sourcePath);
	for (const v of variants) {
		const hit = lower.get(folder === "" ? v : `${folder.toLowerCase()}/${v}`) ?? lower.get(v);
		if (hit) return hit;
	}
	for (const v of variants) {
		const matches = paths.filter((p) => p.toLowerCase().endsWith(`/${v}`));
		if (matches.length === 0) continue;
		const same = matches.filter((p) => parentOf(p) === (folder === "" ? "/" : folder));
		const pool = same.length > 0 ? same : matches;
		pool.sort((a, b) => a.split("/").length - b.split("/").length || a.length - b.length || a.localeCompare(b));
		return pool[0] ?? null;
	}
	return null;
}

/** The shortest link text for a file: its name (without `.md`) when no other file has it, else its path. */
function stubLinkText(path: string, paths: readonly string[]): string {
	const name = nameOf(path).toLowerCase();
	const unique = paths.filter((p) => nameOf(p).toLowerCase() === name).length === 1;
	const text = unique ? nameOf(path) : path;
	return text.replace(/\.md$/i, "");
}

/** Calls `replace` on each wikilink's path outside fenced and inline code; a string result replaces the path. */
function replaceWikilinks(text: string, replace: (linkPath: string) => string | null): string {
	return text
		.split(/(```[\s\S]*?```|`[^`\n]+`)/)
		.map((part, i) =>
			i % 2 === 1
				? part
				: part.replace(
						/(!?)\[\[([^[\]|#\n]*)((?:#[^[\]|\n]*)?)((?:\|[^[\]\n]*)?)\]\]/g,
						(whole, bang: string, linkPath: string, sub: string, alias: string) => {
							const next = replace(linkPath);
							return next === null ? whole : `${bang}[[${next}${sub}${alias}]]`;
						},
					),
		)
		.join("");
}

export class FileManager {
	/** Stub-only: every renameFile call, so tests can check links would have been updated. */
	readonly renames: { from: string; to: string }[] = [];

	constructor(private readonly vault: Vault) {}

	/**
	 * Stub-only: Obsidian's "Automatically update internal links" (on here). When on, renameFile rewrites the
	 * wikilinks and embeds (`[[Old]]`, `[[Old|alias]]`, `[[Old#heading]]`, `![[Old]]`) that pointed at the file,
	 * outside code, to its new shortest link text (the name when unique in the vault, else the path).
	 * Markdown links (`[text](Old.md)`) are left alone: a simplification.
	 */
	updateLinksOnRename = true;

	async renameFile(file: TAbstractFile, newPath: string): Promise<void> {
		const from = file.path;
		const before = this.updateLinksOnRename && file instanceof TFile ? this.vault.getFiles().map((f) => f.path) : null;
		await this.vault.rename(file, newPath);
		this.renames.push({ from, to: file.path });
		if (before) await this.updateLinks(from, file.path, before);
	}

	private async updateLinks(from: string, to: string, before: string[]): Promise<void> {
		const after = this.vault.getFiles().map((f) => f.path);
		const linkText = stubLinkText(to, after);
		for (const note of this.vault.getMarkdownFiles()) {
			const sourceBefore = note.path === to ? from : note.path;
			const text = await this.vault.read(note);
			const next = replaceWikilinks(text, (linkPath) =>
				linkPath !== "" && stubResolveLink(linkPath, sourceBefore, before) === from ? linkText : null,
			);
			if (next !== text) await this.vault.modify(note, next);
		}
	}

	async processFrontMatter(file: TFile, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
		await this.vault.process(file, (text) => {
			const { data, body, had } = splitFrontMatter(text);
			fn(data);
			if (Object.keys(data).length === 0 && !had) return text;
			return `---\n${stringifyYamlText(data)}---\n${body}`;
		});
	}

	/** Moves to the vault's `.trash` folder (Obsidian's "move to Obsidian trash" preference). */
	async trashFile(file: TAbstractFile): Promise<void> {
		await this.vault.trash(file, false);
	}

	getNewFileParent(): TFolder {
		return this.vault.getRoot();
	}

	/**
	 * Where "Default location for new attachments" (the vault's `attachmentFolderPath`) puts a new file: `/` the vault
	 * root, `./` the note's folder, `./sub` a subfolder of it, anything else that vault folder. A free name there,
	 * numbered like Obsidian's (`name 1.png`). The folder itself is not created here.
	 */
	async getAvailablePathForAttachment(filename: string, sourcePath?: string): Promise<string> {
		const configured = this.vault.getConfig("attachmentFolderPath");
		const setting = typeof configured === "string" ? configured : "/";
		const noteFolder = sourcePath ? parentOf(normalizePath(sourcePath)) : "/";
		let folder: string;
		if (setting === "." || setting === "./" || setting.startsWith("./")) {
			const sub = setting.replace(/^\.\/?/, "");
			folder = normalizePath(noteFolder === "/" ? sub || "/" : sub ? `${noteFolder}/${sub}` : noteFolder);
		} else folder = normalizePath(setting);
		const dot = filename.lastIndexOf(".");
		const base = dot > 0 ? filename.slice(0, dot) : filename;
		const extension = dot > 0 ? filename.slice(dot + 1) : "";
		return Promise.resolve(this.vault.getAvailablePath(folder === "/" || folder === "" ? base : `${folder}/${base}`, extension));
	}
}

/** The link lookups of Obsidian's metadata cache that notes need (resolved from the files on disk). */
export class MetadataCache extends Events {
	constructor(private readonly vault: Vault) {
		super();
	}

	/** The file a link (`[[linkpath]]`, `![[linkpath]]`) in the note at `sourcePath` opens, as Obsidian resolves it. */
	getFirstLinkpathDest(linkpath: string, sourcePath: string): TFile | null {
		const target = stubResolveLink(
			linkpath,
			sourcePath,
			this.vault.getFiles().map((f) => f.path),
		);
		return target === null ? null : this.vault.getFileByPath(target);
	}
}

// ---------------------------------------------------------------------------------------------------------
// Components and the plugin

export class Component {
	private loaded = false;
	private cleanups: (() => unknown)[] = [];

	load(): void {
		if (this.loaded) return;
		this.loaded = true;
		void this.onload();
	}

	onload(): void | Promise<void> {}

	/** Stub-only: load() and wait for an async onload, as Obsidian does when it enables a plugin. */
	async loadAndWait(): Promise<void> {
		if (this.loaded) return;
		this.loaded = true;
		await this.onload();
	}

	unload(): void {
		if (!this.loaded) return;
		this.loaded = false;
		for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
		this.onunload();
	}

	onunload(): void {}

	/** Stub-only: how many cleanups are pending (registered callbacks, events, intervals, DOM events). */
	pendingCleanups(): number {
		return this.cleanups.length;
	}

	register(cb: () => unknown): void {
		this.cleanups.push(cb);
	}

	registerEvent(ref: EventRef): void {
		this.register(() => ref.events.offref(ref));
	}

	registerInterval(id: number): number {
		this.register(() => globalThis.clearInterval(id));
		return id;
	}

	registerDomEvent(el: EventTarget, type: string, callback: (evt: Event) => unknown, options?: unknown): void {
		el.addEventListener(type, callback, options as AddEventListenerOptions);
		this.register(() => el.removeEventListener(type, callback, options as AddEventListenerOptions));
	}
}

export interface PluginManifest {
	id: string;
	name: string;
	version: string;
	minAppVersion: string;
	description: string;
	author: string;
	isDesktopOnly?: boolean;
	dir?: string;
}

export interface Command {
	id: string;
	name: string;
	icon?: string;
	callback?: () => unknown;
	checkCallback?: (checking: boolean) => boolean | void;
	editorCallback?: unknown;
	hotkeys?: unknown[];
}

export class Plugin extends Component {
	readonly app: App;
	readonly manifest: PluginManifest;
	/** Stub-only records of what the plugin registered. */
	readonly commands: Command[] = [];
	readonly settingTabs: PluginSettingTab[] = [];
	readonly ribbonIcons: { icon: string; title: string; el: HTMLElement }[] = [];
	readonly statusBarItems: HTMLElement[] = [];
	readonly viewTypes: string[] = [];

	constructor(app: App, manifest: PluginManifest) {
		super();
		this.app = app;
		this.manifest = manifest;
	}

	private get dataPath(): string {
		return `${this.app.vault.configDir}/plugins/${this.manifest.id}/data.json`;
	}

	/** Reads `<configDir>/plugins/<id>/data.json` from the vault directory; null when missing. */
	async loadData(): Promise<unknown> {
		const adapter = this.app.vault.adapter;
		if (!(await adapter.exists(this.dataPath))) return null;
		return JSON.parse(await adapter.read(this.dataPath)) as unknown;
	}

	async saveData(data: unknown): Promise<void> {
		const adapter = this.app.vault.adapter;
		await adapter.mkdir(parentOf(this.dataPath));
		await adapter.write(this.dataPath, JSON.stringify(data, null, "\t"));
	}

	addCommand(command: Command): Command {
		if (command.hotkeys && command.hotkeys.length > 0) throw new Error("obsidian stub: no default hotkeys");
		const full = { ...command, id: `${this.manifest.id}:${command.id}` };
		this.commands.push(full);
		this.app.commands.add(full);
		this.register(() => this.app.commands.remove(full.id));
		return full;
	}

	registerView(type: string, factory: (leaf: WorkspaceLeaf) => View): void {
		this.app.viewRegistry.set(type, factory);
		this.viewTypes.push(type);
		// As Obsidian does when a plugin is disabled: its view type goes, and the views of that type are closed (so
		// their intervals and timers end with them, not after the test's window is gone).
		this.register(() => {
			this.app.viewRegistry.delete(type);
			this.app.workspace.detachLeavesOfType(type);
		});
	}

	addSettingTab(tab: PluginSettingTab): void {
		this.settingTabs.push(tab);
		this.register(() => {
			this.settingTabs.splice(this.settingTabs.indexOf(tab), 1);
		});
	}

	addStatusBarItem(): HTMLElement {
		const el = requireUi("addStatusBarItem").createElement("div");
		el.className = "status-bar-item";
		this.statusBarItems.push(el);
		this.register(() => el.remove());
		return el;
	}

	addRibbonIcon(icon: string, title: string, callback: (evt: MouseEvent) => unknown): HTMLElement {
		const el = requireUi("addRibbonIcon").createElement("div");
		el.className = "side-dock-ribbon-action";
		el.setAttribute("aria-label", title);
		el.dataset.icon = icon;
		el.addEventListener("click", (evt) => void callback(evt));
		this.ribbonIcons.push({ icon, title, el });
		this.register(() => el.remove());
		return el;
	}
}

/** Stub-only registry of commands (Obsidian's `app.commands` is internal). */
export class CommandRegistry {
	readonly commands = new Map<string, Command>();

	add(command: Command): void {
		this.commands.set(command.id, command);
	}

	remove(id: string): void {
		this.commands.delete(id);
	}

	/** Runs a command as the palette would. Returns false when it is unknown or not available. */
	async execute(id: string): Promise<boolean> {
		const c = this.commands.get(id);
		if (!c) return false;
		if (c.checkCallback) {
			if (!c.checkCallback(true)) return false;
			c.checkCallback(false);
			return true;
		}
		await c.callback?.();
		return true;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Workspace (only what a side panel needs)

export interface ViewState {
	type: string;
	active?: boolean;
	state?: Record<string, unknown>;
}

export class WorkspaceLeaf {
	view: View | null = null;
	/** Stub-only: which side the leaf is in. */
	side: "left" | "right" | "main";

	constructor(
		readonly app: App,
		side: "left" | "right" | "main",
	) {
		this.side = side;
	}

	async setViewState(state: ViewState): Promise<void> {
		await this.closeView();
		const factory = this.app.viewRegistry.get(state.type);
		if (!factory) throw new Error(`obsidian stub: no view registered for "${state.type}"`);
		const view = factory(this);
		this.view = view;
		view.load();
		await view.onOpen();
	}

	private async closeView(): Promise<void> {
		const view = this.view;
		if (!view) return;
		this.view = null;
		await view.onClose();
		view.unload();
	}

	async detach(): Promise<void> {
		await this.closeView();
		this.app.workspace.removeLeaf(this);
	}
}

export class Workspace extends Events {
	private leaves: WorkspaceLeaf[] = [];
	/** Stub-only: leaves passed to revealLeaf, in order. */
	readonly revealed: WorkspaceLeaf[] = [];
	layoutReady = true;

	constructor(private readonly app: App) {
		super();
	}

	getLeavesOfType(type: string): WorkspaceLeaf[] {
		return this.leaves.filter((l) => l.view?.getViewType() === type);
	}

	getRightLeaf(split: boolean): WorkspaceLeaf {
		void split;
		const leaf = new WorkspaceLeaf(this.app, "right");
		this.leaves.push(leaf);
		return leaf;
	}

	async revealLeaf(leaf: WorkspaceLeaf): Promise<void> {
		this.revealed.push(leaf);
		await Promise.resolve();
	}

	onLayoutReady(callback: () => unknown): void {
		void callback();
	}

	detachLeavesOfType(type: string): void {
		for (const leaf of this.getLeavesOfType(type)) void leaf.detach();
	}

	/** Stub-only. */
	removeLeaf(leaf: WorkspaceLeaf): void {
		this.leaves = this.leaves.filter((l) => l !== leaf);
	}

	/** Stub-only: every open leaf. */
	allLeaves(): WorkspaceLeaf[] {
		return [...this.leaves];
	}
}

// ---------------------------------------------------------------------------------------------------------
// App

/** Obsidian 1.11.4+'s secret storage, in memory (ids: lowercase letters, digits and dashes, as Obsidian checks). */
export class SecretStorage {
	private readonly secrets = new Map<string, string>();

	setSecret(id: string, secret: string): void {
		if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`obsidian stub: invalid secret id ${id}`);
		this.secrets.set(id, secret);
	}

	getSecret(id: string): string | null {
		return this.secrets.get(id) ?? null;
	}
}

export class App {
	/** Obsidian 1.11.4+ (tests set it to undefined to play an older Obsidian). */
	secretStorage = new SecretStorage();
	readonly vault: Vault;
	readonly fileManager: FileManager;
	readonly metadataCache: MetadataCache;
	readonly workspace: Workspace;
	/** Stub-only (Obsidian keeps these internally). */
	readonly commands = new CommandRegistry();
	readonly viewRegistry = new Map<string, (leaf: WorkspaceLeaf) => View>();

	constructor(basePath?: string) {
		const base = basePath ?? mkdtempSync(nodePath.join(os.tmpdir(), "ketl-vault-"));
		this.vault = new Vault(new FileSystemAdapter(nodePath.resolve(base)));
		this.fileManager = new FileManager(this.vault);
		this.metadataCache = new MetadataCache(this.vault);
		this.workspace = new Workspace(this);
	}
}

/** A stub app over a real directory (a fresh temp directory when none is given). */
export function createTestApp(basePath?: string): App {
	return new App(basePath);
}

/** The stub app typed as Obsidian's, for code under test that takes a real `App`. */
export function asObsidianApp(app: App): Real.App {
	return app as unknown as Real.App;
}

export const apiVersion = "1.7.2";

// ---------------------------------------------------------------------------------------------------------
// Language: getLanguage() (Obsidian 1.8.7+) and moment's locale (what older Obsidian sets to its language)

let stubLanguage = "en";

/** Stub-only: the language Obsidian reports (tests switch it to "ja"). */
export function setStubLanguage(language: string): void {
	stubLanguage = language;
}

export function getLanguage(): string {
	return stubLanguage;
}

export const moment = {
	locale: (): string => stubLanguage,
};

export const Platform = {
	isDesktop: true,
	isMobile: false,
	isDesktopApp: true,
	isMobileApp: false,
	isIosApp: false,
	isAndroidApp: false,
	isMacOS: process.platform === "darwin",
	isWin: process.platform === "win32",
	isLinux: process.platform === "linux",
	isSafari: false,
};

// ---------------------------------------------------------------------------------------------------------
// requestUrl over Node's http/https

export interface RequestUrlParam {
	url: string;
	method?: string;
	contentType?: string;
	body?: string | ArrayBuffer;
	headers?: Record<string, string>;
	throw?: boolean;
}

export interface RequestUrlResponse {
	status: number;
	headers: Record<string, string>;
	arrayBuffer: ArrayBuffer;
	json: unknown;
	text: string;
}

/** Stub-only: every request made through requestUrl, in order (headers included: tests must not log them). */
export const requestLog: { url: string; method: string }[] = [];

export function requestUrl(request: RequestUrlParam | string) {
	const params: RequestUrlParam = typeof request === "string" ? { url: request } : request;
	const promise = new Promise<RequestUrlResponse>((resolve, reject) => {
		const url = new URL(params.url);
		const method = params.method ?? "GET";
		requestLog.push({ url: params.url, method });
		const headers: Record<string, string> = { ...(params.headers ?? {}) };
		if (params.contentType) headers["content-type"] = params.contentType;
		const body =
			params.body === undefined ? undefined : typeof params.body === "string" ? Buffer.from(params.body, "utf8") : Buffer.from(params.body);
		if (body) headers["content-length"] = String(body.length);
		const lib = url.protocol === "https:" ? https : http;
		const req = lib.request(url, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on("data", (c: Buffer) => chunks.push(c));
			res.on("error", reject);
			res.on("end", () => {
				const buf = Buffer.concat(chunks);
				const text = buf.toString("utf8");
				const status = res.statusCode ?? 0;
				const outHeaders: Record<string, string> = {};
				for (const [k, v] of Object.entries(res.headers)) {
					if (v !== undefined) outHeaders[k] = Array.isArray(v) ? v.join(", ") : v;
				}
				const response: RequestUrlResponse = {
					status,
					headers: outHeaders,
					arrayBuffer: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
					get json(): unknown {
						return JSON.parse(text) as unknown;
					},
					text,
				};
				if (status >= 400 && params.throw !== false) {
					reject(Object.assign(new Error(`Request failed, status ${status}`), { status, headers: outHeaders }));
					return;
				}
				resolve(response);
			});
		});
		req.on("error", reject);
		if (body) req.write(body);
		req.end();
	});
	// The shortcut promises are made on access, so an unused one never becomes an unhandled rejection.
	return Object.defineProperties(promise, {
		arrayBuffer: { get: () => promise.then((r) => r.arrayBuffer) },
		json: { get: () => promise.then((r) => r.json) },
		text: { get: () => promise.then((r) => r.text) },
	}) as Promise<RequestUrlResponse> & { arrayBuffer: Promise<ArrayBuffer>; json: Promise<unknown>; text: Promise<string> };
}

// ---------------------------------------------------------------------------------------------------------
// UI: off unless a test opts in

let uiEnabled = false;

function requireUi(what: string): Document {
	if (!uiEnabled || typeof document === "undefined") {
		throw new Error(`obsidian stub: ${what} is UI; call enableObsidianUi() in a test with "// @vitest-environment happy-dom"`);
	}
	return document;
}

interface DomElementInfo {
	cls?: string | string[];
	text?: string | DocumentFragment;
	attr?: Record<string, string | number | boolean | null>;
	title?: string;
	parent?: Node;
	value?: string;
	type?: string;
	prepend?: boolean;
	placeholder?: string;
	href?: string;
}

function applyInfo(el: HTMLElement, o?: DomElementInfo | string): void {
	if (o === undefined) return;
	const info: DomElementInfo = typeof o === "string" ? { cls: o } : o;
	if (info.cls !== undefined) {
		const classes = Array.isArray(info.cls) ? info.cls : info.cls.split(" ");
		el.classList.add(...classes.filter((c) => c !== ""));
	}
	if (info.text !== undefined) {
		if (typeof info.text === "string") el.textContent = info.text;
		else el.appendChild(info.text);
	}
	if (info.attr) {
		for (const [k, v] of Object.entries(info.attr)) {
			if (v === null || v === false) el.removeAttribute(k);
			else el.setAttribute(k, v === true ? "" : String(v));
		}
	}
	if (info.title !== undefined) el.title = info.title;
	if (info.value !== undefined) (el as HTMLInputElement).value = info.value;
	if (info.type !== undefined) (el as HTMLInputElement).type = info.type;
	if (info.placeholder !== undefined) (el as HTMLInputElement).placeholder = info.placeholder;
	if (info.href !== undefined) (el as HTMLAnchorElement).href = info.href;
	if (info.parent) {
		if (info.prepend) info.parent.insertBefore(el, info.parent.firstChild);
		else info.parent.appendChild(el);
	}
}

function createElIn(
	doc: Document,
	parent: Node | null,
	tag: string,
	o?: DomElementInfo | string,
	callback?: (el: HTMLElement) => void,
): HTMLElement {
	const el = doc.createElement(tag);
	const info: DomElementInfo | undefined = typeof o === "string" ? { cls: o } : o;
	if (parent && info?.parent === undefined) {
		if (info?.prepend) parent.insertBefore(el, parent.firstChild);
		else parent.appendChild(el);
	}
	applyInfo(el, info);
	callback?.(el);
	return el;
}

/** Obsidian's createSvg: an element in the SVG namespace, with cls / attr / parent as createEl takes them. */
function createSvgIn(
	doc: Document,
	parent: Node | null,
	tag: string,
	o?: { cls?: string | string[]; attr?: Record<string, string | number | boolean | null>; parent?: Node; prepend?: boolean } | string,
	callback?: (el: SVGElement) => void,
): SVGElement {
	const el: SVGElement = doc.createElementNS("http://www.w3.org/2000/svg", tag);
	const info = typeof o === "string" ? { cls: o } : o;
	if (parent && info?.parent === undefined) {
		if (info?.prepend) parent.insertBefore(el, parent.firstChild);
		else parent.appendChild(el);
	}
	applyInfo(el as unknown as HTMLElement, info);
	callback?.(el);
	return el;
}

/**
 * Turns on the UI classes and installs Obsidian's DOM helpers on happy-dom's prototypes and globals
 * (`createEl`, `createDiv`, `createSpan`, `createSvg`, `empty`, `setText`, `addClass`, `removeClass`, `toggleClass`,
 * `hasClass`, `setAttr`, `getText`, `detach`, plus the globals `activeDocument` and `activeWindow`).
 */
export function enableObsidianUi(): void {
	if (typeof document === "undefined" || typeof HTMLElement === "undefined") {
		throw new Error('obsidian stub: enableObsidianUi() needs "// @vitest-environment happy-dom"');
	}
	uiEnabled = true;
	const doc = document;
	const proto = Node.prototype as unknown as Record<string, unknown>;
	const elProto = Element.prototype as unknown as Record<string, unknown>;
	proto.createEl = function (this: Node, tag: string, o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) {
		return createElIn(doc, this, tag, o, cb);
	};
	proto.createDiv = function (this: Node, o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) {
		return createElIn(doc, this, "div", o, cb);
	};
	proto.createSpan = function (this: Node, o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) {
		return createElIn(doc, this, "span", o, cb);
	};
	proto.createSvg = function (this: Node, tag: string, o?: DomElementInfo | string, cb?: (el: SVGElement) => void) {
		return createSvgIn(doc, this, tag, o, cb);
	};
	proto.empty = function (this: Node) {
		while (this.firstChild) this.removeChild(this.firstChild);
	};
	proto.detach = function (this: Node) {
		this.parentNode?.removeChild(this);
	};
	proto.setText = function (this: Node, text: string) {
		this.textContent = text;
	};
	proto.getText = function (this: Node) {
		return this.textContent ?? "";
	};
	proto.appendText = function (this: Node, text: string) {
		this.appendChild(doc.createTextNode(text));
	};
	elProto.addClass = function (this: Element, ...classes: string[]) {
		this.classList.add(...classes);
	};
	elProto.addClasses = function (this: Element, classes: string[]) {
		this.classList.add(...classes);
	};
	elProto.removeClass = function (this: Element, ...classes: string[]) {
		this.classList.remove(...classes);
	};
	elProto.toggleClass = function (this: Element, classes: string | string[], value: boolean) {
		for (const c of Array.isArray(classes) ? classes : [classes]) this.classList.toggle(c, value);
	};
	elProto.hasClass = function (this: Element, cls: string) {
		return this.classList.contains(cls);
	};
	elProto.setAttr = function (this: Element, name: string, value: string | number | boolean | null) {
		if (value === null || value === false) this.removeAttribute(name);
		else this.setAttribute(name, value === true ? "" : String(value));
	};
	elProto.setAttrs = function (this: Element, attrs: Record<string, string | number | boolean | null>) {
		for (const [k, v] of Object.entries(attrs)) (this as unknown as { setAttr: (n: string, v: unknown) => void }).setAttr(k, v);
	};
	elProto.setCssProps = function (this: HTMLElement, props: Record<string, string>) {
		for (const [k, v] of Object.entries(props)) this.style.setProperty(k, v);
	};
	elProto.setCssStyles = function (this: HTMLElement, styles: Record<string, string>) {
		Object.assign(this.style, styles);
	};
	const g = globalThis as unknown as Record<string, unknown>;
	g.createEl = (tag: string, o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) => createElIn(doc, null, tag, o, cb);
	g.createDiv = (o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) => createElIn(doc, null, "div", o, cb);
	g.createSpan = (o?: DomElementInfo | string, cb?: (el: HTMLElement) => void) => createElIn(doc, null, "span", o, cb);
	g.createSvg = (tag: string, o?: DomElementInfo | string, cb?: (el: SVGElement) => void) => createSvgIn(doc, null, tag, o, cb);
	g.createFragment = () => doc.createDocumentFragment();
	g.activeDocument = doc;
	g.activeWindow = window;
}

function div(doc: Document, cls: string, parent?: HTMLElement): HTMLElement {
	const el = doc.createElement("div");
	el.className = cls;
	parent?.appendChild(el);
	return el;
}

export function setIcon(el: HTMLElement, icon: string): void {
	requireUi("setIcon");
	el.dataset.icon = icon;
}

export function setTooltip(el: HTMLElement, tooltip: string): void {
	el.setAttribute("aria-label", tooltip);
}

/** Every notice shown, in order (stub-only). */
export const noticeLog: string[] = [];

export class Notice {
	noticeEl: HTMLElement;
	messageEl: HTMLElement;

	/** Stub-only: the duration asked for (0: stays until dismissed). */
	duration: number | undefined;

	constructor(message: string | DocumentFragment, duration?: number) {
		this.duration = duration;
		const doc = requireUi("Notice");
		this.noticeEl = div(doc, "notice", doc.body);
		this.messageEl = div(doc, "notice-message", this.noticeEl);
		this.setMessage(message);
	}

	setMessage(message: string | DocumentFragment): this {
		const text = typeof message === "string" ? message : (message.textContent ?? "");
		if (typeof message === "string") this.messageEl.textContent = text;
		else {
			this.messageEl.empty();
			this.messageEl.appendChild(message);
		}
		noticeLog.push(text);
		return this;
	}

	hide(): void {
		this.noticeEl.remove();
	}
}

export abstract class View extends Component {
	app: App;
	leaf: WorkspaceLeaf;
	icon = "";
	navigation = false;
	containerEl: HTMLElement;

	constructor(leaf: WorkspaceLeaf) {
		super();
		const doc = requireUi("View");
		this.leaf = leaf;
		this.app = leaf.app;
		this.containerEl = div(doc, "workspace-leaf-content");
	}

	abstract getViewType(): string;
	abstract getDisplayText(): string;

	async onOpen(): Promise<void> {}
	async onClose(): Promise<void> {}
}

export abstract class ItemView extends View {
	contentEl: HTMLElement;

	constructor(leaf: WorkspaceLeaf) {
		super(leaf);
		const doc = document;
		div(doc, "view-header", this.containerEl);
		this.contentEl = div(doc, "view-content", this.containerEl);
	}
}

export abstract class SettingTab {
	app: App;
	containerEl: HTMLElement;

	constructor(app: App) {
		const doc = requireUi("SettingTab");
		this.app = app;
		this.containerEl = div(doc, "vertical-tab-content");
	}

	abstract display(): void;

	hide(): void {
		this.containerEl.replaceChildren();
	}
}

export abstract class PluginSettingTab extends SettingTab {
	plugin: Plugin;

	constructor(app: App, plugin: Plugin) {
		super(app);
		this.plugin = plugin;
	}
}

abstract class ValueComponent<T> {
	protected handlers: ((value: T) => unknown)[] = [];
	disabled = false;

	abstract getValue(): T;
	abstract setValue(value: T): this;

	onChange(cb: (value: T) => unknown): this {
		this.handlers.push(cb);
		return this;
	}

	setDisabled(disabled: boolean): this {
		this.disabled = disabled;
		return this;
	}

	protected fire(): void {
		for (const h of this.handlers) void h(this.getValue());
	}
}

export class ToggleComponent extends ValueComponent<boolean> {
	toggleEl: HTMLElement;
	private value = false;

	constructor(containerEl: HTMLElement) {
		super();
		this.toggleEl = div(document, "checkbox-container", containerEl);
		this.toggleEl.addEventListener("click", () => {
			if (this.disabled) return;
			this.setValue(!this.value);
			this.fire();
		});
	}

	getValue(): boolean {
		return this.value;
	}

	setValue(on: boolean): this {
		this.value = on;
		this.toggleEl.classList.toggle("is-enabled", on);
		return this;
	}

	setTooltip(tooltip: string): this {
		this.toggleEl.setAttribute("aria-label", tooltip);
		return this;
	}
}

export class AbstractTextComponent<T extends HTMLInputElement | HTMLTextAreaElement> extends ValueComponent<string> {
	inputEl: T;

	constructor(inputEl: T) {
		super();
		this.inputEl = inputEl;
		this.inputEl.addEventListener("input", () => this.fire());
	}

	getValue(): string {
		return this.inputEl.value;
	}

	setValue(value: string): this {
		this.inputEl.value = value;
		return this;
	}

	setPlaceholder(placeholder: string): this {
		this.inputEl.placeholder = placeholder;
		return this;
	}

	override setDisabled(disabled: boolean): this {
		this.inputEl.disabled = disabled;
		return super.setDisabled(disabled);
	}
}

export class TextComponent extends AbstractTextComponent<HTMLInputElement> {
	constructor(containerEl: HTMLElement) {
		const input = document.createElement("input");
		input.type = "text";
		containerEl.appendChild(input);
		super(input);
	}
}

export class DropdownComponent extends ValueComponent<string> {
	selectEl: HTMLSelectElement;

	constructor(containerEl: HTMLElement) {
		super();
		this.selectEl = document.createElement("select");
		this.selectEl.className = "dropdown";
		containerEl.appendChild(this.selectEl);
		this.selectEl.addEventListener("change", () => this.fire());
	}

	addOption(value: string, display: string): this {
		const option = document.createElement("option");
		option.value = value;
		option.textContent = display;
		this.selectEl.appendChild(option);
		return this;
	}

	addOptions(options: Record<string, string>): this {
		for (const [v, d] of Object.entries(options)) this.addOption(v, d);
		return this;
	}

	getValue(): string {
		return this.selectEl.value;
	}

	setValue(value: string): this {
		this.selectEl.value = value;
		return this;
	}
}

export class ButtonComponent {
	buttonEl: HTMLButtonElement;

	constructor(containerEl: HTMLElement) {
		this.buttonEl = document.createElement("button");
		containerEl.appendChild(this.buttonEl);
	}

	setButtonText(name: string): this {
		this.buttonEl.textContent = name;
		return this;
	}

	setIcon(icon: string): this {
		this.buttonEl.dataset.icon = icon;
		return this;
	}

	setTooltip(tooltip: string): this {
		this.buttonEl.setAttribute("aria-label", tooltip);
		return this;
	}

	setCta(): this {
		this.buttonEl.classList.add("mod-cta");
		return this;
	}

	setWarning(): this {
		this.buttonEl.classList.add("mod-warning");
		return this;
	}

	setClass(cls: string): this {
		this.buttonEl.classList.add(cls);
		return this;
	}

	setDisabled(disabled: boolean): this {
		this.buttonEl.disabled = disabled;
		return this;
	}

	onClick(cb: (evt: MouseEvent) => unknown): this {
		this.buttonEl.addEventListener("click", (evt) => void cb(evt));
		return this;
	}
}

export class ExtraButtonComponent {
	extraSettingsEl: HTMLElement;

	constructor(containerEl: HTMLElement) {
		this.extraSettingsEl = div(document, "clickable-icon extra-setting-button", containerEl);
	}

	setIcon(icon: string): this {
		this.extraSettingsEl.dataset.icon = icon;
		return this;
	}

	setTooltip(tooltip: string): this {
		this.extraSettingsEl.setAttribute("aria-label", tooltip);
		return this;
	}

	setDisabled(disabled: boolean): this {
		this.extraSettingsEl.classList.toggle("is-disabled", disabled);
		return this;
	}

	onClick(cb: () => unknown): this {
		this.extraSettingsEl.addEventListener("click", () => void cb());
		return this;
	}
}

export class Setting {
	settingEl: HTMLElement;
	infoEl: HTMLElement;
	nameEl: HTMLElement;
	descEl: HTMLElement;
	controlEl: HTMLElement;
	components: unknown[] = [];

	constructor(containerEl: HTMLElement) {
		const doc = requireUi("Setting");
		this.settingEl = div(doc, "setting-item", containerEl);
		this.infoEl = div(doc, "setting-item-info", this.settingEl);
		this.nameEl = div(doc, "setting-item-name", this.infoEl);
		this.descEl = div(doc, "setting-item-description", this.infoEl);
		this.controlEl = div(doc, "setting-item-control", this.settingEl);
	}

	setName(name: string | DocumentFragment): this {
		this.nameEl.replaceChildren(name);
		return this;
	}

	setDesc(desc: string | DocumentFragment): this {
		this.descEl.replaceChildren(desc);
		return this;
	}

	setClass(cls: string): this {
		this.settingEl.classList.add(cls);
		return this;
	}

	setTooltip(tooltip: string): this {
		this.nameEl.setAttribute("aria-label", tooltip);
		return this;
	}

	setHeading(): this {
		this.settingEl.classList.add("setting-item-heading");
		return this;
	}

	setDisabled(disabled: boolean): this {
		this.settingEl.classList.toggle("is-disabled", disabled);
		return this;
	}

	private add<C>(component: C, cb: (component: C) => unknown): this {
		this.components.push(component);
		cb(component);
		return this;
	}

	addToggle(cb: (component: ToggleComponent) => unknown): this {
		return this.add(new ToggleComponent(this.controlEl), cb);
	}

	addText(cb: (component: TextComponent) => unknown): this {
		return this.add(new TextComponent(this.controlEl), cb);
	}

	addDropdown(cb: (component: DropdownComponent) => unknown): this {
		return this.add(new DropdownComponent(this.controlEl), cb);
	}

	addButton(cb: (component: ButtonComponent) => unknown): this {
		return this.add(new ButtonComponent(this.controlEl), cb);
	}

	addExtraButton(cb: (component: ExtraButtonComponent) => unknown): this {
		return this.add(new ExtraButtonComponent(this.controlEl), cb);
	}

	then(cb: (setting: this) => unknown): this {
		cb(this);
		return this;
	}
}

export class Modal extends Component {
	app: App;
	containerEl: HTMLElement;
	modalEl: HTMLElement;
	titleEl: HTMLElement;
	contentEl: HTMLElement;
	/** Stub-only. */
	isOpen = false;

	constructor(app: App) {
		super();
		const doc = requireUi("Modal");
		this.app = app;
		this.containerEl = div(doc, "modal-container");
		this.modalEl = div(doc, "modal", this.containerEl);
		this.titleEl = div(doc, "modal-title", this.modalEl);
		this.contentEl = div(doc, "modal-content", this.modalEl);
	}

	setTitle(title: string): this {
		this.titleEl.textContent = title;
		return this;
	}

	open(): void {
		document.body.appendChild(this.containerEl);
		this.isOpen = true;
		void this.onOpen();
	}

	close(): void {
		if (!this.isOpen) return;
		this.isOpen = false;
		this.onClose();
		this.containerEl.remove();
	}

	onOpen(): void | Promise<void> {}
	onClose(): void {}
}

/**
 * Stub-only shape of SuggestModal: `open()` fills `resultContainerEl` with one `.suggestion-item` per suggestion
 * of the current `inputEl` value; tests pick one with `chooseSuggestion(i)` (like a click).
 */
export abstract class SuggestModal<T> extends Modal {
	inputEl: HTMLInputElement;
	resultContainerEl: HTMLElement;
	emptyStateText = "No results found.";
	/** Stub-only: what the last render showed. */
	shown: T[] = [];

	constructor(app: App) {
		super(app);
		this.inputEl = document.createElement("input");
		this.modalEl.prepend(this.inputEl);
		this.resultContainerEl = div(document, "prompt-results", this.modalEl);
		this.inputEl.addEventListener("input", () => void this.renderSuggestions());
	}

	setPlaceholder(placeholder: string): void {
		this.inputEl.placeholder = placeholder;
	}

	override open(): void {
		super.open();
		void this.renderSuggestions();
	}

	/** Stub-only: resolves when the suggestions are drawn. */
	async renderSuggestions(): Promise<void> {
		const items = await this.getSuggestions(this.inputEl.value);
		this.shown = [...items];
		this.resultContainerEl.replaceChildren();
		if (items.length === 0) div(document, "suggestion-empty", this.resultContainerEl).textContent = this.emptyStateText;
		items.forEach((item, i) => {
			const el = div(document, "suggestion-item", this.resultContainerEl);
			this.renderSuggestion(item, el);
			el.addEventListener("click", () => this.chooseSuggestion(i));
		});
	}

	/** Stub-only: acts as a click on the i-th suggestion (closes the modal first, as Obsidian does). */
	chooseSuggestion(i: number): void {
		const item = this.shown[i];
		if (item === undefined) throw new Error(`obsidian stub: no suggestion ${i}`);
		this.close();
		void this.onChooseSuggestion(item, new MouseEvent("click"));
	}

	abstract getSuggestions(query: string): T[] | Promise<T[]>;
	abstract renderSuggestion(value: T, el: HTMLElement): void;
	abstract onChooseSuggestion(item: T, evt: MouseEvent | KeyboardEvent): void | Promise<void>;
}

/**
 * Stub-only shape of AbstractInputSuggest: typing in the input (an `input` event) draws one `.suggestion-item` per
 * suggestion into a `.suggestion-container` under the body; a click on one calls `selectSuggestion` (which calls
 * the `onSelect` callback, as Obsidian's does) and closes the list.
 */
export abstract class AbstractInputSuggest<T> {
	app: App;
	limit = 100;
	/** Stub-only: the drawn list (null while closed) and what it shows. */
	suggestEl: HTMLElement | null = null;
	shown: T[] = [];
	private selectCallback: ((value: T, evt: MouseEvent | KeyboardEvent) => unknown) | null = null;

	constructor(
		app: App,
		protected readonly textInputEl: HTMLInputElement | HTMLDivElement,
	) {
		requireUi("AbstractInputSuggest");
		this.app = app;
		textInputEl.addEventListener("input", () => void this.open());
		textInputEl.addEventListener("focus", () => void this.open());
	}

	setValue(value: string): void {
		if (this.textInputEl instanceof HTMLInputElement) this.textInputEl.value = value;
		else this.textInputEl.textContent = value;
	}

	getValue(): string {
		return this.textInputEl instanceof HTMLInputElement ? this.textInputEl.value : (this.textInputEl.textContent ?? "");
	}

	onSelect(callback: (value: T, evt: MouseEvent | KeyboardEvent) => unknown): this {
		this.selectCallback = callback;
		return this;
	}

	selectSuggestion(value: T, evt: MouseEvent | KeyboardEvent): void {
		this.selectCallback?.(value, evt);
	}

	/** Stub-only: draws the suggestions for the input's value (what typing does). */
	async open(): Promise<void> {
		const items = (await this.getSuggestions(this.getValue())).slice(0, this.limit || undefined);
		this.shown = [...items];
		this.suggestEl?.remove();
		this.suggestEl = div(document, "suggestion-container", document.body);
		items.forEach((item) => {
			const el = div(document, "suggestion-item", this.suggestEl!);
			this.renderSuggestion(item, el);
			el.addEventListener("click", (evt) => {
				this.selectSuggestion(item, evt);
				this.close();
			});
		});
	}

	close(): void {
		this.suggestEl?.remove();
		this.suggestEl = null;
	}

	protected abstract getSuggestions(query: string): T[] | Promise<T[]>;
	abstract renderSuggestion(value: T, el: HTMLElement): void;
}

export interface FuzzyMatch<T> {
	item: T;
	match: { score: number; matches: [number, number][] };
}

/**
 * Stub-only shape of FuzzySuggestModal: items whose text holds the query's characters in order (case-insensitive),
 * in `getItems()` order (Obsidian sorts by score; an empty query keeps the order, as here).
 */
export abstract class FuzzySuggestModal<T> extends SuggestModal<FuzzyMatch<T>> {
	getSuggestions(query: string): FuzzyMatch<T>[] {
		const q = query.trim().toLowerCase();
		const out: FuzzyMatch<T>[] = [];
		for (const item of this.getItems()) {
			const text = this.getItemText(item).toLowerCase();
			let at = 0;
			for (const ch of q) {
				at = text.indexOf(ch, at);
				if (at < 0) break;
				at++;
			}
			if (at >= 0) out.push({ item, match: { score: 0, matches: [] } });
		}
		return out;
	}

	renderSuggestion(item: FuzzyMatch<T>, el: HTMLElement): void {
		el.textContent = this.getItemText(item.item);
	}

	onChooseSuggestion(item: FuzzyMatch<T>, evt: MouseEvent | KeyboardEvent): void {
		this.onChooseItem(item.item, evt);
	}

	abstract getItems(): T[];
	abstract getItemText(item: T): string;
	abstract onChooseItem(item: T, evt: MouseEvent | KeyboardEvent): void;
}
