/**
 * What the panel's buttons do. The plugin passes its own object; until the pipeline commands exist these are
 * no-ops (the lead wires resume/retry/cancel to the session runner).
 */
export interface PanelHandlers {
	onResume(sessionId: string): void | Promise<void>;
	onRetry(sessionId: string): void | Promise<void>;
	onCancel(sessionId: string): void | Promise<void>;
	onOpenNote(path: string): void | Promise<void>;
	onCopyError(text: string): void | Promise<void>;
	/** A session row was clicked. */
	onSelect(sessionId: string): void | Promise<void>;
}

export function noopPanelHandlers(): PanelHandlers {
	return {
		onResume: () => undefined,
		onRetry: () => undefined,
		onCancel: () => undefined,
		onOpenNote: () => undefined,
		onCopyError: () => undefined,
		onSelect: () => undefined,
	};
}
