/** The LLM port: one chat call, and a preflight check run once before the first item. */

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

export interface ChatOptions {
	signal?: AbortSignal;
}

export interface ChatReply {
	/** The reply text; never empty or whitespace-only (that is an `EmptyResponseError`). */
	content: string;
	promptTokens?: number;
	completionTokens?: number;
}

export interface LlmClient {
	/** A short, loggable name such as `ollama http://localhost:11434` (never holds the API key). */
	readonly label: string;
	readonly model: string;
	/**
	 * The settings besides the model that change a reply (temperature, reply length), as one stable string: part
	 * of the key of saved replies, so that changing them calls the model again. Absent = none.
	 */
	readonly settings?: string;
	/** Checks the server answers and offers the model; throws `LlmUnavailableError` with what to do if not. */
	preflight(): Promise<void>;
	/** One chat call, with our own timeout and the retry policy applied. */
	chat(messages: ChatMessage[], opts?: ChatOptions): Promise<ChatReply>;
}
