import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
	computeFileId,
	computeFileIdAsync,
	fileIdOfDraft,
	rememberBodyHash,
	saveBodyHash,
} from "../../../../src/core/import/transform/file-id";

/** SHA-256 over node's UTF-8 of body + "\n---\n" + path (lone surrogates as U+FFFD, like TextEncoder). */
const reference = (body: string, path: string): string =>
	createHash("sha256")
		.update(Buffer.from(`${body}\n---\n${path.replace(/\\/g, "/")}`, "utf8"))
		.digest("hex")
		.slice(0, 12);

describe("computeFileId and computeFileIdAsync", () => {
	it.each<[string, string, string]>([
		["empty body", "", "a.md"],
		["plain", "\n## User\n\nHello\n", "AI Conversations/Claude/Hello.md"],
		["backslash path", "body", "AI Conversations\\Claude\\A.md"],
		["non-BMP", "🚀 launch 👩‍👩‍👧\n", "AI Conversations/ChatGPT/🚀.md"],
		["body ends in a lone high surrogate", "abc\ud83d", "n.md"],
		["body is a lone low surrogate", "\ude80", "n.md"],
		["path with a lone surrogate", "body", "x\ud800.md"],
		["body of exactly one block minus the suffix", "x".repeat(64 - "\n---\nn.md".length), "n.md"],
		["long body across the encoder's scratch buffer", "語🚀a".repeat(30_000), "AI Conversations/Claude/long.md"],
	])("%s: both give the first 12 hex of SHA-256(body + \\n---\\n + path)", async (_name, body, path) => {
		const expected = reference(body, path);
		expect(computeFileId(body, path)).toBe(expected);
		expect(await computeFileIdAsync(body, path)).toBe(expected);
	});
});

describe("a file id from the body's hash saved in another thread", () => {
	const bodies = ["", "\nHello\n", "日本語の本文 🎉\n".repeat(40), "x".repeat(63), "y".repeat(64), "z".repeat(65), "\ud800 lone\n"];
	const paths = ["AI Conversations/Claude/Note.md", "a\\b\\c.md", "日本/ノート.md"];

	it("is the id computeFileId gives, for any body length around the 64-byte blocks", async () => {
		for (const body of bodies)
			for (const path of paths) {
				const draft = { body };
				rememberBodyHash(draft, saveBodyHash(body));
				expect(await fileIdOfDraft(draft, path), `${body.length} ${path}`).toBe(computeFileId(body, path));
			}
	});

	it("is taken from the saved hash, only for the draft it was saved for and its body's length", async () => {
		const body = "first body\n";
		const other = "other body\n"; // the same length
		const draft = { body };
		// A state saved for another text shows which one is used.
		rememberBodyHash(draft, saveBodyHash(other));
		expect(await fileIdOfDraft(draft, "N.md")).toBe(computeFileId(other, "N.md"));
		// A draft made from it with another body is hashed whole.
		const changed = { ...draft, body: "a longer, changed body\n" };
		expect(await fileIdOfDraft(changed, "N.md")).toBe(computeFileId(changed.body, "N.md"));
		// No saved hash: the whole body.
		expect(await fileIdOfDraft({ body }, "N.md")).toBe(computeFileId(body, "N.md"));
	});
});
