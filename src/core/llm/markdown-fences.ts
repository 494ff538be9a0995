/**
 * Code-fence tracking for Markdown (model replies here, notes in organize's markdown-regions): a fence opens with
 * three or more backticks or tildes (optionally an info string) and closes with a bare fence of the same character
 * at least as long.
 */

export interface Fence {
	char: "`" | "~";
	length: number;
	info: string;
}

const OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const BARE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** The fence a line opens, if it is a fence line (backtick info strings may not contain backticks). */
export function fenceOpening(line: string): Fence | undefined {
	const match = OPEN.exec(line);
	if (!match) return undefined;
	const marker = match[1] ?? "";
	const info = (match[2] ?? "").trim();
	const char = marker[0] === "~" ? "~" : "`";
	if (char === "`" && info.includes("`")) return undefined;
	return { char, length: marker.length, info };
}

/** True when `line` is a bare fence that closes `fence`. */
export function closesFence(line: string, fence: Fence): boolean {
	const match = BARE.exec(line);
	if (!match) return false;
	const marker = match[1] ?? "";
	return marker[0] === fence.char && marker.length >= fence.length;
}

/** Follows fences line by line; `step` says whether a line is code (a fence line or inside a block). */
export class FenceTracker {
	open: Fence | undefined;

	get inside(): boolean {
		return this.open !== undefined;
	}

	step(line: string): boolean {
		if (this.open) {
			if (closesFence(line, this.open)) this.open = undefined;
			return true;
		}
		const fence = fenceOpening(line);
		if (fence) {
			this.open = fence;
			return true;
		}
		return false;
	}
}

/** Shifts every Markdown heading outside code blocks down by `by` levels (capped at ######). */
export function demoteHeadings(markdown: string, by = 1): string {
	const tracker = new FenceTracker();
	return markdown
		.split("\n")
		.map((line) => {
			if (tracker.step(line)) return line;
			const match = /^( {0,3})(#{1,6})([ \t].*|)$/.exec(line);
			if (!match) return line;
			const hashes = "#".repeat(Math.min(6, (match[2] ?? "").length + by));
			return `${match[1] ?? ""}${hashes}${match[3] ?? ""}`;
		})
		.join("\n");
}
