import { Modal, Setting, type App } from "obsidian";
import type { PlanCounts } from "../../core/app/types";
import { t } from "../i18n";

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
		this.setTitle(t("confirm.title"));
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-confirm-apply");
		contentEl.createEl("p", {
			cls: "knowledge-etl-confirm-text",
			text: t("confirm.summary", {
				moving: t("count.notes", { count: counts.moves }),
				edited: t("count.notes", { count: counts.edits }),
				where: folder === "" ? t("confirm.wholeVault") : t("confirm.folder", { folder }),
				time: sessionTime,
			}),
		});
		if (folder === "" && this.deps.size) {
			contentEl.createEl("p", {
				cls: "knowledge-etl-confirm-text",
				text: t("confirm.wholeVaultSize", {
					notes: t("count.notes", { count: this.deps.size.notes }),
					folders: t("count.folders", { count: this.deps.size.folders }),
				}),
			});
		}
		const extra: string[] = [];
		if (counts.review > 0) extra.push(t("confirm.review", { count: counts.review }));
		if (counts.dust > 0) extra.push(t("confirm.dust", { count: counts.dust }));
		if (counts.conflicts > 0) extra.push(t("confirm.conflicts", { count: counts.conflicts }));
		if (extra.length > 0)
			contentEl.createEl("p", {
				cls: "knowledge-etl-confirm-detail",
				text: t("confirm.ofThese", { list: extra.join(t("list.separator")) }),
			});
		contentEl.createEl("p", { cls: "knowledge-etl-confirm-detail", text: t("confirm.links") });
		new Setting(contentEl)
			.addButton((b) =>
				b
					.setButtonText(t("button.apply"))
					.setCta()
					.onClick(() => {
						this.confirmed = true;
						this.close();
						this.deps.onConfirm();
					}),
			)
			.addButton((b) => b.setButtonText(t("button.cancel")).onClick(() => this.close()));
	}

	override onClose(): void {
		this.contentEl.empty();
	}
}
