import type { ByteSource } from "../../ports/byte-source";
import type { StagingStore } from "../../ports/staging-store";
import { extractInputDir } from "../../session/paths";
import { sha256HexBytesAsync } from "../../util/sha256";
import type { ExportReader } from "../extract";
import { ImportSessionError } from "./import-errors";

/**
 * `extract/input/manifest.json`: what a session's inputs were, so that a resume can find them again (by the path
 * the host recorded) and refuse files that are not the same any more (size, first and last MiB).
 */
export const MANIFEST_FILE = "manifest.json";

/** The session's input is not what it began with (or is missing): the resume is refused, nothing is written. */
export class InputCheckError extends ImportSessionError {}

/**
 * What a resume compares an input with: its size, the SHA-256 of its first and last MiB, and a checksum of all of it
 * when the source computes one cheaply: its CRC-32 (sessions from before recorded its SHA-256 instead, which a resume
 * of one of them computes again). A change that keeps the size and both ends must then also keep the CRC-32 to pass
 * (odds of 1 in 2^32 for a change that is not made to); the CRC costs about a third of the SHA-256's CPU, which was
 * ~3% of an import's (issue 20).
 */
export interface InputFingerprint {
	name: string;
	size: number;
	head_sha256: string;
	tail_sha256: string;
	crc32?: string;
	sha256?: string;
	/** Where the host can open it again (a desktop path; absent for a browser File without one). */
	path?: string;
}

const MIB = 1024 * 1024;

export function manifestPath(sessionId: string): string {
	return `${extractInputDir(sessionId, "import")}/${MANIFEST_FILE}`;
}

/**
 * `whole`: which checksum of the whole input to take (when checking an input against a session's, the one it
 * recorded; null when it recorded none: the input is not read through for nothing).
 */
export async function fingerprint(source: ByteSource, whole: "crc32" | "sha256" | null = "crc32"): Promise<InputFingerprint> {
	return withChecksum(await endsOf(source), source, whole);
}

/** An input's fingerprint without a checksum of the whole: its size and the SHA-256 of its first and last MiB. */
async function endsOf(source: ByteSource): Promise<InputFingerprint> {
	const head = await source.read(0, Math.min(MIB, source.size));
	const headSha = await sha256HexBytesAsync(head);
	const tailStart = Math.max(0, source.size - MIB);
	const tailSha = tailStart === 0 ? headSha : await sha256HexBytesAsync(await source.read(tailStart, source.size - tailStart));
	return {
		name: source.name,
		size: source.size,
		head_sha256: headSha,
		tail_sha256: tailSha,
		...(source.path ? { path: source.path } : {}),
	};
}

/** `ends` (endsOf) with the whole input's `whole` checksum, when the source takes one (its fields in their order). */
async function withChecksum(ends: InputFingerprint, source: ByteSource, whole: "crc32" | "sha256" | null): Promise<InputFingerprint> {
	const checksum = whole === "crc32" ? source.crc32?.() : whole === "sha256" ? source.sha256?.() : undefined;
	const full = checksum ? await checksum.catch(() => undefined) : undefined;
	const { path, ...rest } = ends;
	return { ...rest, ...(full && whole ? { [whole]: full } : {}), ...(path !== undefined ? { path } : {}) };
}

/**
 * Writes the session's input manifest. Without `known` fingerprints (taken already: a preview of the same files), in
 * two steps, so that reading every input through for its checksum does not hold the import up (at 2,000
 * conversations, ~60 ms of wall before the first note, in the thread that writes the notes): first with each input's
 * size and the SHA-256 of its first and last MiB, then, once the checksums are taken (`checksummed`, which never
 * rejects: a failure is `onError`'s, and the manifest keeps the first step's fingerprints), again with them. A resume
 * of a session that stopped in between compares its inputs by size and both ends, as one from before checksums.
 * Every end of the run waits for `checksummed`, a cancel too (for a resume to find them): on a slow disk, the end of a
 * cancelled import may wait for the rest of the inputs to be read through.
 */
export async function writeManifest(
	store: StagingStore,
	sessionId: string,
	reader: ExportReader,
	sources: readonly ByteSource[] = [],
	known?: readonly InputFingerprint[],
	onError: (error: unknown) => void = () => undefined,
): Promise<{ checksummed: Promise<void> }> {
	const write = (fingerprints: readonly InputFingerprint[]): Promise<void> =>
		store.writeAtomic(
			manifestPath(sessionId),
			`${JSON.stringify({ inputs: reader.inputs, skipped: reader.skipped, fingerprints }, null, "\t")}\n`,
		);
	if (known) {
		await write(known);
		return { checksummed: Promise.resolve() };
	}
	const ends: InputFingerprint[] = [];
	for (const source of sources) ends.push(await endsOf(source));
	await write(ends);
	const checksum = async (): Promise<void> => {
		const whole: InputFingerprint[] = [];
		for (let i = 0; i < sources.length; i++) whole.push(await withChecksum(ends[i]!, sources[i]!, "crc32"));
		if (whole.some((print) => print.crc32 !== undefined)) await write(whole);
	};
	return {
		checksummed: checksum().catch((error: unknown) => {
			try {
				onError(error);
			} catch {
				// never a rejection nobody waits for yet
			}
		}),
	};
}

/** The inputs a session recorded (empty for a session from before fingerprints, or an unreadable manifest). */
export async function recordedInputs(store: StagingStore, sessionId: string): Promise<InputFingerprint[]> {
	const path = manifestPath(sessionId);
	if (!(await store.exists(path))) return [];
	try {
		const value = JSON.parse(await store.read(path)) as { fingerprints?: InputFingerprint[] };
		return Array.isArray(value.fingerprints)
			? value.fingerprints.filter((f) => typeof f?.name === "string" && typeof f.size === "number")
			: [];
	} catch {
		return []; // an unreadable manifest: the inputs cannot be compared (the run goes on as before)
	}
}

/** Why `source` is not the input recorded as `was`, or null when it is the same file. */
export async function inputDifference(was: InputFingerprint, source: ByteSource): Promise<string | null> {
	if (source.size !== was.size)
		return `changed (${was.size.toLocaleString("en-US")} bytes then, ${source.size.toLocaleString("en-US")} now)`;
	const now = await fingerprint(source, was.crc32 !== undefined ? "crc32" : was.sha256 !== undefined ? "sha256" : null);
	if (
		now.head_sha256 !== was.head_sha256 ||
		now.tail_sha256 !== was.tail_sha256 ||
		(now.crc32 && was.crc32 && now.crc32 !== was.crc32) ||
		(now.sha256 && was.sha256 && now.sha256 !== was.sha256)
	) {
		return "changed (same size, different content)";
	}
	return null;
}

/**
 * Refuses a resume whose inputs are not the files the session began with: one missing, or one whose size or
 * first/last MiB (or whole checksum, when both sides have it) differ. Sessions from before fingerprints were recorded
 * are not checked. Inputs are matched by name.
 */
export async function checkInputsUnchanged(store: StagingStore, sessionId: string, sources: readonly ByteSource[]): Promise<void> {
	const recorded = await recordedInputs(store, sessionId);
	if (recorded.length === 0) return;
	const byName = new Map(sources.map((source) => [source.name, source]));
	for (const was of recorded) {
		const source = byName.get(was.name);
		const why = source ? await inputDifference(was, source) : "is missing";
		if (why !== null) {
			throw new InputCheckError(
				`Cannot resume session ${sessionId}: the input "${was.name}" ${why} since the session began. Put the original file back, or start a new import of the new file.`,
			);
		}
	}
}
