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
}

export function conversationFacts(conversation: Conversation): ConversationFacts {
	return {
		id: conversation.id,
		title: conversation.title,
		messageCount: conversation.messages.length,
		hasContent: hasContent(conversation),
		time: conversation.updated ?? conversation.created,
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
