import type { NoteVault } from "../../ports/note-vault";
import type { Logger } from "../../ports/logger";
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

	/** Tells the finder about a note written during this run. */
	remember(provider: string, sourceId: string, path: string): void {
		if (!this.map) return; // not scanned yet: the scan will see the note
		const key = `${provider}\u0000${sourceId}`;
		const paths = this.map.get(key) ?? [];
		if (!paths.includes(path)) paths.push(path);
		this.map.set(key, paths);
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
const SOURCE_ID = /^source_id:[ \t]*["']?([^"'\r\n]+?)["']?[ \t]*$/m;
const UPDATED = /^updated:[ \t]*["']?([^"'\r\n]+?)["']?[ \t]*$/m;

/** `source`, `source_id` and `updated` from a note's frontmatter (a light read: no full YAML parse). */
export function sourceIdentity(text: string): { source: string; sourceId: string; updated: string | null } | null {
	const { yaml } = splitFrontmatter(text);
	if (yaml === null) return null;
	const source = SOURCE.exec(yaml)?.[1];
	const sourceId = SOURCE_ID.exec(yaml)?.[1];
	if (!source || !sourceId) return null;
	return { source, sourceId, updated: UPDATED.exec(yaml)?.[1] ?? null };
}
