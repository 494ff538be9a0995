/**
 * What the CLI's reader thread runs (see cli/extract-thread): the export reader, and the drafts it renders there
 * so that parsing and writing use two cores.
 */
export { openExport } from "../import/extract/open-export";
export { draftNote } from "../import/transform/note-draft";
export { conversationFacts } from "../model/conversation-facts";
