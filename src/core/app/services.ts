/** Core functions a host calls outside a run: a model client, an import preview, a frontmatter edit (Node vault). */
export { createLlmClient } from "../llm/create-llm-client";
export { previewSources } from "../import/pipeline/preview-import";
export { PreviewReading } from "../import/pipeline/preview-reading";
export { editFrontmatter } from "../notes/frontmatter";
export { listModels } from "../llm/list-models";
export { inputDifference, recordedInputs } from "../import/pipeline/input-manifest";
// The plugin's re-pick of a resume's inputs reads phase.json itself; it belongs behind the service (an app verb).
export { PhaseManager } from "../session/phase-manager";
// Whether a session kept its conversations (ImportOptions.keepConversations): the plugin's resume then needs no input.
export { recordedImportOptions } from "./session-files";
