import { ExtraButtonComponent, Modal, Platform, Setting, type App, type ButtonComponent } from "obsidian";
import { PreviewReading } from "../../core/app/services";
import type {
	ImportOptionsInput,
	ImportSummary,
	ImportPreview,
	PreviewConversation,
	PreviewProgress,
	ProviderChoice,
} from "../../core/app/types";
import { BlobByteSource } from "../blob-byte-source";
import type { NewImport } from "../session-actions";
import { PROVIDER_MODULES, providerLabel, isProvider } from "../../core/app/catalog";
import { t } from "../i18n";
import { FolderInputSuggest } from "./folder-input-suggest";

type Provider = ProviderChoice;

/** What the modal needs (the plugin's actions; tests can pass their own). */
export interface ImportModalDeps {
	defaultOutFolder: string;
	/** The LLM switch is enabled only then; `llmLabel` says which model ("gpt-oss:20b on Ollama"). */
	llmAvailable: boolean;
	llmLabel: string;
	preview(
		sources: BlobByteSource[],
		options: Pick<ImportOptionsInput, "provider" | "limit"> & { llm?: boolean },
		run?: { signal?: AbortSignal; onProgress?: (p: PreviewProgress) => void; keep?: PreviewReading },
	): Promise<ImportPreview>;
	start(request: NewImport): Promise<ImportSummary | null> | null;
}

/** Exports (.zip, .json, Gemini's .html) and coding-agent session logs (.jsonl: Claude Code, Codex CLI). */
const ACCEPTED = /\.(zip|json|html|jsonl)$/i;
/** Rows drawn at once in the conversation list; the rest are reached by searching (select all still takes them). */
const MAX_ROWS = 200;

/**
 * "Start import session": pick exports (file input, or drop them on desktop), the provider, output folder, LLM,
 * limit and dry run; "Preview" reads the exports and shows what an import would do; "Start import" runs it in
 * the background (the panel and the status bar follow it) and closes the modal.
 */
export class ImportModal extends Modal {
	files: File[] = [];
	provider: Provider = "auto";
	outFolder: string;
	useLlm = false;
	limit: number | undefined = undefined;
	dryRun = false;
	/** The preview of the current choice; cleared when the files, provider or limit change. */
	preview: ImportPreview | null = null;
	/** The conversation ids to import, out of the preview's (all of them after a preview). */
	selected = new Set<string>();
	/** The list's search text. */
	query = "";
	/**
	 * What the last preview read, and of which files: "Start import" takes it instead of reading the export again
	 * while the files are the same (the same File objects, sizes and modification times).
	 */
	reading: { keep: PreviewReading; files: { file: File; size: number; lastModified: number }[] } | null = null;
	/** The running import started from this modal (for tests and the caller). */
	started: Promise<ImportSummary | null> | null = null;

	private filesEl!: HTMLElement;
	/** The output folder's type-ahead over the vault's folders. */
	folderSuggest: FolderInputSuggest | null = null;
	private previewEl!: HTMLElement;
	private startButton!: ButtonComponent;
	private previewButton!: ButtonComponent;
	private listEl: HTMLElement | null = null;
	private selectionEl: HTMLElement | null = null;
	private selectAllEl: HTMLInputElement | null = null;

	constructor(
		app: App,
		private readonly deps: ImportModalDeps,
	) {
		super(app);
		this.outFolder = deps.defaultOutFolder;
	}

	override onOpen(): void {
		this.setTitle(t("import.title"));
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-import-modal");

		// The browser's file control keeps saying "No file chosen" once we take the files from it: it stays hidden,
		// an Obsidian button opens it, and the list below says what was chosen.
		const pick = new Setting(contentEl)
			.setName(t("import.files"))
			.setDesc(t("import.filesDesc", { providers: PROVIDER_MODULES.map((m) => m.label).join(", ") }));
		const input = pick.controlEl.createEl("input", {
			cls: "knowledge-etl-file-input",
			attr: { type: "file", accept: ".zip,.json,.html,.jsonl", multiple: true },
		});
		input.addEventListener("change", () => {
			this.addFiles([...(input.files ?? [])]);
			input.value = "";
		});
		pick.addButton((b) =>
			b
				.setButtonText(t("import.chooseFiles"))
				.setClass("knowledge-etl-choose-files")
				.onClick(() => input.click()),
		);
		this.filesEl = contentEl.createDiv({ cls: "knowledge-etl-file-list" });
		if (Platform.isDesktop) {
			const drop = contentEl.createDiv({ cls: "knowledge-etl-drop-zone", text: t("import.drop") });
			drop.addEventListener("dragover", (evt) => {
				evt.preventDefault();
				drop.addClass("is-dragover");
			});
			drop.addEventListener("dragleave", () => drop.removeClass("is-dragover"));
			drop.addEventListener("drop", (evt) => {
				evt.preventDefault();
				drop.removeClass("is-dragover");
				this.addFiles([...(evt.dataTransfer?.files ?? [])]);
			});
		}

		new Setting(contentEl)
			.setName(t("import.outFolder"))
			.setDesc(t("import.outFolderDesc"))
			.addText((text) => {
				text
					.setPlaceholder(this.deps.defaultOutFolder)
					.setValue(this.outFolder)
					.onChange((v) => {
						this.outFolder = v.trim() || this.deps.defaultOutFolder;
					});
				text.inputEl.addClass("knowledge-etl-out-folder");
				this.folderSuggest = new FolderInputSuggest(this.app, text.inputEl).onSelect((folder) => {
					text.setValue(folder);
					this.outFolder = folder;
					this.folderSuggest?.close();
				});
			});
		new Setting(contentEl)
			.setName(t("import.useLlm"))
			.setDesc(this.deps.llmAvailable ? t("import.useLlmDesc", { model: this.deps.llmLabel }) : t("import.useLlmUnavailable"))
			.addToggle((toggle) =>
				toggle
					.setValue(this.useLlm)
					.setDisabled(!this.deps.llmAvailable)
					.onChange((v) => {
						this.useLlm = v;
					}),
			);

		// What most imports never need: collapsed.
		const more = contentEl.createEl("details", { cls: "knowledge-etl-more-options" });
		more.createEl("summary", { text: t("import.moreOptions") });
		new Setting(more)
			.setName(t("import.provider"))
			.setDesc(t("import.providerDesc"))
			.addDropdown((d) =>
				d
					.addOptions({ auto: t("import.detect"), ...Object.fromEntries(PROVIDER_MODULES.map((m) => [m.id, m.label])) })
					.setValue(this.provider)
					.onChange((v) => {
						this.provider = v as Provider;
						this.resetPreview();
					}),
			);
		new Setting(more)
			.setName(t("import.limit"))
			.setDesc(t("import.limitDesc"))
			.addText((text) =>
				text.setPlaceholder(t("import.limitAll")).onChange((v) => {
					const n = Number.parseInt(v.trim(), 10);
					this.limit = Number.isInteger(n) && n > 0 ? n : undefined;
					text.inputEl.toggleClass("knowledge-etl-invalid", v.trim() !== "" && this.limit === undefined);
					this.resetPreview();
				}),
			);
		new Setting(more)
			.setName(t("import.dryRun"))
			.setDesc(t("import.dryRunDesc"))
			.addToggle((toggle) =>
				toggle.setValue(this.dryRun).onChange((v) => {
					this.dryRun = v;
				}),
			);
		this.previewEl = contentEl.createDiv({ cls: "knowledge-etl-preview" });
		new Setting(contentEl)
			.addButton((b) => {
				this.previewButton = b
					.setButtonText(t("import.preview"))
					.setClass("knowledge-etl-preview-button")
					.onClick(() => this.runPreview());
			})
			.addButton((b) => {
				this.startButton = b
					.setButtonText(t("import.start"))
					.setCta()
					.setClass("knowledge-etl-start-button")
					.onClick(() => this.startImport());
			});
		this.renderFiles();
		this.resetPreview();
	}

	override onClose(): void {
		this.folderSuggest?.close();
		this.stopPreview(); // a preview never reads on after its dialog is gone
		this.contentEl.empty();
	}

	/** The preview reading now, if any (cancelled by "Cancel preview", a change of files or options, or closing). */
	private previewRun: AbortController | null = null;

	private stopPreview(): void {
		this.previewRun?.abort();
		this.previewRun = null;
	}

	/** Adds picked or dropped files (other types are refused with a message). */
	addFiles(files: File[]): void {
		const refused = files.filter((f) => !ACCEPTED.test(f.name));
		for (const f of files) {
			if (ACCEPTED.test(f.name) && !this.files.some((g) => g.name === f.name && g.size === f.size)) this.files.push(f);
		}
		this.renderFiles(refused.map((f) => f.name));
		this.resetPreview();
	}

	private renderFiles(refused: string[] = []): void {
		this.filesEl.empty();
		for (const f of this.files) {
			const row = this.filesEl.createDiv({ cls: "knowledge-etl-file" });
			row.createSpan({ cls: "knowledge-etl-file-name", text: f.name });
			row.createSpan({ cls: "knowledge-etl-file-size", text: formatBytes(f.size) });
			new ExtraButtonComponent(row)
				.setIcon("x")
				.setTooltip(t("import.removeFile", { name: f.name }))
				.onClick(() => {
					this.files = this.files.filter((g) => g !== f);
					this.renderFiles();
					this.resetPreview();
				})
				.extraSettingsEl.addClass("knowledge-etl-file-remove");
		}
		if (refused.length > 0) {
			this.filesEl.createDiv({ cls: "knowledge-etl-error-text", text: t("import.refused", { files: refused.join(", ") }) });
		}
	}

	private resetPreview(): void {
		this.stopPreview();
		this.preview = null;
		this.reading = null;
		this.selected = new Set();
		this.listEl = this.selectionEl = this.selectAllEl = null;
		if (!this.previewEl) return;
		this.previewEl.empty();
		this.previewEl.createDiv({
			cls: "knowledge-etl-empty",
			text: this.files.length === 0 ? t("import.pickFirst") : t("import.previewFirst"),
		});
		// A preview is optional: the import checks the export as it reads it.
		this.startButton?.setDisabled(this.files.length === 0);
		this.previewButton?.setButtonText(t("import.preview")).setDisabled(this.files.length === 0);
	}

	private sources(): BlobByteSource[] {
		return this.files.map((f) => new BlobByteSource(f, f.name));
	}

	/** Reads the exports and shows provider, conversations, new / updated / unchanged. */
	async runPreview(): Promise<void> {
		if (this.previewRun) {
			// The button reads "Cancel preview" while one runs.
			this.resetPreview();
			return;
		}
		if (this.files.length === 0) return;
		const run = new AbortController();
		this.previewRun = run;
		const keep = new PreviewReading();
		const files = this.files.map((file) => ({ file, size: file.size, lastModified: file.lastModified }));
		this.previewButton.setButtonText(t("import.cancelPreview"));
		this.previewEl.empty();
		const progressEl = this.previewEl.createDiv({ cls: "knowledge-etl-empty knowledge-etl-preview-progress", text: t("import.reading") });
		const onProgress = (p: PreviewProgress): void => {
			const percent = p.bytesTotal ? Math.min(100, Math.floor((p.bytesRead / p.bytesTotal) * 100)) : null;
			progressEl.setText(
				percent === null
					? t("import.readingCount", { count: p.conversations })
					: t("import.readingShare", { count: p.conversations, percent }),
			);
		};
		try {
			const p = await this.deps.preview(
				this.sources(),
				{
					provider: this.provider,
					...(this.limit !== undefined ? { limit: this.limit } : {}),
					llm: this.useLlm && this.deps.llmAvailable,
				},
				{ signal: run.signal, onProgress, keep },
			);
			if (run.signal.aborted) return;
			this.preview = p;
			this.reading = keep.usable ? { keep, files } : null;
			this.previewEl.empty();
			const providers = p.providers.map((x) => (isProvider(x) ? providerLabel(x) : x)).join(", ") || t("import.unknownProvider");
			this.previewEl.createDiv({ cls: "knowledge-etl-preview-provider", text: t("import.previewProvider", { providers }) });
			this.previewEl.createDiv({ cls: "knowledge-etl-preview-conversations", text: t("count.conversations", { count: p.conversations }) });
			this.previewEl.createDiv({
				cls: "knowledge-etl-preview-counts",
				text: t("import.previewCounts", { new: p.new, updated: p.updated, unchanged: p.unchanged }),
			});
			if (p.appended + p.preserved > 0)
				this.previewEl.createDiv({
					cls: "knowledge-etl-preview-edited",
					text: t("import.previewEdited", { appended: p.appended, preserved: p.preserved }),
				});
			if (p.failed > 0) this.previewEl.createDiv({ cls: "knowledge-etl-error-text", text: t("import.previewFailed", { count: p.failed }) });
			this.selected = new Set(p.items.map((c) => c.id));
			this.query = "";
			if (p.items.length > 0) this.renderChooser();
			this.startButton.setDisabled(this.selected.size === 0);
		} catch (e) {
			if (run.signal.aborted) return; // cancelled: resetPreview already said what to do next
			this.previewEl.empty();
			this.previewEl.createDiv({ cls: "knowledge-etl-error-text", text: e instanceof Error ? e.message : String(e) });
		} finally {
			if (this.previewRun === run) {
				this.previewRun = null;
				this.previewButton.setButtonText(t("import.preview")).setDisabled(this.files.length === 0);
			}
		}
	}

	/** The preview's conversations that match the search (title or id, case-insensitive). */
	matching(): PreviewConversation[] {
		const items = this.preview?.items ?? [];
		const q = this.query.trim().toLowerCase();
		return q === "" ? items : items.filter((c) => c.title.toLowerCase().includes(q) || c.id.toLowerCase().includes(q));
	}

	/** Search, select all (of what matches) and one row per conversation: title, date, messages, new / updated / unchanged. */
	private renderChooser(): void {
		const chooser = this.previewEl.createDiv({ cls: "knowledge-etl-chooser" });
		const bar = chooser.createDiv({ cls: "knowledge-etl-chooser-bar" });
		const search = bar.createEl("input", {
			cls: "knowledge-etl-chooser-search",
			attr: { type: "search", placeholder: t("import.search") },
		});
		search.addEventListener("input", () => {
			this.query = search.value;
			this.renderRows();
		});
		const all = bar.createEl("label", { cls: "knowledge-etl-chooser-all" });
		this.selectAllEl = all.createEl("input", { attr: { type: "checkbox" } });
		all.appendText(` ${t("import.selectAll")}`);
		this.selectAllEl.addEventListener("change", () => this.setMatching(this.selectAllEl?.checked ?? false));
		this.selectionEl = bar.createSpan({ cls: "knowledge-etl-chooser-count" });
		this.listEl = chooser.createDiv({ cls: "knowledge-etl-chooser-list" });
		this.renderRows();
	}

	/** Selects (or clears) every conversation that matches the search, shown or not. */
	setMatching(on: boolean): void {
		for (const c of this.matching()) {
			if (on) this.selected.add(c.id);
			else this.selected.delete(c.id);
		}
		this.renderRows();
	}

	private renderRows(): void {
		const list = this.listEl;
		if (!list || !this.preview) return;
		list.empty();
		const matching = this.matching();
		for (const c of matching.slice(0, MAX_ROWS)) {
			const row = list.createEl("label", { cls: "knowledge-etl-chooser-row" });
			const box = row.createEl("input", { attr: { type: "checkbox" } });
			box.checked = this.selected.has(c.id);
			box.addEventListener("change", () => {
				if (box.checked) this.selected.add(c.id);
				else this.selected.delete(c.id);
				this.updateSelection();
			});
			row.createSpan({ cls: "knowledge-etl-chooser-title", text: c.title || t("import.untitled") });
			row.createSpan({ cls: "knowledge-etl-chooser-date", text: c.time ? c.time.slice(0, 10) : t("import.noDate") });
			row.createSpan({ cls: "knowledge-etl-chooser-messages", text: t("count.messages", { count: c.messages }) });
			row.createSpan({ cls: `knowledge-etl-chooser-status is-${c.status}`, text: t(`import.status.${c.status}`) });
		}
		if (matching.length > MAX_ROWS)
			list.createDiv({ cls: "knowledge-etl-empty", text: t("import.moreRows", { count: matching.length - MAX_ROWS }) });
		if (matching.length === 0) list.createDiv({ cls: "knowledge-etl-empty", text: t("import.noMatch") });
		this.updateSelection();
	}

	private updateSelection(): void {
		const total = this.preview?.items.length ?? 0;
		this.selectionEl?.setText(t("import.selected", { selected: this.selected.size, total }));
		const matching = this.matching();
		if (this.selectAllEl) this.selectAllEl.checked = matching.length > 0 && matching.every((c) => this.selected.has(c.id));
		this.startButton?.setDisabled(this.selected.size === 0);
	}

	/** Starts the import in the background and closes the modal; the panel and status bar follow the run. */
	startImport(): void {
		if (this.files.length === 0 || (this.preview && this.selected.size === 0)) return;
		this.stopPreview();
		// Without a preview, or everything chosen: no selection recorded (the session takes the whole export).
		const preview = this.preview;
		const select =
			preview && this.selected.size < preview.items.length
				? { select: preview.items.filter((c) => this.selected.has(c.id)).map((c) => c.id) }
				: {};
		const prepared = this.sameFilesAsRead() ? this.reading?.keep.prepared() : null;
		const started = this.deps.start({
			sources: this.sources(),
			...(prepared ? { prepared } : {}),
			useLlm: this.useLlm && this.deps.llmAvailable,
			options: {
				provider: this.provider,
				outFolder: this.outFolder,
				dryRun: this.dryRun,
				inputs: this.files.map((f) => f.name),
				...select,
				...(this.limit !== undefined ? { limit: this.limit } : {}),
			},
		});
		if (!started) return;
		this.started = started;
		this.close();
	}

	/** Whether the files picked now are those the kept reading was read from, unchanged since. */
	private sameFilesAsRead(): boolean {
		const read = this.reading?.files;
		return (
			read !== undefined &&
			read.length === this.files.length &&
			read.every((r, i) => r.file === this.files[i] && r.file.size === r.size && r.file.lastModified === r.lastModified)
		);
	}
}

function formatBytes(n: number): string {
	if (n < 1024) return t("size.bytes", { n });
	if (n < 1024 * 1024) return t("size.kb", { n: (n / 1024).toFixed(1) });
	if (n < 1024 ** 3) return t("size.mb", { n: (n / 1024 / 1024).toFixed(1) });
	return t("size.gb", { n: (n / 1024 ** 3).toFixed(2) });
}
