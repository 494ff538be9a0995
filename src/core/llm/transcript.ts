import type { Conversation, Message, Part } from "../model/conversation";
import { backtickFence } from "../import/transform/markdown-safety";

/**
 * The plain transcript of a conversation that the model reads: one block per message, headed `[User]` or
 * `[Assistant]`, text as written, code in fences (long enough never to clash with backticks inside), attachments
 * with their extracted text, tool calls and results as one-line summaries. Model reasoning (`thinking`) is left
 * out: it is not part of what was said.
 */

export const TRANSCRIPT_SEPARATOR = "\n\n";

const ROLE_LABEL: Record<Message["role"], string> = { user: "[User]", assistant: "[Assistant]" };

/** A fence of backticks longer than any backtick run in `text` (at least three): the notes' own rule. */
export { backtickFence as fenceFor };

function fenced(language: string, code: string): string {
	const fence = backtickFence(code);
	const body = code.endsWith("\n") ? code.slice(0, -1) : code;
	return `${fence}${language}\n${body}\n${fence}`;
}

export function renderPart(part: Part): string | undefined {
	switch (part.kind) {
		case "text": {
			const text = part.text.trim();
			return text === "" ? undefined : text;
		}
		case "code":
			return fenced(part.language, part.code);
		case "attachment": {
			const head = `[Attachment: ${part.name}${part.mimeType ? ` (${part.mimeType})` : ""}]`;
			if (part.extractedText !== undefined && part.extractedText.trim() !== "") {
				return `${head}\n${fenced("", part.extractedText)}`;
			}
			return part.missing ? `${head} (content not in the export)` : head;
		}
		case "tool_call": {
			const head = `[Tool call: ${part.name}] ${part.summary}`.trimEnd();
			// Code sent to a tool (the code interpreter) is part of what was said: whole, fenced.
			return part.input !== undefined && part.input.trim() !== "" ? `${head}\n${fenced(part.language ?? "", part.input)}` : head;
		}
		case "tool_result":
			return `[Tool result${part.name ? `: ${part.name}` : ""}${part.isError ? ", error" : ""}] ${part.summary}`.trimEnd();
		case "thinking":
			return undefined;
		case "unknown":
			return `[Unsupported block: ${part.blockType}]${part.summary ? ` ${part.summary}` : ""}`;
	}
}

/** The body of one message (without its role label); empty when nothing in it is shown. */
export function renderMessageBody(message: Message): string {
	const out: string[] = [];
	for (const part of message.parts) {
		const text = renderPart(part);
		if (text !== undefined) out.push(text);
	}
	return out.join("\n\n");
}

export function roleLabel(role: Message["role"]): string {
	return ROLE_LABEL[role];
}

/** One message as a transcript block, or undefined when it has nothing to show. */
export function renderMessage(message: Message): string | undefined {
	const body = renderMessageBody(message);
	return body === "" ? undefined : `${ROLE_LABEL[message.role]}\n${body}`;
}

/** The whole conversation as a transcript. */
export function buildTranscript(conversation: Pick<Conversation, "messages">): string {
	const blocks: string[] = [];
	for (const message of conversation.messages) {
		const block = renderMessage(message);
		if (block !== undefined) blocks.push(block);
	}
	return blocks.join(TRANSCRIPT_SEPARATOR);
}
