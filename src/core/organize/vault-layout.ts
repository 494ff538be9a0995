import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";

/**
 * The folders an Obsidian vault gives a meaning to, read from its settings (`.obsidian/*.json`) through the
 * staging-store port, which reads dot-paths in both front ends (the plugin over `app.vault.adapter`, the CLI over
 * Node's fs). A setting that is absent or unreadable is simply not there: nothing is guessed.
 *
 * - templates: core Templates (`templates.json` `folder`) and Templater (`plugins/templater-obsidian/data.json`
 *   `templates_folder`);
 * - daily notes: core Daily notes (`daily-notes.json` `folder`) and Periodic Notes (`plugins/periodic-notes/data.json`
 *   `daily|weekly|monthly|quarterly|yearly.folder` when enabled);
 * - attachments: `app.json` `attachmentFolderPath` (a vault folder; `./sub` is a `sub` folder beside each note,
 *   `/` and `./` are the vault root or the note's own folder and say nothing).
 */
export interface VaultLayout {
	templates: string[];
	daily: string[];
	attachments: string[];
	/** `./sub`: attachments go to a `sub` folder beside each note (matched as a folder name anywhere). */
	attachmentSubfolders: string[];
}

/** The CLI's default; the plugin passes `Vault#configDir`. */
export const DEFAULT_CONFIG_DIR = ".obsidian";

export async function readVaultLayout(store: StagingStore, configDir = DEFAULT_CONFIG_DIR, logger?: Logger): Promise<VaultLayout> {
	const json = async (file: string): Promise<Record<string, unknown> | null> => {
		const path = `${configDir}/${file}`;
		try {
			if (!(await store.exists(path))) return null;
			const value: unknown = JSON.parse(await store.read(path));
			return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
		} catch (error) {
			logger?.warn(`${path}: not readable as settings (${error instanceof Error ? error.message : String(error)}); ignored`);
			return null;
		}
	};
	const folder = (value: unknown): string | null => {
		if (typeof value !== "string") return null;
		const clean = value
			.trim()
			.replace(/\\/g, "/")
			.replace(/^\/+|\/+$/g, "");
		return clean === "" || clean.split("/").includes("..") ? null : clean;
	};
	const layout: VaultLayout = { templates: [], daily: [], attachments: [], attachmentSubfolders: [] };
	const add = (list: string[], value: string | null): void => {
		if (value !== null && !list.includes(value)) list.push(value);
	};

	add(layout.templates, folder((await json("templates.json"))?.folder));
	add(layout.templates, folder((await json("plugins/templater-obsidian/data.json"))?.templates_folder));

	add(layout.daily, folder((await json("daily-notes.json"))?.folder));
	const periodic = await json("plugins/periodic-notes/data.json");
	for (const period of ["daily", "weekly", "monthly", "quarterly", "yearly"]) {
		const entry = periodic?.[period];
		if (typeof entry === "object" && entry !== null && (entry as Record<string, unknown>).enabled === true)
			add(layout.daily, folder((entry as Record<string, unknown>).folder));
	}

	const attachments = (await json("app.json"))?.attachmentFolderPath;
	if (typeof attachments === "string") {
		const trimmed = attachments.trim();
		if (trimmed.startsWith("./")) add(layout.attachmentSubfolders, folder(trimmed.slice(2)));
		else if (trimmed !== "." && trimmed !== "./") add(layout.attachments, folder(trimmed));
	}
	return layout;
}
