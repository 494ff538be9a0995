/**
 * Everything the plugin needs beyond registering itself: the core engine (zod models, YAML, the zip reader, the
 * pipeline), the actions, the panel's model and drawing, the settings tab's body. `main.ts` imports this module
 * only with `import()`, which the bundler turns into a lazy module inside main.js: none of it is evaluated while
 * Obsidian loads the plugin, only when a command, the panel, the settings tab or the organize scan first needs it
 * (`KnowledgeEtlPlugin.engine()`). Nothing reachable from main.ts's static imports may import this file statically.
 */
export { parseSettings } from "../core/app/catalog";
export { createApp } from "../core/app/app";
export { createLogger } from "../core/app/ports";
export { RunController } from "./run-controller";
export { ReaderWorkers } from "./reader-worker";
export { confirmApplyOrganize } from "./commands/apply-organize-plan";
export { undoOrganizeChecked } from "./commands/undo-organize-session";
export { COMMANDS } from "./commands";
export { scanOrganizeTargets, targetsFromModel } from "./organize-actions";
export { continueSession, localTimeZone, retainSessions } from "./session-actions";
export { loadPanelModel, PanelFileCache } from "../core/app/views";
export { renderSessionPanel } from "./view/render-session-panel";
export { NORMALIZE_RULES } from "../core/app/catalog";
export { GenreSchema } from "../core/app/catalog";
export { isKnownTimeZone } from "../core/app/catalog";
export { listModels } from "../core/app/services";
export { RequestUrlHttpClient } from "./request-url-http-client";
export { migrateApiKey, readApiKey, writeApiKey, secretStorage } from "./secret-key";
