/**
 * The ports a host implements (its staging store, note vault, byte sources, HTTP, hashes), the clock and loggers,
 * and the errors its adapters throw. Light on purpose: the plugin's registration code imports from here while
 * Obsidian loads it, so nothing here may pull in the engine (zod, YAML, the pipeline).
 */
export { systemClock, type Clock } from "../ports/clock";
export { silentLogger, type Logger } from "../ports/logger";
export { createLogger, type DebugLogger } from "../logging/logger";
export type { ByteSource } from "../ports/byte-source";
export type { HttpClient, HttpRequest, HttpResponse } from "../ports/http";
export type { MadeNoteParts, NoteStat, NoteVault } from "../ports/note-vault";
export type { Sha256Text } from "../ports/sha256";
export type { StagingStore, StagingWriteOptions } from "../ports/staging-store";
export type { HostIdentity } from "../session/vault-lock";
export { NetworkError, TimeoutError } from "../retry/errors";
