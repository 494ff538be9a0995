import { codeLineState, splitLines } from "./markdown-regions";

/**
 * Cleans a note body:
 * - trailing spaces and tabs are trimmed and runs of blank lines collapse to one blank line (three or more line
 *   breaks in a row become two), both only outside fenced code blocks;
 * - fenced code blocks are kept byte for byte (an unclosed fence runs to the end of the note);
 * - the note ends with exactly one line break (in the note's own line-ending style).
 * Idempotent: `cleanContent(cleanContent(x)) === cleanContent(x)`.
 */
export function cleanContent(body: string, eol: "\n" | "\r\n" = "\n"): string {
	const lines = splitLines(body);
	const { flags: inCode, openAtEnd: endsInOpenCode } = codeLineState(lines);
	const out: string[] = [];
	let blankRun = 0;
	for (const [index, line] of lines.entries()) {
		if (inCode[index]) {
			blankRun = 0;
			out.push(line.text + line.eol);
			continue;
		}
		const text = line.text.replace(/[ \t]+$/, "");
		if (text === "") {
			blankRun++;
			if (blankRun > 1) continue;
		} else {
			blankRun = 0;
		}
		out.push(text + (line.eol === "" ? eol : line.eol));
	}
	// Drop trailing blank lines (outside code) so the note ends with exactly one line break.
	if (!endsInOpenCode) {
		while (out.length > 0 && /^\r?\n$/.test(out[out.length - 1]!)) out.pop();
	}
	if (out.length === 0) return "";
	const last = out[out.length - 1]!;
	if (!last.endsWith("\n")) out[out.length - 1] = last + eol;
	return out.join("");
}
