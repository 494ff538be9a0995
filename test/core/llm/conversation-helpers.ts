import type { Conversation, Message, Part } from "../../../src/core/model/conversation";

export function msg(id: string, role: "user" | "assistant", ...parts: (string | Part)[]): Message {
	return { id, role, time: null, parts: parts.map((p) => (typeof p === "string" ? { kind: "text" as const, text: p } : p)) };
}

export function conversation(messages: Message[], extra: Partial<Conversation> = {}): Conversation {
	return {
		id: "conv-1",
		provider: "claude",
		title: "Test chat",
		created: "2024-05-01T10:00:00Z",
		updated: null,
		models: [],
		messages,
		...extra,
	};
}

/** `n` alternating messages, each `size` characters of text naming its index. */
export function longConversation(n: number, size: number): Conversation {
	const messages: Message[] = [];
	for (let i = 0; i < n; i++) {
		const head = `message ${i} `;
		messages.push(msg(`m${i}`, i % 2 === 0 ? "user" : "assistant", head + "x".repeat(Math.max(0, size - head.length))));
	}
	return conversation(messages);
}
