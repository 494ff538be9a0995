/**
 * Helpers for the import end-to-end tests: run the CLI in-process, build small Claude / ChatGPT exports (JSON
 * and zip) in temp folders, and read back what landed in a vault.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { expect } from "vitest";
import { main } from "../../src/cli/cli";
import type { CliIo } from "../../src/cli/output";
import { tempDir } from "../core/_support/temp-vault";

export const PUBLIC_FIXTURES = join(__dirname, "../../../shared/fixtures/public");
export const SAMPLES = join(__dirname, "../../samples");
export const SESSION_ROOT_DIR = join(".staging", "@session");

export interface CliRun {
	code: number;
	out: string;
	err: string;
}

export async function runCli(argv: string[], cwd?: string): Promise<CliRun> {
	const out: string[] = [];
	const err: string[] = [];
	const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), ...(cwd ? { cwd } : {}) };
	const code = await main(argv, io);
	return { code, out: out.join(""), err: err.join("") };
}

export interface ImportJson {
	session_id: string;
	status: string;
	counts: { total: number; success: number; failed: number; skipped: number };
	notes: { created: number; updated: number; unchanged: number; preserved: number; [k: string]: number };
	failures: { item_id: string; title: string | null; stage: string; reason: string }[];
}

/** stdout holds exactly one JSON object with exactly the contract keys; returns it. */
export function contractJson(run: CliRun): ImportJson {
	const parsed = JSON.parse(run.out) as Record<string, unknown>;
	expect(typeof parsed).toBe("object");
	expect(Object.keys(parsed).sort()).toEqual(["counts", "failures", "notes", "session_id", "status"]);
	const r = parsed as unknown as ImportJson;
	expect(Object.keys(r.counts).sort()).toEqual(["failed", "skipped", "success", "total"]);
	for (const k of ["created", "updated", "unchanged", "preserved"]) expect(typeof r.notes[k]).toBe("number");
	expect(Array.isArray(r.failures)).toBe(true);
	for (const f of r.failures) expect(Object.keys(f).sort()).toEqual(["item_id", "reason", "stage", "title"]);
	expect(r.counts.total).toBe(r.counts.success + r.counts.failed + r.counts.skipped);
	expect(r.failures.length).toBe(r.counts.failed);
	return r;
}

/** Import with --json; checks the JSON contract and returns the run and the parsed object. */
export async function importJson(inputs: string[], vault: string, extra: string[] = []): Promise<CliRun & { json: ImportJson }> {
	const run = await runCli(["import", ...inputs, "--vault", vault, "--json", ...extra]);
	if (run.code === 1) throw new Error(`unexpected error: ${run.err}`);
	return { ...run, json: contractJson(run) };
}

export async function newVault(): Promise<string> {
	return tempDir("ketl-import-vault-");
}

// ---------------------------------------------------------------- fixtures

export interface MessageSpec {
	role: "user" | "assistant";
	text: string;
	time?: string | null;
}

export interface ConvSpec {
	id: string;
	title: string;
	created?: string | null;
	updated?: string | null;
	messages?: MessageSpec[];
}

const T0 = "2025-03-01T10:00:00.000000Z";

function defaultMessages(spec: ConvSpec): MessageSpec[] {
	return (
		spec.messages ?? [
			{ role: "user", text: `Question about ${spec.title}?` },
			{ role: "assistant", text: `Answer for ${spec.id}.` },
		]
	);
}

/** A Claude conversation (content[] blocks, linear parent chain). */
export function claudeConv(spec: ConvSpec): Record<string, unknown> {
	let parent = "00000000-0000-4000-8000-000000000000";
	const messages = defaultMessages(spec).map((m, i) => {
		const uuid = `${spec.id}-m${i}`;
		const msg = {
			uuid,
			parent_message_uuid: parent,
			sender: m.role === "user" ? "human" : "assistant",
			text: m.text,
			created_at: m.time === undefined ? T0 : m.time,
			content: [{ type: "text", text: m.text }],
			attachments: [],
			files: [],
		};
		parent = uuid;
		return msg;
	});
	return {
		uuid: spec.id,
		name: spec.title,
		summary: "",
		created_at: spec.created === undefined ? T0 : spec.created,
		updated_at: spec.updated === undefined ? T0 : spec.updated,
		chat_messages: messages,
	};
}

function toEpoch(iso: string | null | undefined): number | null {
	if (iso === null) return null;
	return Date.parse(iso ?? "2025-03-01T10:00:00Z") / 1000;
}

/** A ChatGPT conversation (a mapping chain from a root node to current_node). */
export function chatgptConv(spec: ConvSpec): Record<string, unknown> {
	const mapping: Record<string, unknown> = {};
	const root = `${spec.id}-root`;
	const ids = defaultMessages(spec).map((_, i) => `${spec.id}-n${i}`);
	mapping[root] = { id: root, parent: null, children: ids.slice(0, 1), message: null };
	defaultMessages(spec).forEach((m, i) => {
		const id = ids[i]!;
		mapping[id] = {
			id,
			parent: i === 0 ? root : ids[i - 1],
			children: ids.slice(i + 1, i + 2),
			message: {
				id,
				author: { role: m.role, name: null, metadata: {} },
				create_time: m.time === undefined ? toEpoch(undefined) : toEpoch(m.time),
				content: { content_type: "text", parts: [m.text] },
				metadata: {},
				recipient: "all",
			},
		};
	});
	return {
		title: spec.title,
		create_time: toEpoch(spec.created),
		update_time: toEpoch(spec.updated),
		mapping,
		current_node: ids[ids.length - 1] ?? root,
		conversation_id: spec.id,
		id: spec.id,
	};
}

export async function writeJson(path: string, value: unknown): Promise<string> {
	await mkdir(dirname(path), { recursive: true });
	await writeFile(path, JSON.stringify(value, null, 1));
	return path;
}

export async function writeZip(path: string, entries: Record<string, string>): Promise<string> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	for (const [name, text] of Object.entries(entries)) await writer.add(name, new TextReader(text));
	await mkdir(dirname(path), { recursive: true });
	await writeFile(path, await writer.close());
	return path;
}

// ---------------------------------------------------------------- reading a vault

async function walk(dir: string, root: string, out: string[], skipHidden: boolean): Promise<void> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true });
	} catch {
		return;
	}
	for (const e of entries) {
		if (skipHidden && e.name.startsWith(".")) continue;
		const full = join(dir, e.name);
		if (e.isDirectory()) await walk(full, root, out, skipHidden);
		else out.push(relative(root, full).split(sep).join("/"));
	}
}

/** Every file of the vault outside `.staging` (and other dot folders), sorted, vault-relative. */
export async function vaultFiles(vault: string): Promise<string[]> {
	const out: string[] = [];
	await walk(vault, vault, out, true);
	return out.sort();
}

/** Every file under a folder (dot files included), sorted, relative to it. */
export async function allFiles(dir: string): Promise<string[]> {
	const out: string[] = [];
	await walk(dir, dir, out, false);
	return out.sort();
}

export async function notesIn(vault: string, folder: string): Promise<string[]> {
	return (await vaultFiles(vault)).filter((p) => p.startsWith(`${folder}/`)).map((p) => p.slice(folder.length + 1));
}

export async function readNote(vault: string, path: string): Promise<string> {
	return readFile(join(vault, path), "utf8");
}

export async function snapshot(vault: string): Promise<Map<string, { text: string; mtimeMs: number; ino: number }>> {
	const map = new Map<string, { text: string; mtimeMs: number; ino: number }>();
	for (const p of await vaultFiles(vault)) {
		const s = await stat(join(vault, p));
		map.set(p, { text: await readFile(join(vault, p), "utf8"), mtimeMs: s.mtimeMs, ino: s.ino });
	}
	return map;
}

export async function sessionIds(vault: string): Promise<string[]> {
	try {
		return (await readdir(join(vault, SESSION_ROOT_DIR))).sort();
	} catch {
		return [];
	}
}

/** The note's text without its `session:` frontmatter line. */
export function withoutSession(text: string): string {
	return text.replace(/^session:.*\n/m, "");
}

export function frontmatterValue(text: string, key: string): string | undefined {
	const m = new RegExp(`^${key}:[ \\t]*(.*)$`, "m").exec(text);
	return m?.[1]?.replace(/^["']|["']$/g, "");
}
