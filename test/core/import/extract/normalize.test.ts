import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConversationSchema, type Conversation, type Message } from "../../../../src/core/model/conversation";
import { normalizeChatGpt } from "../../../../src/core/import/extract/normalize/chatgpt";
import { normalizeClaude } from "../../../../src/core/import/extract/normalize/claude";
import type { NormalizeResult } from "../../../../src/core/import/extract/normalize/result";
import { isoOfEpochMs, isoTime, knownTimes, titleFromText } from "../../../../src/core/import/extract/normalize/text-utils";
import { seededRandom } from "../../../support/seeded-random";

const FIXTURES = join(__dirname, "../../../fixtures/extract");
const PUBLIC = join(__dirname, "../../../../../shared/fixtures/public");

function load(path: string): unknown[] {
	return JSON.parse(readFileSync(path, "utf8")) as unknown[];
}

function ok(result: NormalizeResult): Conversation {
	if (!result.ok) throw new Error(result.reason);
	expect(ConversationSchema().parse(result.conversation)).toEqual(result.conversation);
	return result.conversation;
}

const ids = (c: Conversation): string[] => c.messages.map((m) => m.id);
const kinds = (m: Message | undefined): string[] => (m ? m.parts.map((p) => p.kind) : []);

describe("normalizeClaude (own fixtures)", () => {
	const raw = load(join(FIXTURES, "claude-edge.json"));
	const byId = new Map(raw.map((r) => [(r as { uuid: string }).uuid, r]));

	it("keeps unicode, emoji and right-to-left titles as they are", () => {
		expect(ok(normalizeClaude(byId.get("c-unicode-1"))).title).toBe("Émoji 🎉 and עברית שלום title");
	});

	it("uses content blocks, not the flattened text, and keeps fenced code inside the text byte-exact", () => {
		const c = ok(normalizeClaude(byId.get("c-unicode-1")));
		const a1 = c.messages[1]!;
		expect(kinds(a1)).toEqual(["text", "tool_call", "tool_result", "tool_call", "attachment", "thinking"]);
		expect(a1.parts[0]).toEqual({ kind: "text", text: "Here:\n\n```python\ndef f(x):\n\treturn x  # tab and trailing space \n```\n" });
		expect(a1.parts[1]).toEqual({ kind: "tool_call", name: "web_search", summary: "query: python tabs" });
		expect(a1.parts[2]).toEqual({
			kind: "tool_result",
			name: "web_search",
			isError: true,
			summary: "Tabs (https://example.org/t)\nUse spaces.",
		});
		const content = "export const add = (a: number, b: number) => a + b;\n";
		expect(a1.parts[4]).toEqual({
			kind: "attachment",
			name: "Calculator",
			mimeType: "application/vnd.ant.code",
			artifact: { id: "calc", type: "application/vnd.ant.code", language: "typescript", title: "Calculator", version: 1, content },
		});
		expect(JSON.stringify(c)).not.toContain("not supported on your current device");
	});

	it("keeps attachments with extracted text, lists files as missing (deduplicated), counts unknown blocks and fields", () => {
		const c = ok(normalizeClaude(byId.get("c-unicode-1")));
		const u1 = c.messages[0]!;
		expect(u1.parts).toEqual([
			{ kind: "text", text: "Show me code ```not closed" },
			{ kind: "unknown", blockType: "injected_prompt_block", summary: "system-injected context" },
			{ kind: "attachment", name: "notes.md", mimeType: "text/markdown", size: 12, extractedText: "# Notes\n\n- a" },
			{ kind: "attachment", name: "diagram.png", missing: true },
			{ kind: "attachment", name: "photo.jpg", missing: true },
		]);
		expect(c.unknown).toEqual({ "block:injected_prompt_block": 1, "conversation.extra_field": 1 });
		expect(c.projectId).toBe("proj-1");
		expect(c.project).toBeUndefined();
		expect(c.summary).toBeUndefined();
		expect(u1.role).toBe("user");
	});

	it("follows current_leaf_message_uuid on a branch", () => {
		expect(ids(ok(normalizeClaude(byId.get("c-branch-leaf"))))).toEqual(["b0", "b1a", "b2a"]);
	});

	it("keeps the latest branch without a leaf pointer", () => {
		expect(ids(ok(normalizeClaude(byId.get("c-branch-latest"))))).toEqual(["d0", "d1b"]);
	});

	it("between two replies of the same time with no leaf pointer, keeps the one listed later", () => {
		const message = (uuid: string, parent: string, sender: string, created_at: string) => ({
			uuid,
			parent_message_uuid: parent,
			sender,
			text: uuid,
			created_at,
		});
		const raw = {
			uuid: "c-tie",
			name: "Tie",
			created_at: "2026-03-03T10:00:00Z",
			chat_messages: [
				message("t0", "root", "human", "2026-03-03T10:00:00Z"),
				message("t1a", "t0", "assistant", "2026-03-03T10:01:00Z"),
				message("t1b", "t0", "assistant", "2026-03-03T10:01:00Z"),
			],
		};
		expect(ids(ok(normalizeClaude(raw)))).toEqual(["t0", "t1b"]);
	});

	it("without updated_at, its last known message time is the conversation's update, past a message without a time", () => {
		const raw = {
			uuid: "c-last-untimed",
			name: "Last message untimed",
			chat_messages: [
				{ uuid: "u0", sender: "human", text: "Q", created_at: "2026-03-03T10:00:00Z" },
				{ uuid: "u1", sender: "assistant", text: "A", created_at: "2026-03-03T10:04:00Z" },
				{ uuid: "u2", sender: "human", text: "Q again" },
			],
		};
		const c = ok(normalizeClaude(raw));
		expect(c.created).toBe("2026-03-03T10:00:00Z");
		expect(c.updated).toBe("2026-03-03T10:04:00Z");
	});

	it("tolerates missing timestamps and a missing title (first user message, cut at a word)", () => {
		const c = ok(normalizeClaude(byId.get("c-no-times")));
		expect(c.created).toBeNull();
		expect(c.updated).toBeNull();
		expect(c.messages.map((m) => m.time)).toEqual([null, null]);
		expect(c.title).toBe("Could you please explain the difference between concurrency…");
	});

	it("passes an empty conversation through (transform skips it as empty)", () => {
		expect(ok(normalizeClaude(byId.get("c-empty"))).messages).toEqual([]);
	});

	it("fails a malformed conversation with its id, title and a reason", () => {
		expect(normalizeClaude(byId.get("c-bad-messages"))).toEqual({
			ok: false,
			itemId: "c-bad-messages",
			title: "Bad messages",
			reason: expect.stringMatching(/chat_messages: .*expected array/) as unknown,
		});
		expect(normalizeClaude(42)).toMatchObject({ ok: false });
	});
});

describe("normalizeChatGpt (own fixtures)", () => {
	const raw = load(join(FIXTURES, "chatgpt-edge.json"));
	const c = ok(normalizeChatGpt(raw[0]));

	it("drops hidden context, system messages and empty nodes; maps tools to summaries", () => {
		expect(ids(c)).toEqual(["u1", "s1", "q1", "e1", "rr", "a1", "img", "weird", "err"]);
		expect(c.messages[1]!.parts).toEqual([{ kind: "tool_call", name: "browser", summary: 'search("weather tel aviv")' }]);
		expect(c.messages[2]!.parts).toEqual([{ kind: "tool_result", name: "browser", summary: "Weather (https://w.example)\nSunny, 25°C" }]);
		expect(c.messages[4]!.parts).toEqual([{ kind: "thinking", text: "Thought for 3 seconds" }]);
		expect(c.messages[8]!.parts).toEqual([{ kind: "tool_result", name: "python", summary: "Timeout", isError: true }]);
		expect(c.messages.every((m) => m.role === "user" || m.role === "assistant")).toBe(true);
	});

	it("turns image pointers and metadata attachments into missing attachments; counts unknown types", () => {
		expect(c.messages[0]!.parts[1]).toEqual({
			kind: "attachment",
			name: "data.csv",
			mimeType: "text/csv",
			size: 99,
			missing: true,
			ref: "file-9",
		});
		expect(c.messages[6]!.parts).toEqual([
			{ kind: "attachment", name: "file-abc", size: 1234, missing: true, ref: "file-abc" },
			{ kind: "text", text: "spoken words" },
			{ kind: "unknown", blockType: "sediment_thing" },
		]);
		expect(c.unknown).toEqual({ "conversation.brand_new_field": 1, "part:sediment_thing": 1, "content_type:sonic_webpage": 1 });
	});

	it("uses conversation_id over id, models in order of use, project, and falls back for title and times", () => {
		expect(c.id).toBe("g-notitle");
		expect(c.models).toEqual(["gpt-4o", "o3"]);
		expect(c.projectId).toBe("g-p-123abc");
		expect(c.project).toBeUndefined();
		expect(c.title).toBe("مرحبا! Search the web for the weather in Tel Aviv and…");
		expect(c.created).toBe("2026-01-01T10:00:00.500Z");
		expect(c.updated).toBe("2026-01-01T10:00:09.000Z");
	});

	it("without current_node, follows the latest leaf", () => {
		expect(ids(ok(normalizeChatGpt(raw[1])))).toEqual(["x1", "x3"]);
	});

	it("an empty mapping gives an empty conversation; a parent cycle terminates", () => {
		expect(ok(normalizeChatGpt(raw[2])).messages).toEqual([]);
		expect(ok(normalizeChatGpt(raw[3])).messages).toHaveLength(2);
	});

	it("fails a malformed conversation with a reason", () => {
		expect(normalizeChatGpt(raw[4])).toMatchObject({ ok: false, itemId: "g-bad", reason: expect.stringMatching(/mapping/) as unknown });
	});
});

describe.skipIf(!existsSync(PUBLIC))("public fixtures (../shared/fixtures/public)", () => {
	it("claude chatlore: blocks, retried answer, attachments, old style, broken record", () => {
		const raw = load(join(PUBLIC, "claude-conversations.chatlore.json"));
		const [first, old, broken] = raw.map(normalizeClaude);
		const c = ok(first!);
		expect(ids(c)).toEqual(["m1", "m3", "m4"]);
		expect(c.summary).toBe("Explaining a borrow checker error.");
		expect(kinds(c.messages[0])).toEqual(["text", "attachment", "attachment"]);
		expect(kinds(c.messages[1])).toEqual(["text", "tool_call", "tool_result"]);
		expect(ids(ok(old!))).toEqual(["o1", "o2"]);
		expect(broken).toMatchObject({ ok: false, itemId: "aaaaaaaa-1111-4222-8333-000000000003", title: "Broken record" });
	});

	it("chatgpt chatlore: active path, hidden system, multimodal, thoughts, code, tool, broken records", () => {
		const raw = load(join(PUBLIC, "chatgpt-conversations.chatlore.json"));
		const results = raw.map(normalizeChatGpt);
		const c = ok(results[0]!);
		expect(ids(c)).toEqual(["u1", "a2", "u2", "t1", "c1", "x1", "a3"]);
		expect(c.messages[4]!.parts).toEqual([
			{ kind: "code", language: "sql", code: "CREATE INDEX idx_orders_customer ON orders (customer_id, created_at);" },
		]);
		expect(kinds(c.messages[3])).toEqual(["thinking"]);
		expect(ok(results[1]!).id).toBe("22222222-aaaa-4bbb-8ccc-000000000002");
		expect(results[2]).toMatchObject({ ok: false, itemId: "33333333-aaaa-4bbb-8ccc-000000000003" });
		expect(results[3]).toMatchObject({ ok: false, title: "No id" });
	});

	it("chatgpt mitkury: the edit branch through current_node", () => {
		const [result] = load(join(PUBLIC, "chatgpt-branching-example.mitkury.json")).map(normalizeChatGpt);
		const c = ok(result!);
		expect(ids(c)).toEqual(["msg-2", "msg-3", "msg-4", "msg-6"]);
		expect(c.models).toEqual(["gpt-4"]);
	});
});
if (!existsSync(PUBLIC)) console.warn(`skipping public fixture tests: ${PUBLIC} does not exist`);

describe("knownTimes", () => {
	it("the messages' times in message order, without the missing ones", () => {
		expect(knownTimes([{ time: "b" }, { time: null }, { time: "a" }, { time: null }])).toEqual(["b", "a"]);
		expect(knownTimes([{ time: null }])).toEqual([]);
	});
});

describe("titleFromText", () => {
	const cases: [string, string][] = [
		["short", "short"],
		["  many   spaces\nand lines ", "many spaces and lines"],
		["a".repeat(80), `${"a".repeat(60)}…`],
		["word ".repeat(20), "word word word word word word word word word word word word…"],
	];
	for (const [input, expected] of cases) it(JSON.stringify(input.slice(0, 20)), () => expect(titleFromText(input)).toBe(expected));
});

describe("isoTime of epoch seconds (ChatGPT's times), formatted in arithmetic", () => {
	const reference = (seconds: number): string | null => {
		const d = new Date(seconds * 1000);
		return Number.isNaN(d.getTime()) ? null : d.toISOString();
	};
	it.each([
		1e-4,
		0.001,
		1,
		59.9999,
		86399.999,
		86400,
		951782400,
		951868800,
		4107542400,
		4107456000,
		1709164800.5,
		1712345678.123456,
		253402300799.999,
		253402300799.9999,
		253402300800,
		8.64e12,
		8.64e12 + 1,
		1e300,
	])("%s", (seconds) => {
		expect(isoTime(seconds)).toBe(reference(seconds));
	});

	it("agrees with Date's toISOString on random times from 1970 to 9999 and on each day's edges", () => {
		const random = seededRandom(22);
		for (let n = 0; n < 20000; n++) {
			const ms = Math.floor(random() * 253402300800000);
			expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
			const seconds = random() * 4e9;
			expect(isoTime(seconds)).toBe(reference(seconds));
		}
		for (let day = 0; day < 2932897; day += 97) {
			for (const ms of [day * 86400000, day * 86400000 + 86399999]) expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
		}
	});
});
