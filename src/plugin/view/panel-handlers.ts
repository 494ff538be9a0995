/**
 * What the panel's buttons do. The plugin starts from `noopPanelHandlers()` and wires resume, retry, cancel,
 * open note, copy error, apply and undo in `onload`; the session view wraps select and show-all-moves.
 */
export interface PanelHandlers {
	onResume(sessionId: string): void | Promise<void>;
	onRetry(sessionId: string): void | Promise<void>;
	onCancel(sessionId: string): void | Promise<void>;
	onOpenNote(path: string): void | Promise<void>;
	onCopyError(text: string): void | Promise<void>;
	/** A session row was clicked. */
	onSelect(sessionId: string): void | Promise<void>;
	/** "Apply" on a session's organize plan (the plugin asks for confirmation first). */
	onApplyOrganize(sessionId: string): void | Promise<void>;
	/** "Undo" on an applied organize session. */
	onUndoOrganize(sessionId: string): void | Promise<void>;
	/** "Show all moves" of a plan (the view redraws with the whole list). */
	onShowAllMoves(sessionId: string): void | Promise<void>;
	/** The toolbar (and the welcome's button): open the import dialog. */
	onImport(): void | Promise<void>;
	/** The toolbar: pick a folder to organize. */
	onOrganize(): void | Promise<void>;
	/** The toolbar: remove sessions older than the retention setting. */
	onClean(): void | Promise<void>;
}

export function noopPanelHandlers(): PanelHandlers {
	return {
		onResume: () => undefined,
		onRetry: () => undefined,
		onCancel: () => undefined,
		onOpenNote: () => undefined,
		onCopyError: () => undefined,
		onSelect: () => undefined,
		onApplyOrganize: () => undefined,
		onUndoOrganize: () => undefined,
		onShowAllMoves: () => undefined,
		onImport: () => undefined,
		onOrganize: () => undefined,
		onClean: () => undefined,
	};
}
