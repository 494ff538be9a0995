/**
 * The LLM server cannot be used at all (not running, model missing, key rejected). Thrown by preflight and when
 * a call shows the model is gone; the run stops before (or at) the next item and the CLI exits with code 3.
 * The message says what to do; it never contains the API key.
 */
export class LlmUnavailableError extends Error {
	override readonly name = "LlmUnavailableError";
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
	}
}
