import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { NodeByteSource } from "../src/cli/node-byte-source";
import { openExport } from "../src/core/import/extract/open-export";
import { draftNote } from "../src/core/import/transform/note-draft";
import { composeNote } from "../src/core/import/transform/render-note";

/**
 * The note floor: what the notes themselves cost, with none of an import's session, index, names, safety or threads.
 * The export read as the import reads it (openExport in one thread: streamed, split, parsed, each conversation
 * normalized), each conversation's note rendered and composed as the import does (draftNote, composeNote), its two
 * SHA-256 (the file id's over the body, the index's over the note) and one file written per note, named by its number.
 * Run as its own process, measured like the floor and the import. Prints one JSON line: `{conversations}`.
 * Usage: node note-floor.mjs <outDir> <conversations.json...>
 */
async function main(): Promise<number> {
	const [outDir, ...files] = process.argv.slice(2);
	if (outDir === undefined || files.length === 0) {
		process.stderr.write("usage: note-floor <outDir> <file...>\n");
		return 2;
	}
	mkdirSync(outDir, { recursive: true });
	const sources = await Promise.all(files.map((file) => NodeByteSource.open(file)));
	const reader = await openExport(sources);
	let n = 0;
	try {
		for await (const result of reader.conversations()) {
			if (!result.ok) continue;
			const draft = draftNote(result.conversation, "20260101_000000", { includeThinking: false });
			const name = `${n++}.md`;
			const fileId = createHash("sha256").update(draft.body).update(name).digest("hex").slice(0, 12);
			const note = composeNote({ ...draft.frontmatter, file_id: fileId }, draft.body);
			createHash("sha256").update(note).digest("hex");
			writeFileSync(`${outDir}/${name}`, note);
		}
	} finally {
		await reader.close();
		for (const source of sources) await source.close();
	}
	process.stdout.write(`${JSON.stringify({ conversations: n })}\n`);
	return 0;
}

process.exitCode = await main();
