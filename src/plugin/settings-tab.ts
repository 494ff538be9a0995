import type { NormalizeRule, Genre, LlmProvider, Settings } from "../core/app/types";
import { PluginSettingTab, Setting, type App } from "obsidian";
import type KnowledgeEtlPlugin from "./main";
import { t } from "./i18n";
import type { Engine } from "./main";

/** One row of the tab: drawn by `render` into a Setting that already carries the name and description. */
interface SettingRow {
	name: string;
	desc: string;
	render: (setting: Setting) => void;
}

interface SettingGroup {
	/** No heading for the first (general) group, as the guidelines ask. */
	heading: string | null;
	rows: SettingRow[];
}

/** The default output folder (the settings schema's default; the schema itself loads with the engine). */
const DEFAULT_OUT_FOLDER = "AI Conversations";

/** A model id as the provider's servers name them (an identifier, the same in every language). */
const EXAMPLE_MODEL: Record<LlmProvider, string> = { none: "", ollama: "llama3.1:8b", openai: "gpt-4o-mini" };

const PROVIDERS: readonly LlmProvider[] = ["none", "ollama", "openai"];

function providerOptions(): Record<LlmProvider, string> {
	return Object.fromEntries(PROVIDERS.map((p) => [p, t(`llmProvider.${p}`)])) as Record<LlmProvider, string>;
}

/** A whole number within bounds, or null. */
function parseIntIn(value: string, min: number, max: number): number | null {
	if (!/^\s*\d+\s*$/.test(value)) return null;
	const n = Number(value);
	return n >= min && n <= max ? n : null;
}

/**
 * The settings tab. minAppVersion is 1.7.2, so `display()` draws it imperatively; `getSettingDefinitions()`
 * (Obsidian 1.13+, used instead of display() there and for settings search) returns the same rows as
 * `render` definitions, so both paths draw the same controls from one list.
 */
export class KnowledgeEtlSettingTab extends PluginSettingTab {
	constructor(
		app: App,
		private readonly plugin: KnowledgeEtlPlugin,
	) {
		super(app, plugin);
	}

	private get settings(): Settings {
		return this.plugin.settings;
	}

	private save(change: (settings: Settings) => void): Promise<void> {
		return this.plugin.updateSettings(change);
	}

	/** The plugin's engine: the settings and their rules come with it (loaded at the latest when the tab opens). */
	private get engine(): Engine {
		const engine = this.plugin.loadedEngine;
		if (!engine) throw new Error("Knowledge ETL: the settings tab was drawn before the engine loaded");
		return engine;
	}

	display(): void {
		const { containerEl } = this;
		containerEl.empty();
		if (!this.plugin.loadedEngine) {
			containerEl.createDiv({ text: t("settings.loading") });
			void this.plugin.engine().then(() => this.display());
			return;
		}
		for (const group of this.groups()) {
			if (group.heading) new Setting(containerEl).setName(group.heading).setHeading();
			for (const row of group.rows) row.render(new Setting(containerEl).setName(row.name).setDesc(row.desc));
		}
	}

	/** Declarative definitions for Obsidian 1.13+ (same rows as display()). */
	getSettingDefinitions(): unknown[] {
		if (!this.plugin.loadedEngine) {
			void this.plugin.engine();
			return [];
		}
		return this.groups().map((group) => ({
			type: "group",
			...(group.heading ? { heading: group.heading } : {}),
			items: group.rows.map((row) => ({ name: row.name, desc: row.desc, render: row.render })),
		}));
	}

	/**
	 * The sections in the order a user meets them: Import, Knowledge notes (LLM) — its rows only once a provider is
	 * chosen —, Organize, Sessions, Advanced (debug mode last).
	 */
	private groups(): SettingGroup[] {
		const llm = this.settings.llm;
		const llmRows: SettingRow[] = [this.provider()];
		if (llm.provider !== "none") {
			llmRows.push(
				this.textRow(
					t("settings.url"),
					t("settings.urlDesc"),
					llm.provider === "ollama" ? "http://127.0.0.1:11434" : "https://api.openai.com",
					(s) => s.llm.url,
					(s, v) => (s.llm.url = v),
				),
			);
			if (llm.provider === "openai") llmRows.push(this.apiKey());
			llmRows.push(
				this.model(),
				this.numberRow(
					t("settings.concurrency"),
					t("settings.concurrencyDesc"),
					1,
					16,
					(s) => s.llm.concurrency,
					(s, v) => (s.llm.concurrency = v),
				),
				this.numberRow(
					t("settings.timeout"),
					t("settings.timeoutDesc"),
					1,
					3600,
					(s) => s.llm.timeoutSeconds,
					(s, v) => (s.llm.timeoutSeconds = v),
				),
				this.numberRow(
					t("settings.retries"),
					t("settings.retriesDesc"),
					0,
					10,
					(s) => s.llm.retries,
					(s, v) => (s.llm.retries = v),
				),
				this.textRow(
					t("settings.outputLanguage"),
					t("settings.outputLanguageDesc"),
					"auto",
					(s) => s.llm.outputLanguage,
					(s, v) => (s.llm.outputLanguage = v),
				),
				this.toggleRow(
					t("settings.includeTranscript"),
					t("settings.includeTranscriptDesc"),
					(s) => s.includeTranscript,
					(s, v) => (s.includeTranscript = v),
				),
			);
		}
		return [
			{
				heading: t("settings.import"),
				rows: [
					this.outputFolder(),
					this.attachments(),
					this.timeZone(),
					this.toggleRow(
						t("settings.datePrefix"),
						t("settings.datePrefixDesc"),
						(s) => s.datePrefix,
						(s, v) => (s.datePrefix = v),
					),
					this.toggleRow(
						t("settings.byProject"),
						t("settings.byProjectDesc"),
						(s) => s.byProject,
						(s, v) => (s.byProject = v),
					),
					this.toggleRow(
						t("settings.includeThinking"),
						t("settings.includeThinkingDesc"),
						(s) => s.includeThinking,
						(s, v) => (s.includeThinking = v),
					),
					this.toggleRow(
						t("settings.appendToEdited"),
						t("settings.appendToEditedDesc"),
						(s) => s.appendToEditedNotes,
						(s, v) => (s.appendToEditedNotes = v),
					),
				],
			},
			{ heading: t("settings.llm"), rows: llmRows },
			{
				heading: t("settings.organize"),
				rows: [
					this.genreTable(),
					this.textRow(
						t("settings.exclude"),
						t("settings.excludeDesc"),
						"",
						(s) => s.organizeExclude.join(", "),
						(s, v) =>
							(s.organizeExclude = v
								.split(",")
								.map((p) => p.trim())
								.filter((p) => p !== "")),
						true,
					),
					this.textRow(
						t("settings.genreParent"),
						t("settings.genreParentDesc"),
						"",
						(s) => s.organizeGenreParent,
						(s, v) => (s.organizeGenreParent = v),
						true,
					),
					this.textRow(
						t("settings.normalize"),
						t("settings.normalizeDesc", { rules: this.engine.NORMALIZE_RULES.join(", ") }),
						"",
						(s) => s.organizeNormalize.join(", "),
						(s, v) => {
							const known = v
								.split(",")
								.map((r) => r.trim().toLowerCase())
								.filter((r): r is NormalizeRule => (this.engine.NORMALIZE_RULES as readonly string[]).includes(r));
							s.organizeNormalize = known;
						},
						true,
					),
				],
			},
			{
				heading: t("settings.sessions"),
				rows: [
					this.numberRow(
						t("settings.retention"),
						t("settings.retentionDesc"),
						1,
						3650,
						(s) => s.retentionDays,
						(s, v) => (s.retentionDays = v),
					),
				],
			},
			{ heading: t("settings.advanced"), rows: [this.debugMode()] },
		];
	}

	/** Where files from the exports go: Obsidian's own setting, named here so nobody looks for one of ours. */
	private attachments(): SettingRow {
		return { name: t("settings.attachments"), desc: t("settings.attachmentsDesc"), render: () => undefined };
	}

	/**
	 * The model: a name typed, or picked from the server's list once "Test connection" fetched it. The test says in
	 * plain words what is wrong when it fails (nothing answers, no answer in time, key refused, not a model server).
	 */
	private model(): SettingRow {
		return {
			name: t("settings.model"),
			desc: t("settings.modelDesc"),
			render: (setting) => {
				let input: HTMLInputElement | null = null;
				setting.addText((text) => {
					input = text.inputEl;
					text.setPlaceholder(EXAMPLE_MODEL[this.settings.llm.provider]).setValue(this.settings.llm.model);
					text.inputEl.addClass("knowledge-etl-model-input");
					text.onChange((value) => void this.save((s) => (s.llm.model = value.trim())));
				});
				const result = setting.descEl.createDiv({ cls: "knowledge-etl-connection-result" });
				let picker: HTMLSelectElement | null = null;
				setting.addButton((b) =>
					b
						.setButtonText(t("settings.testConnection"))
						.setClass("knowledge-etl-test-connection")
						.onClick(async () => {
							b.setDisabled(true);
							result.removeClass("is-error", "is-ok");
							result.setText(t("settings.testing"));
							const llm = this.settings.llm;
							const outcome = await this.engine.listModels(new this.engine.RequestUrlHttpClient(), {
								provider: llm.provider === "ollama" ? "ollama" : "openai",
								url: llm.url,
								apiKey: this.engine.readApiKey(this.app, this.settings),
								timeoutMs: Math.min(10, llm.timeoutSeconds) * 1000,
							});
							b.setDisabled(false);
							if (!outcome.ok) {
								result.addClass("is-error");
								result.setText(t(`settings.test.${outcome.problem}`, { url: llm.url, status: outcome.status ?? "" }));
								return;
							}
							result.addClass("is-ok");
							const current = llm.model;
							const missing = current !== "" && !outcome.models.includes(current) && !outcome.models.includes(`${current}:latest`);
							result.setText(
								outcome.models.length === 0
									? t("settings.test.noModels")
									: missing
										? t("settings.test.okMissing", { count: outcome.models.length, model: current })
										: t("settings.test.ok", { count: outcome.models.length }),
							);
							picker?.remove();
							if (outcome.models.length === 0) return;
							setting.addDropdown((d) => {
								picker = d.selectEl;
								d.selectEl.addClass("knowledge-etl-model-picker");
								d.addOption("", t("settings.pickModel"));
								for (const m of outcome.models) d.addOption(m, m);
								d.setValue(outcome.models.includes(current) ? current : "");
								d.onChange((value) => {
									if (value === "") return;
									if (input) input.value = value;
									void this.save((s) => (s.llm.model = value));
								});
							});
						}),
				);
			},
		};
	}

	private debugMode(): SettingRow {
		return this.toggleRow(
			t("settings.debug"),
			t("settings.debugDesc"),
			(s) => s.debugMode,
			(s, v) => (s.debugMode = v),
		);
	}

	private outputFolder(): SettingRow {
		return this.textRow(
			t("settings.outFolder"),
			t("settings.outFolderDesc"),
			DEFAULT_OUT_FOLDER,
			(s) => s.outputFolder,
			(s, v) => (s.outputFolder = v),
		);
	}

	private provider(): SettingRow {
		return {
			name: t("settings.provider"),
			desc: t("settings.providerDesc"),
			render: (setting) => {
				setting.addDropdown((dropdown) =>
					dropdown
						.addOptions(providerOptions())
						.setValue(this.settings.llm.provider)
						.onChange((value) => {
							if (!(PROVIDERS as readonly string[]).includes(value)) return;
							// The model rows appear (or go) with the provider.
							void this.save((s) => (s.llm.provider = value as LlmProvider)).then(() => this.display());
						}),
				);
			},
		};
	}

	/** In Obsidian's secret storage where the running Obsidian has one (1.11.4+); data.json keeps only its name. */
	private apiKey(): SettingRow {
		const stored = this.engine.secretStorage(this.app) !== null;
		return {
			name: t("settings.apiKey"),
			desc: stored ? t("settings.apiKeySecretDesc") : t("settings.apiKeyDesc"),
			render: (setting) => {
				setting.addText((text) => {
					text.inputEl.type = "password";
					text.inputEl.autocomplete = "off";
					text.inputEl.addClass("knowledge-etl-api-key");
					// The key is never shown again: a saved one shows as a placeholder.
					const saved = this.engine.readApiKey(this.app, this.settings) !== "";
					text.setPlaceholder(saved ? t("settings.apiKeySaved") : "");
					text.onChange((value) => void this.save((s) => this.engine.writeApiKey(this.app, s, value.trim())));
				});
			},
		};
	}

	/** Empty: this computer's zone. A name the runtime does not know is marked invalid and not saved. */
	private timeZone(): SettingRow {
		return {
			name: t("settings.timeZone"),
			desc: t("settings.timeZoneDesc"),
			render: (setting) => {
				setting.addText((text) => {
					text.setPlaceholder(this.engine.localTimeZone()).setValue(this.settings.timeZone);
					text.onChange((value) => {
						const v = value.trim();
						const ok = v === "" || this.engine.isKnownTimeZone(v);
						text.inputEl.toggleClass("knowledge-etl-invalid", !ok);
						if (ok) void this.save((s) => (s.timeZone = v));
					});
				});
			},
		};
	}

	private toggleRow(name: string, desc: string, get: (s: Settings) => boolean, set: (s: Settings, v: boolean) => void): SettingRow {
		return {
			name,
			desc,
			render: (setting) => {
				setting.addToggle((toggle) => toggle.setValue(get(this.settings)).onChange((value) => void this.save((s) => set(s, value))));
			},
		};
	}

	/** A text setting; empty input is refused (marked invalid, not saved) unless `allowEmpty`. */
	private textRow(
		name: string,
		desc: string,
		placeholder: string,
		get: (s: Settings) => string,
		set: (s: Settings, v: string) => void,
		allowEmpty = false,
	): SettingRow {
		return {
			name,
			desc,
			render: (setting) => {
				setting.addText((text) => {
					text.setPlaceholder(placeholder).setValue(get(this.settings));
					text.onChange((value) => {
						const v = value.trim();
						const ok = allowEmpty || v !== "";
						text.inputEl.toggleClass("knowledge-etl-invalid", !ok);
						if (ok) void this.save((s) => set(s, v));
					});
				});
			},
		};
	}

	private numberRow(
		name: string,
		desc: string,
		min: number,
		max: number,
		get: (s: Settings) => number,
		set: (s: Settings, v: number) => void,
	): SettingRow {
		return {
			name,
			desc: t("settings.range", { desc, min, max }),
			render: (setting) => {
				setting.addText((text) => {
					text.inputEl.type = "number";
					text.inputEl.min = String(min);
					text.inputEl.max = String(max);
					text.setValue(String(get(this.settings)));
					text.onChange((value) => {
						const n = parseIntIn(value, min, max);
						text.inputEl.toggleClass("knowledge-etl-invalid", n === null);
						if (n !== null) void this.save((s) => set(s, n));
					});
				});
			},
		};
	}

	private genreTable(): SettingRow {
		return {
			name: t("settings.genres"),
			desc: t("settings.genresDesc"),
			render: (setting) => {
				const table = createDiv({ cls: "knowledge-etl-genre-table" });
				setting.settingEl.insertAdjacentElement("afterend", table);
				setting.addButton((b) =>
					b.setButtonText(t("settings.addGenre")).onClick(async () => {
						await this.save((s) => s.genres.push(this.newGenre(s.genres)));
						this.drawGenres(table);
					}),
				);
				this.drawGenres(table);
			},
		};
	}

	private newGenre(genres: Genre[]): Genre {
		let n = genres.length + 1;
		while (genres.some((g) => g.key === `genre-${n}`)) n++;
		return { key: `genre-${n}`, folder: t("settings.newGenreFolder", { n: String(n) }), description: "", keywords: [] };
	}

	/** Redraws only the genre rows (the rest of the tab stays as it is). */
	private drawGenres(table: HTMLElement): void {
		table.empty();
		// Column labels over the inputs (each input also carries its label for screen readers).
		const head = table.createDiv({ cls: "knowledge-etl-genre-head" });
		for (const key of ["settings.genreKey", "settings.genreFolder", "settings.genreDescription", "settings.genreKeywords"] as const) {
			head.createSpan({ cls: "knowledge-etl-genre-col", text: t(key) });
		}
		this.settings.genres.forEach((genre, index) => {
			const row = new Setting(table).setClass("knowledge-etl-genre-row");
			row.settingEl.setAttr("data-genre-key", genre.key);
			row.addText((text) => {
				text.setPlaceholder(t("settings.genreKey")).setValue(genre.key);
				text.inputEl.setAttr("aria-label", t("settings.genreKey"));
				text.inputEl.addClass("knowledge-etl-genre-key");
				text.onChange((value) => {
					const key = value.trim();
					const valid =
						this.engine.GenreSchema().shape.key.safeParse(key).success &&
						!this.settings.genres.some((g, i) => i !== index && g.key === key);
					text.inputEl.toggleClass("knowledge-etl-invalid", !valid);
					if (valid) void this.save((s) => this.editGenre(s, index, { key }));
				});
			});
			row.addText((text) => {
				text.setPlaceholder(t("settings.genreFolder")).setValue(genre.folder);
				text.inputEl.setAttr("aria-label", t("settings.genreFolder"));
				text.inputEl.addClass("knowledge-etl-genre-folder");
				text.onChange((value) => {
					const folder = value.trim().replace(/^\/+|\/+$/g, "");
					text.inputEl.toggleClass("knowledge-etl-invalid", folder === "");
					if (folder !== "") void this.save((s) => this.editGenre(s, index, { folder }));
				});
			});
			row.addText((text) => {
				text.setPlaceholder(t("settings.genreDescription")).setValue(genre.description);
				text.inputEl.addClass("knowledge-etl-genre-description");
				text.inputEl.setAttr("aria-label", t("settings.genreDescription"));
				text.onChange((value) => void this.save((s) => this.editGenre(s, index, { description: value.trim() })));
			});
			row.addText((text) => {
				text.setPlaceholder(t("settings.genreKeywordsHint")).setValue(genre.keywords.join(", "));
				text.inputEl.setAttr("aria-label", t("settings.genreKeywords"));
				text.inputEl.addClass("knowledge-etl-genre-keywords");
				text.onChange((value) => {
					const keywords = value
						.split(",")
						.map((k) => k.trim())
						.filter((k) => k !== "");
					void this.save((s) => this.editGenre(s, index, { keywords }));
				});
			});
			row.addExtraButton((b) =>
				b
					.setIcon("trash")
					.setTooltip(t("settings.removeGenre"))
					.setDisabled(this.settings.genres.length <= 1)
					.onClick(async () => {
						if (this.settings.genres.length <= 1) return;
						await this.save((s) => s.genres.splice(index, 1));
						this.drawGenres(table);
					}),
			);
		});
	}

	private editGenre(s: Settings, index: number, change: Partial<Genre>): void {
		const genre = s.genres[index];
		if (genre) s.genres[index] = { ...genre, ...change };
	}
}
