import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { computeFileId, computeFileIdAsync } from "../../../../src/core/import/transform/file-id";

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
