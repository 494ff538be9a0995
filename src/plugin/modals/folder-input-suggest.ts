import { AbstractInputSuggest, TFolder, type App } from "obsidian";

/** The vault's folders, sorted, without dot-folders (the Vault API does not see them anyway). */
export function vaultFolders(app: App): string[] {
	const folders: string[] = [];
	const walk = (folder: TFolder) => {
		for (const child of folder.children) {
			if (!(child instanceof TFolder) || child.name.startsWith(".")) continue;
			folders.push(child.path);
			walk(child);
		}
	};
	walk(app.vault.getRoot());
	return folders.sort((a, b) => a.localeCompare(b));
}

/**
 * Type-ahead for a folder field (the import dialog's output folder): the vault's folders whose path holds what was
 * typed, case-insensitive. A new folder can still be typed: the import creates it.
 */
export class FolderInputSuggest extends AbstractInputSuggest<string> {
	constructor(app: App, inputEl: HTMLInputElement) {
		super(app, inputEl);
		this.limit = 50;
	}

	protected getSuggestions(query: string): string[] {
		const q = query.trim().toLowerCase();
		const folders = vaultFolders(this.app);
		return q === "" ? folders : folders.filter((f) => f.toLowerCase().includes(q));
	}

	renderSuggestion(folder: string, el: HTMLElement): void {
		el.setText(folder);
	}
}
