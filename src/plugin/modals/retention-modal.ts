import { Modal, Setting, type App } from "obsidian";
import { t } from "../i18n";

export interface RetentionModalDeps {
	/** The retention, in days. */
	days: number;
	/** The sessions kept for their undo data, as the panel names them (their time). */
	sessions: readonly string[];
	onDelete(): void;
}

/**
 * Retention found sessions older than the setting whose organize run can still be undone: they are kept until the
 * user says so. Names them; "Delete them" removes them (those runs can then not be undone), "Keep them" leaves them.
 */
export class RetentionModal extends Modal {
	/** True once the user chose to delete (for tests). */
	confirmed = false;

	constructor(
		app: App,
		private readonly deps: RetentionModalDeps,
	) {
		super(app);
	}

	override onOpen(): void {
		const { days, sessions } = this.deps;
		this.setTitle(t("retention.title"));
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-retention");
		contentEl.createEl("p", { text: t("retention.text", { count: sessions.length, days }) });
		const list = contentEl.createEl("ul", { cls: "knowledge-etl-retention-list" });
		for (const s of sessions) list.createEl("li", { text: t("retention.session", { time: s }) });
		new Setting(contentEl)
			.addButton((b) =>
				b
					.setButtonText(t("retention.delete"))
					.setWarning()
					.onClick(() => {
						this.confirmed = true;
						this.close();
						this.deps.onDelete();
					}),
			)
			.addButton((b) => b.setButtonText(t("retention.keep")).onClick(() => this.close()));
	}

	override onClose(): void {
		this.contentEl.empty();
	}
}
