import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import {
	chatgptConv,
	claudeConv,
	frontmatterValue,
	importJson,
	newVault,
	notesIn,
	readNote,
	SESSION_ROOT_DIR,
	withoutSession,
	writeJson,
	writeZip,
} from "./import-support";

const CLAUDE = "AI Conversations/Claude";
const CHATGPT = "AI Conversations/ChatGPT";

/** source_id → file name, for every note in a folder. */
async function namesBySource(vault: string, folder: string): Promise<Map<string, string>> {
	const map = new Map<string, string>();
	for (const n of await notesIn(vault, folder)) map.set(frontmatterValue(await readNote(vault, `${folder}/${n}`), "source_id") ?? "?", n);
	return map;
}

async function stageRecords(
	vault: string,
	sessionId: string,
): Promise<{ item_id: string; stage: string; status: string; reason?: string }[]> {
	const text = await readFile(join(vault, SESSION_ROOT_DIR, sessionId, "import", "pipeline_stages.jsonl"), "utf8");
	return text
		.split("\n")
		.filter((l) => l.trim() !== "")
		.map((l) => JSON.parse(l) as { item_id: string; stage: string; status: string; reason?: string });
}

const ILLEGAL_CHARS = /[\\/:*?"<>|#^[\]]/u;
const hasControl = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const ILLEGAL = { test: (s: string): boolean => ILLEGAL_CHARS.test(s) || hasControl(s) };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("file names from titles (our own fixtures, Claude JSON)", () => {
	const titles: { id: string; title: string; expectName?: string; check?: (name: string) => void }[] = [
		{ id: "emoji", title: "Party plan 🎉🥳 for Zoë", expectName: "Party plan 🎉🥳 for Zoë.md" },
		{ id: "rtl-hebrew", title: "שלום עולם — מתכון", expectName: "שלום עולם — מתכון.md" },
		{ id: "rtl-arabic", title: "مرحبا بالعالم", expectName: "مرحبا بالعالم.md" },
		{ id: "cjk", title: "日本語のタイトル", expectName: "日本語のタイトル.md" },
		{ id: "nfd", title: "Cafe\u0301 menu", expectName: "Caf\u00e9 menu.md" },
		{
			id: "illegal",
			title: 'a/b\\c:d*e?f"g<h>i|j#k^l[m]n\u0007o',
			check: (name) => {
				expect(ILLEGAL.test(name), name).toBe(false);
				for (const ch of "abcdefghijklmno") expect(name).toContain(ch);
			},
		},
		{ id: "dot", title: ".hidden title", check: (name) => expect(name.startsWith(".")).toBe(false) },
		{ id: "reserved", title: "CON", check: (name) => expect(name.toUpperCase()).not.toBe("CON.MD") },
		{ id: "trailing", title: "Ends with dots... ", check: (name) => expect(name).not.toMatch(/[. ]\.md$/) },
		{
			id: "long-ascii",
			title: "x".repeat(500),
			check: (name) => {
				expect(Buffer.byteLength(name, "utf8")).toBeLessThanOrEqual(200);
				expect(name.startsWith("x".repeat(150))).toBe(true);
			},
		},
		{
			id: "long-emoji",
			title: "🎉é".repeat(250),
			check: (name) => {
				expect(Buffer.byteLength(name, "utf8")).toBeLessThanOrEqual(200);
				// Cut at a character boundary: no lone surrogate, no replacement character.
				expect(name).toBe(Buffer.from(name, "utf8").toString("utf8"));
				expect(name).not.toMatch(LONE_SURROGATE);
				expect(name.replace(/\.md$/, "")).toMatch(/^(🎉é)+(🎉)?$/u);
			},
		},
	];

	it("sanitises every title, keeps the original title in frontmatter, and writes notes whose names obey the rules", async () => {
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(
			join(dir, "conversations.json"),
			titles.map((t) => claudeConv({ id: t.id, title: t.title })),
		);
		const vault = await newVault();
		const r = await importJson([input], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: titles.length, success: titles.length, failed: 0, skipped: 0 });
		const names = await namesBySource(vault, CLAUDE);
		expect(names.size).toBe(titles.length);
		for (const t of titles) {
			const name = names.get(t.id);
			expect(name, t.id).toBeDefined();
			if (t.expectName) expect(name).toBe(t.expectName);
			t.check?.(name!);
			expect(name!.normalize("NFC")).toBe(name);
			expect(ILLEGAL.test(name!), name).toBe(false);
			const text = await readNote(vault, `${CLAUDE}/${name!}`);
			// The original title survives in the frontmatter (aliases), whatever the file name became.
			if (!hasControl(t.title)) expect(text.normalize("NFC")).toContain(JSON.stringify(t.title.normalize("NFC").trim()).slice(1, 40));
		}
	});
});

describe("duplicate and case-colliding titles", () => {
	const convs = [
		claudeConv({ id: "d1", title: "Title" }),
		claudeConv({ id: "d2", title: "Title" }),
		claudeConv({ id: "d3", title: "Title" }),
		claudeConv({ id: "c1", title: "Hello World" }),
		claudeConv({ id: "c2", title: "hello world" }),
		claudeConv({ id: "c3", title: "HELLO WORLD" }),
		claudeConv({ id: "c4", title: "Héllo" }),
		claudeConv({ id: "c5", title: "HÉLLO" }),
	];

	it("get distinct names (Title, Title 1, Title 2), distinct case-insensitively, stable across two fresh vaults", async () => {
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), convs);
		const vaultA = await newVault();
		const vaultB = await newVault();
		const a = await importJson([input], vaultA);
		const b = await importJson([input], vaultB);
		expect(a.code).toBe(0);
		expect(b.code).toBe(0);
		const namesA = await namesBySource(vaultA, CLAUDE);
		const namesB = await namesBySource(vaultB, CLAUDE);
		expect(namesA.size).toBe(convs.length);
		expect([namesA.get("d1"), namesA.get("d2"), namesA.get("d3")]).toEqual(["Title.md", "Title 1.md", "Title 2.md"]);
		const lower = [...namesA.values()].map((n) => n.toLowerCase());
		expect(new Set(lower).size).toBe(convs.length);
		expect([...namesB.entries()].sort()).toEqual([...namesA.entries()].sort());
		// Same notes apart from the session line.
		for (const [id, name] of namesA) {
			expect(withoutSession(await readNote(vaultB, `${CLAUDE}/${namesB.get(id)!}`))).toBe(
				withoutSession(await readNote(vaultA, `${CLAUDE}/${name}`)),
			);
		}
	});
});

describe("content edge cases", () => {
	it("skips empty conversations with reason `empty` (exit 0) and imports the rest", async () => {
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [
			claudeConv({ id: "full", title: "Has content" }),
			claudeConv({ id: "none", title: "No messages", messages: [] }),
			claudeConv({
				id: "blank",
				title: "Whitespace only",
				messages: [
					{ role: "user", text: "   \n\t " },
					{ role: "assistant", text: "" },
				],
			}),
		]);
		const vault = await newVault();
		const r = await importJson([input], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 3, success: 1, failed: 0, skipped: 2 });
		expect(await notesIn(vault, CLAUDE)).toEqual(["Has content.md"]);
		const skipped = (await stageRecords(vault, r.json.session_id)).filter((x) => x.status === "skipped");
		expect(skipped.map((x) => [x.item_id, x.reason]).sort()).toEqual([
			["blank", "empty"],
			["none", "empty"],
		]);
	});

	it("an export where every conversation is empty: exit 0, no notes", async () => {
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [claudeConv({ id: "none", title: "No messages", messages: [] })]);
		const vault = await newVault();
		const r = await importJson([input], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 1, success: 0, failed: 0, skipped: 1 });
		expect(await notesIn(vault, CLAUDE)).toEqual([]);
	});

	it("Claude: latest branch kept, attachments' extracted text included, tool blocks summarised, thinking left out", async () => {
		const conv = claudeConv({ id: "rich", title: "Rich conversation", messages: [{ role: "user", text: "Look at this file" }] });
		const msgs = conv.chat_messages as Record<string, unknown>[];
		msgs[0]!.attachments = [
			{ file_name: "notes.txt", file_type: "text/plain", file_size: 20, extracted_content: "ATTACHED-TEXT-MARKER line" },
		];
		msgs[0]!.files = [{ file_name: "picture.png" }];
		const base = { parent_message_uuid: "rich-m0", sender: "assistant", attachments: [], files: [] };
		msgs.push({
			...base,
			uuid: "old-branch",
			created_at: "2025-03-01T10:01:00Z",
			text: "OLD-BRANCH-ANSWER",
			content: [{ type: "text", text: "OLD-BRANCH-ANSWER" }],
		});
		msgs.push({
			...base,
			uuid: "new-branch",
			created_at: "2025-03-01T10:05:00Z",
			text: "```\nThis block is not supported on your current device yet.\n```",
			content: [
				{ type: "thinking", thinking: "SECRET-THINKING-MARKER" },
				{ type: "text", text: "NEW-BRANCH-ANSWER\n\n```ts\nconst x  =  1;\t// exact\n```" },
				{ type: "tool_use", name: "web_search", input: { query: "TOOL-QUERY-MARKER" } },
				{ type: "tool_result", name: "web_search", content: [{ type: "text", text: "TOOL-RESULT-MARKER" }] },
			],
		});
		conv.current_leaf_message_uuid = "new-branch";
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [conv]);
		const vault = await newVault();
		const r = await importJson([input], vault);
		expect(r.code).toBe(0);
		const text = await readNote(vault, `${CLAUDE}/Rich conversation.md`);
		expect(text).toContain("NEW-BRANCH-ANSWER");
		expect(text).not.toContain("OLD-BRANCH-ANSWER");
		expect(text).toContain("ATTACHED-TEXT-MARKER line");
		expect(text).toContain("notes.txt");
		expect(text).toContain("picture.png");
		expect(text).toContain("```ts\nconst x  =  1;\t// exact\n```");
		expect(text).toContain("web_search");
		expect(text).toContain("TOOL-QUERY-MARKER");
		expect(text).not.toContain("not supported on your current device");
		expect(text).not.toContain("SECRET-THINKING-MARKER");
		expect(frontmatterValue(text, "message_count")).toBe("2");
	});

	it("--include-thinking keeps the thinking block", async () => {
		const conv = claudeConv({
			id: "think",
			title: "Thinking",
			messages: [
				{ role: "user", text: "q" },
				{ role: "assistant", text: "a" },
			],
		});
		const msgs = conv.chat_messages as Record<string, unknown>[];
		msgs[1]!.content = [
			{ type: "thinking", thinking: "SECRET-THINKING-MARKER" },
			{ type: "text", text: "a" },
		];
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [conv]);
		const vault = await newVault();
		expect((await importJson([input], vault, ["--include-thinking"])).code).toBe(0);
		expect(await readNote(vault, `${CLAUDE}/Thinking.md`)).toContain("SECRET-THINKING-MARKER");
	});

	it("missing timestamps and a missing title (ChatGPT) import; the title falls back to the first user message", async () => {
		const dir = await tempDir("ketl-fx-");
		const noTimes = chatgptConv({
			id: "g-notime",
			title: "No timestamps",
			created: null,
			updated: null,
			messages: [
				{ role: "user", text: "hi", time: null },
				{ role: "assistant", text: "hello", time: null },
			],
		});
		const noTitle = chatgptConv({
			id: "g-notitle",
			title: "",
			messages: [
				{ role: "user", text: "Explain quicksort briefly" },
				{ role: "assistant", text: "Pick a pivot." },
			],
		});
		delete noTitle.title;
		const claudeNoTimes = claudeConv({
			id: "c-notime",
			title: "Claude without times",
			created: null,
			updated: null,
			messages: [{ role: "user", text: "q", time: null }],
		});
		delete claudeNoTimes.created_at;
		delete claudeNoTimes.updated_at;
		const gpt = await writeJson(join(dir, "gpt", "conversations.json"), [noTimes, noTitle]);
		const cl = await writeJson(join(dir, "claude", "conversations.json"), [claudeNoTimes]);
		const vault = await newVault();
		const r = await importJson([gpt, cl], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		const names = await namesBySource(vault, CHATGPT);
		expect(names.get("g-notime")).toBe("No timestamps.md");
		expect(names.get("g-notitle")).toMatch(/^Explain quicksort/);
		expect(await notesIn(vault, CLAUDE)).toEqual(["Claude without times.md"]);
	});

	it("ChatGPT: walks current_node's chain (a regenerated sibling is left out)", async () => {
		const conv = chatgptConv({
			id: "g-branch",
			title: "Branched",
			messages: [
				{ role: "user", text: "Q" },
				{ role: "assistant", text: "KEPT-ANSWER" },
			],
		});
		const mapping = conv.mapping as Record<string, { children: string[] }>;
		mapping["g-branch-n0"]!.children.push("alt");
		mapping.alt = {
			id: "alt",
			parent: "g-branch-n0",
			children: [],
			message: {
				id: "alt",
				author: { role: "assistant" },
				create_time: 1740823200,
				content: { content_type: "text", parts: ["DROPPED-ANSWER"] },
				metadata: {},
			},
		} as unknown as { children: string[] };
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [conv]);
		const vault = await newVault();
		expect((await importJson([input], vault)).code).toBe(0);
		const text = await readNote(vault, `${CHATGPT}/Branched.md`);
		expect(text).toContain("KEPT-ANSWER");
		expect(text).not.toContain("DROPPED-ANSWER");
	});
});

describe("input forms", () => {
	const part0 = [chatgptConv({ id: "s1", title: "Split one" }), chatgptConv({ id: "s2", title: "Split two" })];
	const part1 = [chatgptConv({ id: "s3", title: "Split three" })];

	it("split files conversations-000.json + -001.json, given as files and as their folder, give the same notes", async () => {
		const dir = await tempDir("ketl-fx-");
		const f0 = await writeJson(join(dir, "export", "conversations-000.json"), part0);
		const f1 = await writeJson(join(dir, "export", "conversations-001.json"), part1);
		await writeJson(join(dir, "export", "users.json"), { not: "conversations" });
		const vaultFiles = await newVault();
		const vaultFolder = await newVault();
		const byFiles = await importJson([f0, f1], vaultFiles);
		const byFolder = await importJson([join(dir, "export")], vaultFolder);
		expect(byFiles.code).toBe(0);
		expect(byFolder.code).toBe(0);
		expect(byFolder.json.counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		const names = await notesIn(vaultFolder, CHATGPT);
		expect(names).toEqual(["Split one.md", "Split three.md", "Split two.md"]);
		expect(await notesIn(vaultFiles, CHATGPT)).toEqual(names);
		for (const n of names) {
			expect(withoutSession(await readNote(vaultFiles, `${CHATGPT}/${n}`))).toBe(
				withoutSession(await readNote(vaultFolder, `${CHATGPT}/${n}`)),
			);
		}
	});

	it("a zip and the bare JSON of the same export give the same notes (zip with sidecars and a nested folder)", async () => {
		const dir = await tempDir("ketl-fx-");
		const convs = [claudeConv({ id: "z1", title: "Zipped one" }), claudeConv({ id: "z2", title: "Zipped two" })];
		const json = await writeJson(join(dir, "conversations.json"), convs);
		const zip = await writeZip(join(dir, "export.zip"), {
			"data-2025/users.json": JSON.stringify([{ uuid: "u" }]),
			"data-2025/projects.json": "[]",
			"data-2025/conversations.json": JSON.stringify(convs),
		});
		const vaultJson = await newVault();
		const vaultZip = await newVault();
		expect((await importJson([json], vaultJson)).code).toBe(0);
		const z = await importJson([zip], vaultZip);
		expect(z.code).toBe(0);
		expect(z.json.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		const names = await notesIn(vaultZip, CLAUDE);
		expect(names).toEqual(["Zipped one.md", "Zipped two.md"]);
		expect(await notesIn(vaultJson, CLAUDE)).toEqual(names);
		for (const n of names)
			expect(withoutSession(await readNote(vaultZip, `${CLAUDE}/${n}`))).toBe(withoutSession(await readNote(vaultJson, `${CLAUDE}/${n}`)));
	});

	it("a folder holding a zip (an export folder) and --out puts notes in another folder", async () => {
		const dir = await tempDir("ketl-fx-");
		await writeZip(join(dir, "in", "claude.zip"), {
			"conversations.json": JSON.stringify([claudeConv({ id: "o1", title: "Out folder" })]),
		});
		const vault = await newVault();
		const r = await importJson([join(dir, "in")], vault, ["--out", "Chats/AI"]);
		expect(r.code).toBe(0);
		expect(await notesIn(vault, "Chats/AI/Claude")).toEqual(["Out folder.md"]);
		expect(await notesIn(vault, CLAUDE)).toEqual([]);
	});

	it("the same conversation twice in one export is imported once", async () => {
		const dir = await tempDir("ketl-fx-");
		const input = await writeJson(join(dir, "conversations.json"), [
			claudeConv({ id: "dup", title: "Twice" }),
			claudeConv({ id: "dup", title: "Twice" }),
		]);
		const vault = await newVault();
		const r = await importJson([input], vault);
		expect(r.code).toBe(0);
		// The first one imported; the repeat reported as skipped (issue 15), never as a second note, and it does not
		// turn the first one's record into a skip.
		expect(r.json.counts).toEqual({ total: 2, success: 1, failed: 0, skipped: 1 });
		expect(r.json.notes.created).toBe(1);
		expect(await notesIn(vault, CLAUDE)).toEqual(["Twice.md"]);
	});
});
