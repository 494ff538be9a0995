import { Modal, Setting, type App } from "obsidian";
import type { PlanCounts } from "../../core/organize/plan";

export interface ConfirmApplyDeps {
	/** The session's time, as the panel shows it. */
	sessionTime: string;
	/** The organised folder; "" for the whole vault. */
	folder: string;
	counts: PlanCounts;
	/** How many notes and folders change (stated for the whole vault). */
	size?: { notes: number; folders: number };
	onConfirm(): void;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Apply organize plan": says what will change (how many notes move, how many are edited) before anything does. */
export class ConfirmApplyModal extends Modal {
	/** True once the user chose Apply (for tests). */
	confirmed = false;

	constructor(
		app: App,
		private readonly deps: ConfirmApplyDeps,
	) {
		super(app);
	}

	override onOpen(): void {
		const { counts, folder, sessionTime } = this.deps;
		this.setTitle("Apply organize plan");
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-confirm-apply");
		contentEl.createEl("p", {
			cls: "knowledge-etl-confirm-text",
			text:
				`${plural(counts.moves, "note", "notes")} will move and ${plural(counts.edits, "note", "notes")} will be edited ` +
				`(${folder === "" ? "whole vault" : `folder "${folder}"`}, plan of session ${sessionTime}).`,
		});
		if (folder === "" && this.deps.size) {
			contentEl.createEl("p", {
				cls: "knowledge-etl-confirm-text",
				text: `This organizes the whole vault: ${plural(this.deps.size.notes, "note", "notes")} in ${plural(this.deps.size.folders, "folder", "folders")} will change.`,
			});
		}
		const extra: string[] = [];
		if (counts.review > 0) extra.push(`${counts.review} go to the review folder`);
		if (counts.dust > 0) extra.push(`${counts.dust} go to the dust folder (nothing is deleted)`);
		if (counts.conflicts > 0) extra.push(`${plural(counts.conflicts, "name conflict is", "name conflicts are")} settled as planned`);
		if (extra.length > 0) contentEl.createEl("p", { cls: "knowledge-etl-confirm-detail", text: `Of these, ${extra.join("; ")}.` });
		contentEl.createEl("p", {
			cls: "knowledge-etl-confirm-detail",
			text:
				'Obsidian updates the links to moved notes (setting "Automatically update internal links"). A note edited since the plan is left alone. ' +
				'"Undo organize session" reverses the changes.',
		});
		new Setting(contentEl)
			.addButton((b) =>
				b
					.setButtonText("Apply")
					.setCta()
					.onClick(() => {
						this.confirmed = true;
						this.close();
						this.deps.onConfirm();
					}),
			)
			.addButton((b) => b.setButtonText("Cancel").onClick(() => this.close()));
	}

	override onClose(): void {
		this.contentEl.empty();
	}
}
