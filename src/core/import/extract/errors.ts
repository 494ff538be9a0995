/**
 * A whole-input error: the input cannot be read as an export at all (truncated or non-JSON file, a
 * ".zip" that is not a zip, a zip with no conversations, an entry whose path escapes, an
 * unrecognised shape, a wrong provider override). The CLI maps it to exit code 2.
 */
export class InputError extends Error {
	override readonly name = "InputError";
	/** The input the error is about, as the user named it (for a zip entry: `archive.zip:entry`). */
	readonly file: string;
	/** What is wrong, without the file name (the message holds both). */
	readonly problem: string;

	constructor(file: string, problem: string, options?: { cause?: unknown }) {
		super(`${file}: ${problem}`, options);
		this.file = file;
		this.problem = problem;
	}
}

/** A structural error found while splitting a JSON array: the document as a whole is unusable from here on. */
export class JsonStreamError extends Error {
	override readonly name = "JsonStreamError";
	/** Byte offset in the document where the problem was found. */
	readonly offset: number;

	constructor(message: string, offset: number) {
		super(message);
		this.offset = offset;
	}
}
