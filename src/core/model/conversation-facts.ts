import type { Conversation } from "./conversation";

/**
 * What the extract stage needs of a conversation: enough to log it and decide whether it is skipped. A reader in
 * another thread sends it with the conversation's JSON line, so that the import does not parse the conversation
 * back unless a stage uses it (the deterministic transform of a drafted conversation does not).
 */
export interface ConversationFacts {
	id: string;
	title: string;
	messageCount: number;
	/** Some message has a non-blank text, thinking or code part, or any other part. */
	hasContent: boolean;
	/** When it was last updated (else created), ISO; null when the export has no time. For `since`. */
	time?: string | null;
	/** Whose conversation it is and when the source last updated it (null: not said), for a re-import's early "unchanged". */
	provider?: Conversation["provider"];
	updated?: string | null;
	/**
	 * Some message has an attachment the note may bring a file into the vault for (an artifact, or one that names a
	 * file of the export: see DraftFileCollector.tokenFor): never decided before rendering. An attachment known only
	 * by its name and extracted text is rendered as text, as any other part.
	 */
	attachments?: boolean;
}

export function conversationFacts(conversation: Conversation): ConversationFacts {
	return {
		id: conversation.id,
		title: conversation.title,
		messageCount: conversation.messages.length,
		hasContent: hasContent(conversation),
		time: conversation.updated ?? conversation.created,
		provider: conversation.provider,
		updated: conversation.updated,
		attachments: conversation.messages.some((m) =>
			m.parts.some((p) => p.kind === "attachment" && (p.artifact !== undefined || p.ref !== undefined || p.pointer !== undefined)),
		),
	};
}

function hasContent(conversation: Conversation): boolean {
	return conversation.messages.some((m) =>
		m.parts.some((p) => {
			switch (p.kind) {
				case "text":
				case "thinking":
					return p.text.trim() !== "";
				case "code":
					return p.code.trim() !== "";
				default:
					return true;
			}
		}),
	);
}
