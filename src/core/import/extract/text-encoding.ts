/**
 * Exports are UTF-8 JSON. A file saved as UTF-16 or UTF-32 (Windows editors and PowerShell's `>` do this) used to
 * be refused as "byte 0xff at byte 0"; this names the encoding from its first bytes: a byte-order mark, or the
 * zero bytes around an ASCII `[` / `{` that a BOM-less UTF-16/32 file starts with.
 */
export function nonUtf8Encoding(head: Uint8Array): string | null {
	const [a, b, c, d] = [head[0], head[1], head[2], head[3]];
	if (a === 0xff && b === 0xfe && c === 0 && d === 0) return "UTF-32 (little-endian)";
	if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return "UTF-32 (big-endian)";
	if (a === 0xff && b === 0xfe) return "UTF-16 (little-endian)";
	if (a === 0xfe && b === 0xff) return "UTF-16 (big-endian)";
	if (a !== undefined && a !== 0 && b === 0 && c === 0 && d === 0) return "UTF-32 (little-endian)";
	if (a === 0 && b === 0 && c === 0 && d !== undefined && d !== 0) return "UTF-32 (big-endian)";
	if (a !== undefined && a !== 0 && b === 0 && c !== undefined && c !== 0 && d === 0) return "UTF-16 (little-endian)";
	if (a === 0 && b !== undefined && b !== 0 && c === 0 && d !== undefined && d !== 0) return "UTF-16 (big-endian)";
	return null;
}

/** The message for such a file: what it is, and how to make it importable. */
export function nonUtf8Message(encoding: string): string {
	const name = encoding.startsWith("UTF-32") ? "UTF-32" : "UTF-16";
	return `the file is ${encoding} text, not UTF-8 as exports are: convert it (e.g. \`iconv -f ${name} -t UTF-8 in.json > out.json\`, or "Save with encoding: UTF-8" in an editor) and import it again`;
}
