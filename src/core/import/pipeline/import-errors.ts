/** The session is busy or in a state that cannot go on (its inputs changed, none given, no such phase). */
export class ImportSessionError extends Error {
	override readonly name = "ImportSessionError";
}
