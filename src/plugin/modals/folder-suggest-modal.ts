import { FuzzySuggestModal, TFolder, type App } from "obsidian";
import { t } from "../i18n";

export interface FolderChoice {
	/** Vault-relative folder; "" for the whole vault. */
	path: string;
	label: string;
}

/**
 * The vault's folders for "Start organize session": the default folder (the import's output folder) first, so
 * Enter on an empty query picks it, then every other folder, then the whole vault. Dot-folders are never
 * listed (the Vault API does not see them).
 */
export function folderChoices(app: App, defaultFolder: string): FolderChoice[] {
	const folders: string[] = [];
	const walk = (folder: TFolder) => {
		for (const child of folder.children) {
			if (!(child instanceof TFolder) || child.name.startsWith(".")) continue;
			folders.push(child.path);
			walk(child);
		}
	};
	walk(app.vault.getRoot());
	folders.sort((a, b) => a.localeCompare(b));
	const out: FolderChoice[] = [];
	if (folders.includes(defaultFolder)) out.push({ path: defaultFolder, label: t("picker.outputFolderLabel", { folder: defaultFolder }) });
	for (const path of folders) if (path !== defaultFolder) out.push({ path, label: path });
	out.push({ path: "", label: t("picker.wholeVault") });
	return out;
}

export class FolderSuggestModal extends FuzzySuggestModal<FolderChoice> {
	constructor(
		app: App,
		private readonly choices: FolderChoice[],
		private readonly onChoose: (choice: FolderChoice) => void,
	) {
		super(app);
		this.setPlaceholder(t("picker.organizeFolder"));
		this.emptyStateText = t("picker.noFolder");
	}

	getItems(): FolderChoice[] {
		return this.choices;
	}

	getItemText(item: FolderChoice): string {
		return item.label;
	}

	onChooseItem(item: FolderChoice): void {
		this.onChoose(item);
	}
}
