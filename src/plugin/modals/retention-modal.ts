import { Modal, Setting, type App } from "obsidian";
import { t } from "../i18n";

export interface RetentionModalDeps {
	/** The retention, in days. */
	days: number;
	/** The sessions kept for their undo data, as the panel names them (their time). */
	sessions: readonly string[];
	onDelete(): void;
	/** "Keep them": these sessions are not asked about again. */
	onKeep(): void;
}

/**
 * Retention found sessions older than the setting whose organize run can still be undone: they are kept until the
 * user says so. Names them; "Delete them" removes them (those runs can then not be undone), "Keep them" leaves them and is
 * remembered: retention does not ask about them again (the panel can still delete each).
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
			.addButton((b) =>
				b.setButtonText(t("retention.keep")).onClick(() => {
					this.close();
					this.deps.onKeep();
				}),
			);
	}

	override onClose(): void {
		this.contentEl.empty();
	}
}
