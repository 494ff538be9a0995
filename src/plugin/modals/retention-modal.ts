import { Modal, Setting, type App } from "obsidian";

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
		this.setTitle("Old sessions with undo data");
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-retention");
		contentEl.createEl("p", {
			text: `${sessions.length === 1 ? "This session is" : `These ${sessions.length} sessions are`} older than ${days} days, but ${sessions.length === 1 ? "its" : "their"} organize run can still be undone. Deleting ${sessions.length === 1 ? "it" : "them"} keeps every note as it is now and removes the way back.`,
		});
		const list = contentEl.createEl("ul", { cls: "knowledge-etl-retention-list" });
		for (const s of sessions) list.createEl("li", { text: `Session ${s}` });
		new Setting(contentEl)
			.addButton((b) =>
				b
					.setButtonText("Delete them")
					.setWarning()
					.onClick(() => {
						this.confirmed = true;
						this.close();
						this.deps.onDelete();
					}),
			)
			.addButton((b) => b.setButtonText("Keep them").onClick(() => this.close()));
	}

	override onClose(): void {
		this.contentEl.empty();
	}
}
