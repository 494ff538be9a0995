/** What the hosts offer the user to choose from, and how they read the choices: sources, defaults, rules, zones. */
export { PROVIDER_MODULES, providerLabel } from "../import/extract/normalize/registry";
export { isProvider, PROVIDER_IDS } from "../model/providers";
export { DEFAULT_OUT_FOLDER } from "../import/pipeline/import-options";
export { isKnownTimeZone, sinceInstant } from "../import/transform/note-time";
export { NORMALIZE_RULES } from "../organize/normalize-frontmatter";
export { GenreSchema } from "../organize/genres";
export { parseSettings } from "../config/settings";
