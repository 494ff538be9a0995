/**
 * The key of a conversation in as-written.ts's map of source times (also read by the reader thread, which must not
 * pull in the rest of the load code: this file imports nothing).
 */
export function conversationKey(provider: string, sourceId: string): string {
	return `${provider}\u0000${sourceId}`;
}
