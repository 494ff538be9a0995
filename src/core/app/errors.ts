/** The errors a host tells apart (to choose an exit code, or a message). */
export { InputError } from "../import/extract/errors";
export { ImportSessionError } from "../import/pipeline/import-session";
export { LlmUnavailableError } from "../llm/errors";
export { OrganizeSessionError } from "../organize/organize-session";
export { InvalidSessionIdError, RunCancelledError, SessionFileError, SessionNotFoundError } from "../session/errors";
export { VaultLockedError } from "../session/vault-lock";
export { NetworkError, TimeoutError } from "../retry/errors";
