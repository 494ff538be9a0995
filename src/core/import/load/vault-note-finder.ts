import type { NoteVault } from "../../ports/note-vault";
import type { Logger } from "../../ports/logger";
import { parseYaml } from "../../yaml/parse";
import { splitFrontmatter } from "../../notes/frontmatter";

/**
 * Finds notes by the `source` + `source_id` in their frontmatter, for when the import index has no (or a stale)
 * record: a lost index, or a note that moved. The vault is scanned once, lazily, on the first question.
 */
export class VaultNoteFinder {
	private map: Map<string, string[]> | null = null;

	constructor(
		private readonly vault: NoteVault,
		private readonly logger?: Logger,
	) {}

	async find(provider: string, sourceId: string): Promise<string[]> {
		this.map ??= await this.scan();
		return this.map.get(`${provider}\u0000${sourceId}`) ?? [];
	}

	private async scan(): Promise<Map<string, string[]>> {
		const map = new Map<string, string[]>();
		const paths = await this.vault.listMarkdown("");
		for (const path of paths) {
			let text: string;
			try {
				text = await this.vault.read(path);
			} catch (e) {
				this.logger?.warn(`Could not read ${path} while looking for imported notes: ${e instanceof Error ? e.message : String(e)}`);
				continue;
			}
			const ids = sourceIdentity(text);
			if (!ids) continue;
			const key = `${ids.source}\u0000${ids.sourceId}`;
			map.set(key, [...(map.get(key) ?? []), path]);
		}
		return map;
	}
}

const SOURCE = /^source:[ \t]*["']?([A-Za-z]+)["']?[ \t]*$/m;
const SOURCE_ID_LINE = /^source_id:[ \t]*(.*?)[ \t]*\r?$/m;
const UPDATED = /^updated:[ \t]*["']?([^"'\r\n]+?)["']?[ \t]*$/m;
/**
 * A value the writer (stringifyFrontmatter) puts plain, read back as it stands: letters, digits and `_.:/+ -`,
 * starting with a letter, digit or `_`, no `: `, not ending in `:`. Anything else (quoted, escaped, a block
 * scalar over several lines, a number) is read by the `yaml` library that wrote it.
 */
const PLAIN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:/+ -]*$/;

/**
 * `source`, `source_id` and `updated` from a note's frontmatter: a light read of the lines when `source_id` is a
 * plain word, else the whole frontmatter parsed with the same YAML library that wrote it, so an id with quotes,
 * backslashes, `: `, newlines or anything the writer had to quote reads back as the very string written.
 */
export function sourceIdentity(text: string): { source: string; sourceId: string; updated: string | null } | null {
	const { yaml } = splitFrontmatter(text);
	if (yaml === null) return null;
	const source = SOURCE.exec(yaml)?.[1];
	const raw = SOURCE_ID_LINE.exec(yaml)?.[1];
	if (!source || raw === undefined) return null;
	if (raw !== "" && PLAIN_ID.test(raw) && !raw.includes(": ") && !raw.endsWith(":")) {
		return { source, sourceId: raw, updated: UPDATED.exec(yaml)?.[1] ?? null };
	}
	return parsedIdentity(yaml, source);
}

function parsedIdentity(yaml: string, source: string): { source: string; sourceId: string; updated: string | null } | null {
	let value: unknown;
	try {
		value = parseYaml(yaml).value;
	} catch {
		return null; // broken YAML: not a note of ours to match
	}
	if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
	const fields = value as Record<string, unknown>;
	const id = fields.source_id;
	const sourceId = typeof id === "string" ? id : typeof id === "number" || typeof id === "bigint" ? String(id) : null;
	if (sourceId === null || sourceId === "") return null;
	const updated = fields.updated;
	return {
		source: typeof fields.source === "string" ? fields.source : source,
		sourceId,
		updated: typeof updated === "string" ? updated : null,
	};
}

/**
 * The note of a conversation as it is now: where the index says we wrote it (one read; a note there that carries
 * another source id is not it), else found by its source id anywhere in the vault (the first of several; `several`
 * is told the others). Null when there is none. The load stage and the import preview look for it the same way.
 */
export async function currentNoteOf(
	vault: NoteVault,
	finder: VaultNoteFinder,
	indexedPath: string | null,
	provider: string,
	sourceId: string,
	several?: (paths: string[]) => void,
): Promise<{ path: string; text: string } | null> {
	const text = indexedPath !== null ? await vault.read(indexedPath).catch(() => null) : null;
	if (indexedPath !== null && text !== null) {
		const ids = sourceIdentity(text);
		if (!ids || (ids.source === provider && ids.sourceId === sourceId)) return { path: indexedPath, text };
	}
	const found = await finder.find(provider, sourceId);
	const path = found[0];
	if (path === undefined) return null;
	if (found.length > 1) several?.(found);
	return { path, text: await vault.read(path) };
}
