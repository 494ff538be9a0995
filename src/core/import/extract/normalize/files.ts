/** `conversations.json` or `conversations-NNN.json` (a split export), at a zip's root or in one folder: Claude, ChatGPT, DeepSeek. */
export const CONVERSATION_FILES = /^(?:[^/]+\/)?conversations(?:-\d+)?\.json$/i;
