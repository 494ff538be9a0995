import { Notice, SuggestModal, type App } from "obsidian";
import type { SessionChoice } from "../session-actions";

/** Lists sessions for resume or retry; choosing one runs `onChoose`. */
export class SessionPickerModal extends SuggestModal<SessionChoice> {
	constructor(
		app: App,
		private readonly choices: SessionChoice[],
		private readonly onChoose: (choice: SessionChoice) => void,
		placeholder: string,
	) {
		super(app);
		this.setPlaceholder(placeholder);
	}

	getSuggestions(query: string): SessionChoice[] {
		const q = query.trim().toLowerCase();
		return this.choices.filter((c) => c.label.toLowerCase().includes(q));
	}

	renderSuggestion(choice: SessionChoice, el: HTMLElement): void {
		el.createDiv({ text: choice.label });
	}

	onChooseSuggestion(choice: SessionChoice): void {
		this.onChoose(choice);
	}
}

/** One choice runs at once; several open the picker (newest first); none says so. */
export function pickSession(app: App, choices: SessionChoice[], none: string, placeholder: string, run: (c: SessionChoice) => void): void {
	const [only] = choices;
	if (!only) {
		new Notice(none);
		return;
	}
	if (choices.length === 1) {
		run(only);
		return;
	}
	new SessionPickerModal(app, choices, run, placeholder).open();
}
