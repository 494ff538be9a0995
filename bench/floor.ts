import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The floor: the least work an import can do, run as its own process so it is measured like the import.
 * Reads each file whole, JSON.parse, one file written per conversation. Prints one JSON line:
 * `{conversations, bytes}` or `{error}` (exit 3) when it cannot (a file past V8's string limit).
 * Usage: node floor.mjs <outDir> <conversations.json...>
 */
function main(): number {
	const [outDir, ...files] = process.argv.slice(2);
	if (outDir === undefined || files.length === 0) {
		process.stderr.write("usage: floor <outDir> <file...>\n");
		return 2;
	}
	mkdirSync(outDir, { recursive: true });
	let n = 0;
	let bytes = 0;
	try {
		for (const file of files) {
			const text = readFileSync(file, "utf8");
			bytes += Buffer.byteLength(text);
			const conversations = JSON.parse(text) as unknown[];
			for (const c of conversations) writeFileSync(`${outDir}/${n++}.json`, JSON.stringify(c));
		}
	} catch (e) {
		const error = e instanceof Error ? `${(e as Error & { code?: string }).code ?? e.name}: ${e.message}` : String(e);
		process.stdout.write(`${JSON.stringify({ error, conversations: n })}\n`);
		return 3;
	}
	process.stdout.write(`${JSON.stringify({ conversations: n, bytes })}\n`);
	return 0;
}

process.exitCode = main();
