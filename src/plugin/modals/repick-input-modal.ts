import { Modal, Setting, type App } from "obsidian";
import { inputDifference } from "../../core/app/services";
import type { InputFingerprint, ByteSource } from "../../core/app/types";
import { sessionTimeLabel } from "../../core/app/views";
import { BlobByteSource } from "../blob-byte-source";
import { t } from "../i18n";

function sizeText(bytes: number): string {
	if (bytes < 1024) return `${bytes} bytes`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
	return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

/**
 * "Pick the export again": a resume whose export cannot be reopened by itself (a restart, no path on this
 * platform, or the file moved) names the file it expects and takes a picked one only when it is that file (same
 * size, same first and last MiB); anything else is refused in the dialog, which stays open.
 */
export class RepickInputModal extends Modal {
	private settled = false;
	private errorEl!: HTMLElement;

	constructor(
		app: App,
		private readonly sessionId: string,
		private readonly expected: InputFingerprint,
		private readonly done: (source: ByteSource | null) => void,
	) {
		super(app);
	}

	override onOpen(): void {
		this.setTitle(t("repick.title"));
		const { contentEl } = this;
		contentEl.addClass("knowledge-etl-repick");
		contentEl.createEl("p", {
			cls: "knowledge-etl-repick-text",
			text: t("repick.text", { time: sessionTimeLabel(this.sessionId), name: this.expected.name, size: sizeText(this.expected.size) }),
		});
		const input = contentEl.createEl("input", { cls: "knowledge-etl-repick-input", attr: { type: "file" } });
		input.addClass("knowledge-etl-hidden");
		input.addEventListener("change", () => {
			const file = input.files?.[0];
			input.value = "";
			if (file) void this.check(file);
		});
		this.errorEl = contentEl.createDiv({ cls: "knowledge-etl-error-text" });
		new Setting(contentEl)
			.addButton((b) =>
				b
					.setButtonText(t("repick.choose", { name: this.expected.name }))
					.setCta()
					.setClass("knowledge-etl-repick-button")
					.onClick(() => input.click()),
			)
			.addButton((b) => b.setButtonText(t("button.cancel")).onClick(() => this.close()));
	}

	/** Takes `file` when it is the expected export (it is read as the session named it); says why not otherwise. */
	async check(file: File): Promise<boolean> {
		const source = new BlobByteSource(file, this.expected.name);
		const why = await inputDifference(this.expected, source);
		if (why !== null) {
			this.errorEl.setText(t("repick.wrong", { file: file.name, why: why.replace("changed", "differs") }));
			return false;
		}
		this.finish(source);
		this.close();
		return true;
	}

	private finish(source: ByteSource | null): void {
		if (this.settled) return;
		this.settled = true;
		this.done(source);
	}

	override onClose(): void {
		this.contentEl.empty();
		this.finish(null);
	}
}

/** Asks for the input `expected` of `sessionId` again; null when the user closes the dialog without it. */
export function pickInputAgain(app: App, sessionId: string, expected: InputFingerprint): Promise<ByteSource | null> {
	return new Promise((resolve) => new RepickInputModal(app, sessionId, expected, resolve).open());
}
