import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { vaultExclusions, type ExcludeRule } from "./exclusions";
import { parseNormalizeRules, type NormalizeRule } from "./normalize-frontmatter";
import { readVaultLayout, DEFAULT_CONFIG_DIR } from "./vault-layout";
import type { Plan } from "./plan";

/**
 * The organize options both front ends derive the same way from the user's settings (or flags) and the vault's
 * own settings: what is excluded, which rules touch the user's own notes, and where genre folders go.
 */
export interface OrganizeSetupInput {
	store: StagingStore;
	/** Obsidian's settings folder (`app.vault.configDir`; default `.obsidian`). */
	configDir?: string;
	/** The user's excluded folders and patterns. */
	exclude?: readonly string[];
	/** The normalisation rules for the user's own notes, by name (default: none). */
	userNoteRules?: readonly string[];
	/** Where genre folders go: the import's output folder unless the user set another (null/undefined). */
	genreParent?: string | null;
	/** The import's output folder (the default genre parent). */
	outFolder: string;
	logger?: Logger;
}

export interface OrganizeSetup {
	exclude: ExcludeRule[];
	userNoteRules: NormalizeRule[];
	genreParent: string;
}

export async function organizeSetup(input: OrganizeSetupInput): Promise<OrganizeSetup> {
	const configDir = input.configDir ?? DEFAULT_CONFIG_DIR;
	const layout = await readVaultLayout(input.store, configDir, input.logger);
	const parent = (input.genreParent ?? input.outFolder)
		.trim()
		.replace(/\\/g, "/")
		.replace(/^\/+|\/+$/g, "");
	if (parent.split("/").includes(".."))
		throw new Error(`The genre parent folder must be inside the vault: "${input.genreParent ?? input.outFolder}"`);
	return {
		exclude: vaultExclusions(layout, input.exclude ?? [], configDir),
		userNoteRules: parseNormalizeRules(input.userNoteRules ?? []),
		genreParent: parent === "." ? "" : parent,
	};
}

/**
 * What applying a plan changes, for the whole-vault confirmation: the notes it moves or edits, and the folders
 * touched (those notes leave or enter, created or not).
 */
export function planChangeSize(plan: Plan): { notes: number; folders: number } {
	const folders = new Set<string>();
	let notes = 0;
	const folderOf = (path: string): string => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");
	for (const item of plan.items) {
		if (item.status !== "planned") continue;
		notes++;
		folders.add(folderOf(item.from));
		folders.add(folderOf(item.to));
	}
	return { notes, folders: folders.size };
}
