import * as z from "../model/zod";
import type { StagingStore } from "../ports/staging-store";
import { SessionFileError } from "./errors";

/** Reads and validates a JSON file; any failure is a SessionFileError naming the file and the field. */
export async function readJsonFile<S extends z.ZodMiniType>(store: StagingStore, path: string, schema: S): Promise<z.infer<S>> {
	const text = await store.read(path);
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (e) {
		const detail = text.trim() === "" ? "file is empty" : `invalid JSON (${e instanceof Error ? e.message : String(e)})`;
		throw new SessionFileError(path, null, detail);
	}
	const parsed = schema.safeParse(raw, z.FEW_PARSES);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
		throw new SessionFileError(path, field, issue?.message ?? "does not match the schema");
	}
	return parsed.data;
}

/** Pretty-printed JSON, written atomically (temp file + rename). */
export async function writeJsonFile(store: StagingStore, path: string, value: unknown): Promise<void> {
	await store.writeAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
