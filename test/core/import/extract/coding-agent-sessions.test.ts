import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConversationSchema, type Conversation } from "../../../../src/core/model/conversation";
import type { JsonArrayItem } from "../../../../src/core/import/extract/json-array-stream";
import { jsonlLines } from "../../../../src/core/import/extract/jsonl-lines";
import { readSession, type SessionReader } from "../../../../src/core/import/extract/normalize/agent-parts";
import { createClaudeCodeReader, looksLikeClaudeCodeRecord } from "../../../../src/core/import/extract/normalize/claude-code";
import { createCodexReader, looksLikeCodexRecord } from "../../../../src/core/import/extract/normalize/codex";
import { PROVIDER_MODULES } from "../../../../src/core/import/extract/normalize/registry";
import type { NormalizeResult } from "../../../../src/core/import/extract/normalize/result";
import { composeNote, renderNote } from "../../../../src/core/import/transform/render-note";
import { useGolden } from "../../../support/golden";

const SESSIONS = fileURLToPath(new URL("../../../fixtures/sessions/", import.meta.url));
const EXTRACT = fileURLToPath(new URL("../../../fixtures/extract/", import.meta.url));
const PUBLIC = fileURLToPath(new URL("../../../../../shared/fixtures/public/", import.meta.url));
const golden = useGolden(SESSIONS);

const CC_MAIN = "claude-code/-home-dev-shop/5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl";
const CC_AGENT = "claude-code/-home-dev-shop/agent-a1b2c3d4.jsonl";
const CC_BROKEN = "claude-code-broken/b0b0b0b0-1111-4222-8333-444444444444.jsonl";
const CX_NEW = "codex/2025/10/20/rollout-2025-10-20T14-02-11-0199a3c2-7b41-7d20-9e55-1c2d3e4f5a6b.jsonl";
const CX_OLD = "codex/2025/08/18/rollout-2025-08-18T07-41-09-6f1d2e3c-4b5a-4978-8a1b-2c3d4e5f6a7b.jsonl";

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const x of it) out.push(x);
	return out;
}

async function readBytes(bytes: Uint8Array, reader: SessionReader, chunk = 4096): Promise<NormalizeResult> {
	const results = await collect(readSession(jsonlLines(chunked(bytes, chunk)), reader));
	expect(results).toHaveLength(1);
	return results[0]!;
}

const enc = new TextEncoder();
const lines = (records: unknown[]): Uint8Array => enc.encode(records.map((r) => JSON.stringify(r)).join("\n") + "\n");

async function conversationOf(file: string, reader: SessionReader, chunk?: number): Promise<Conversation> {
	const result = await readBytes(readFileSync(join(SESSIONS, file)), reader, chunk);
	if (!result.ok) throw new Error(result.reason);
	return ConversationSchema().parse(result.conversation);
}

const note = (c: Conversation, includeThinking = false): string => {
	const { frontmatter, body } = renderNote(c, {
		sessionId: "20250101_000000",
		notePath: `AI Conversations/${c.provider}/${c.id}.md`,
		includeThinking,
	});
	return composeNote(frontmatter, body);
};

describe("jsonlLines", () => {
	const text = '\ufeff{"a":1}\r\n\n  \n{"b":"é🎉"}\n{"c":[1,2]}';
	const bytes = enc.encode(text);

	it("gives the same lines whatever the chunking (multi-byte characters and CRLF cut anywhere), BOM and blank lines skipped", async () => {
		for (const size of [1, 2, 3, 5, 7, 64]) {
			const items = await collect(jsonlLines(chunked(bytes, size)));
			expect(
				items.map((i) => (i.ok ? i.value : i.reason)),
				`chunk ${size}`,
			).toEqual([{ a: 1 }, { b: "é🎉" }, { c: [1, 2] }]);
			expect(items.map((i) => i.index)).toEqual([0, 3, 4]);
		}
	});

	it("reports a line that is not JSON with its number and goes on", async () => {
		const items = await collect(jsonlLines(chunked(enc.encode('{"a":1}\n{"cut":\n{"b":2}\n'), 4)));
		expect(items.map((i) => i.ok)).toEqual([true, false, true]);
		const bad = items[1] as Extract<JsonArrayItem, { ok: false }>;
		expect(bad.reason).toMatch(/^line 2 is not valid JSON/);
	});

	it("gives byte offsets that never go back and stay inside the document", async () => {
		const file = readFileSync(join(SESSIONS, CC_MAIN));
		const items = await collect(jsonlLines(chunked(file, 1000)));
		const offsets = items.map((i) => i.offset);
		expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
		expect(offsets[offsets.length - 1]).toBeLessThan(file.length);
		expect(offsets[offsets.length - 1]).toBeGreaterThan(file.length / 2);
	});
});

describe("Claude Code sessions", () => {
	it("renders the main session (golden), the same for any chunking", async () => {
		const c = await conversationOf(CC_MAIN, createClaudeCodeReader());
		golden.check("claude-code-session.expected.md", note(c));
		golden.check("claude-code-session.with-thinking.expected.md", note(c, true));
		expect(note(await conversationOf(CC_MAIN, createClaudeCodeReader(), 7))).toBe(note(c));
	});

	it("follows the live branch: a rewound prompt is left out, the compaction is crossed, side chains stay out", async () => {
		const c = await conversationOf(CC_MAIN, createClaudeCodeReader());
		const text = note(c);
		expect(text).not.toContain("Make lookup return an amount instead");
		expect(text).not.toContain("I'll change lookup to return an amount.");
		expect(text).toContain("No — keep lookup as it is");
		// Before and after the compaction boundary (linked only by logicalParentUuid).
		expect(text).toContain("The cart total ignores the discount code.");
		expect(text).toContain("Add a changelog line for it.");
		expect(text).not.toContain("Found two callers");
		expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
	});

	it("takes a reply split over lines sharing message.id once, and keeps what is not the user out of User messages", async () => {
		const c = await conversationOf(CC_MAIN, createClaudeCodeReader());
		const text = note(c);
		expect(text.split("Let me look at the function first.").length - 1).toBe(1);
		for (const notUser of [
			"<command-name>",
			"Set model to sonnet",
			"Caveat:",
			"system-reminder",
			"opened the file",
			"[Request interrupted",
		]) {
			expect(text, notUser).not.toContain(notUser);
		}
		const userText = c.messages
			.filter((m) => m.role === "user")
			.flatMap((m) => m.parts)
			.map((p) => JSON.stringify(p))
			.join("\n");
		expect(userText).not.toContain("being continued from a previous conversation");
		expect(userText).not.toContain("tool_result");
		expect(text).toContain("Compaction summary");
	});

	it("takes the title from the first real prompt, the project from cwd, the summary of its own leaf, and counts unknown records", async () => {
		const c = await conversationOf(CC_MAIN, createClaudeCodeReader());
		expect(c.id).toBe("5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11");
		expect(c.provider).toBe("claude-code");
		expect(c.title).toMatch(/^The cart total ignores the discount code\./);
		expect(c.project).toBe("/home/dev/shop");
		expect(c.summary).toBe("Cart discount fix and changelog");
		expect(c.models).toEqual(["claude-sonnet-4-20250514", "claude-opus-4-1-20250805"]);
		expect(c.unknown).toEqual({ "record:pr-link": 1 });
		expect(c.created).toBe("2025-09-14T09:00:00.000Z");
		expect(c.updated).toBe("2025-09-14T10:01:08.000Z");
	});

	it("shows file edits as diffs and commands fenced; a failed command is an error", async () => {
		const c = await conversationOf(CC_MAIN, createClaudeCodeReader());
		const parts = c.messages.flatMap((m) => m.parts);
		const edit = parts.find((p) => p.kind === "tool_call" && p.name === "Edit");
		expect(edit).toMatchObject({
			summary: "/home/dev/shop/src/cart.ts",
			input: "-  return sum;\n+  return Math.max(0, sum - discount);",
			language: "diff",
		});
		const bash = parts.find((p) => p.kind === "tool_result" && p.name === "Bash");
		expect(bash).toMatchObject({ kind: "tool_result", isError: true });
	});

	it("imports a sub-agent's own file as its own note, with an id apart from its session's", async () => {
		const c = await conversationOf(CC_AGENT, createClaudeCodeReader());
		expect(c.id).toBe("5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11#agent-a1b2c3d4");
		expect(c.title).toMatch(/^Sub-agent: Find every caller/);
		golden.check("claude-code-subagent.expected.md", note(c));
	});

	it("fails a session with a cut line, naming the line and the session", async () => {
		const result = await readBytes(readFileSync(join(SESSIONS, CC_BROKEN)), createClaudeCodeReader());
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toMatch(/^line 2 is not valid JSON/);
		expect(result.itemId).toBe("b0b0b0b0-1111-4222-8333-444444444444");
	});

	it("fails a malformed record with a reason, and a file of summaries alone", async () => {
		const noMessage = await readBytes(
			lines([{ type: "user", uuid: "u1", parentUuid: null, sessionId: "s1", timestamp: "2025-01-01T00:00:00Z" }]),
			createClaudeCodeReader(),
		);
		expect(noMessage).toMatchObject({ ok: false, itemId: "s1", reason: 'line 1: a user record without a "message" object' });
		const onlySummary = await readBytes(lines([{ type: "summary", summary: "x", leafUuid: "u9" }]), createClaudeCodeReader());
		expect(onlySummary).toMatchObject({ ok: false });
		expect(onlySummary.ok ? "" : onlySummary.reason).toMatch(/no messages/);
	});
});

describe("Codex CLI sessions", () => {
	it("renders the current format (golden)", async () => {
		const c = await conversationOf(CX_NEW, createCodexReader());
		golden.check("codex-session.expected.md", note(c));
		golden.check("codex-session.with-thinking.expected.md", note(c, true));
		expect(note(await conversationOf(CX_NEW, createCodexReader(), 5))).toBe(note(c));
	});

	it("takes what Codex writes twice once, and leaves the injected AGENTS.md and environment out", async () => {
		const c = await conversationOf(CX_NEW, createCodexReader());
		const text = note(c, true);
		const body = text.slice(text.indexOf("\n---\n") + 5);
		const count = (s: string): number => body.split(s).length - 1;
		expect(count("The /health endpoint returns 500 when Redis is down.")).toBe(1);
		expect(count("Should degraded be 200?")).toBe(1);
		expect(count("Locating the health handler")).toBe(1);
		for (const injected of ["AGENTS.md", "<INSTRUCTIONS>", "environment_context", "approval_policy"])
			expect(text, injected).not.toContain(injected);
		expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
		expect(c.title).toMatch(/^The \/health endpoint returns 500/);
		expect(c.project).toBe("/home/dev/api");
		expect(c.models).toEqual(["gpt-5-codex"]);
		expect(c.unknown).toEqual({ "event_msg:some_future_event": 1 });
	});

	it("reads the JSON inside strings: shell arguments as a command, outputs unwrapped, a non-zero exit code as an error", async () => {
		const c = await conversationOf(CX_NEW, createCodexReader());
		const parts = c.messages.flatMap((m) => m.parts);
		const calls = parts.filter((p) => p.kind === "tool_call");
		expect(calls.map((p) => p.name)).toEqual(["shell", "apply_patch", "shell", "shell"]);
		expect(calls[0]).toMatchObject({ input: 'rg -n "pingRedis" src', language: "sh", callId: "call_h1" });
		expect(calls[1]).toMatchObject({ summary: "src/health.ts", language: "diff" });
		expect(calls[1]!.kind === "tool_call" && calls[1]!.input).toMatch(/^\*\*\* Begin Patch/);
		const results = parts.filter((p) => p.kind === "tool_result");
		expect(results.map((p) => (p.kind === "tool_result" ? (p.isError ?? false) : null))).toEqual([false, false, true, false]);
		expect(JSON.stringify(results)).not.toContain("exit_code");
	});

	it("reads the older format: bare meta line, state separators, no per-line times, cwd from the environment context", async () => {
		const c = await conversationOf(CX_OLD, createCodexReader());
		expect(c.id).toBe("6f1d2e3c-4b5a-4978-8a1b-2c3d4e5f6a7b");
		expect(c.project).toBe("/home/dev/notes-cli");
		expect(c.created).toBe("2025-08-18T07:41:09.552Z");
		expect(c.messages.every((m) => m.time === null)).toBe(true);
		expect(c.title).toBe("Add a --version flag to the CLI");
		golden.check("codex-legacy-session.expected.md", note(c));
		expect(note(c)).not.toContain("Prefer small commits");
	});

	it("uses the event messages when a file has no response messages", async () => {
		const result = await readBytes(
			lines([
				{ timestamp: "2025-11-01T10:00:00Z", type: "session_meta", payload: { id: "ev-1", cwd: "/w" } },
				{
					timestamp: "2025-11-01T10:00:01Z",
					type: "event_msg",
					payload: { type: "user_message", message: "<environment_context>\n<cwd>/w</cwd>\n</environment_context>" },
				},
				{ timestamp: "2025-11-01T10:00:02Z", type: "event_msg", payload: { type: "user_message", message: "Why is the build slow?" } },
				{ timestamp: "2025-11-01T10:00:05Z", type: "event_msg", payload: { type: "agent_message", message: "The cache is cold." } },
			]),
			createCodexReader(),
		);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.conversation.messages.map((m) => [m.role, m.parts])).toEqual([
			["user", [{ kind: "text", text: "Why is the build slow?" }]],
			["assistant", [{ kind: "text", text: "The cache is cold." }]],
		]);
	});

	it("fails a file with no session id, and a record without a type, with reasons", async () => {
		const noMeta = await readBytes(
			lines([{ timestamp: "2025-11-01T10:00:00Z", type: "event_msg", payload: { type: "token_count" } }]),
			createCodexReader(),
		);
		expect(noMeta.ok ? "" : noMeta.reason).toMatch(/no session_meta/);
		const noType = await readBytes(
			lines([{ timestamp: "t", type: "session_meta", payload: { id: "x" } }, { what: 1 }]),
			createCodexReader(),
		);
		expect(noType).toMatchObject({ ok: false, itemId: "x", reason: 'line 2: a record without a "type"' });
	});
});

describe("detection: no source is mistaken for another", () => {
	const jsonl = (file: string): unknown[] =>
		readFileSync(join(SESSIONS, file), "utf8")
			.split("\n")
			.filter((l) => l.trim() !== "")
			.flatMap((l) => {
				try {
					return [JSON.parse(l) as unknown];
				} catch {
					return [];
				}
			});
	/** The elements (or the whole value) of every .json file under a folder, in subfolders too. */
	const arrayElements = (dir: string): unknown[] =>
		existsSync(dir)
			? readdirSync(dir).flatMap((f): unknown[] => {
					const path = join(dir, f);
					if (statSync(path).isDirectory()) return arrayElements(path);
					if (!f.endsWith(".json")) return [];
					const v = JSON.parse(readFileSync(path, "utf8")) as unknown;
					return Array.isArray(v) ? (v as unknown[]) : [v];
				})
			: [];
	const claudeCode = [CC_MAIN, CC_AGENT, CC_BROKEN].flatMap(jsonl);
	const codex = [CX_NEW, CX_OLD].flatMap(jsonl);
	// Every other source's fixtures: Claude and ChatGPT exports, the public samples, and those of the sources added
	// beside these (test/fixtures/sources, when there).
	const others = [...arrayElements(EXTRACT), ...arrayElements(PUBLIC), ...arrayElements(join(EXTRACT, "../sources"))];

	it("has records of every kind to compare", () => {
		expect(claudeCode.length).toBeGreaterThan(30);
		expect(codex.length).toBeGreaterThan(30);
		expect(others.length).toBeGreaterThan(3);
	});

	/** The registered sources (every one, as they are added) that accept a record. */
	const acceptedBy = (r: unknown): string[] => PROVIDER_MODULES.filter((m) => m.detect(r)).map((m) => m.id);

	it("every Claude Code line is Claude Code and no other registered source", () => {
		for (const r of claudeCode) {
			expect(looksLikeClaudeCodeRecord(r), JSON.stringify(r).slice(0, 80)).toBe(true);
			expect(acceptedBy(r), JSON.stringify(r).slice(0, 80)).toEqual(["claude-code"]);
		}
	});

	it("every Codex line is Codex and no other registered source", () => {
		for (const r of codex) {
			expect(looksLikeCodexRecord(r), JSON.stringify(r).slice(0, 80)).toBe(true);
			expect(acceptedBy(r), JSON.stringify(r).slice(0, 80)).toEqual(["codex"]);
		}
	});

	it("no other source's conversation or record is taken for a session record", () => {
		for (const r of others) {
			expect(looksLikeClaudeCodeRecord(r)).toBe(false);
			expect(looksLikeCodexRecord(r)).toBe(false);
		}
	});
});

describe("tool outputs", () => {
	it("cuts a huge result to its head, saying how long it was, and keeps a short one whole", async () => {
		const { outputBlock, RESULT_MAX_CHARS } = await import("../../../../src/core/import/extract/normalize/agent-parts");
		const huge = "x".repeat(5_000_000);
		const block = outputBlock(huge);
		expect(block.length).toBeLessThan(RESULT_MAX_CHARS + 100);
		expect(block).toContain("… (5000000 characters in all)");
		expect(outputBlock("ok\n")).toBe("```\nok\n```");
		expect(outputBlock("a ``` b\n```\ninside")).toBe("````\na ``` b\n```\ninside\n````");
	});
});
