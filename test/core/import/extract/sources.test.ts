import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import type { Conversation, Provider } from "../../../../src/core/model/conversation";
import { InputError } from "../../../../src/core/import/extract/errors";
import { chunksOf } from "../../../../src/core/import/extract/json-array-stream";
import { splitMemberArray } from "../../../../src/core/import/extract/json-member-stream";
import { parseActivityTime, splitActivityHtml } from "../../../../src/core/import/extract/normalize/gemini";
import { citedAnswer } from "../../../../src/core/import/extract/normalize/perplexity";
import { htmlToMarkdown } from "../../../../src/core/import/extract/normalize/html-text";
import { PROVIDER_IDS } from "../../../../src/core/model/providers";
import { openExport, type ExtractResult, type OpenExportOptions } from "../../../../src/core/import/extract/open-export";

const SOURCES = join(__dirname, "../../../fixtures/sources");
const EXTRACT = join(__dirname, "../../../fixtures/extract");
const SESSIONS = join(__dirname, "../../../fixtures/sessions");
const read = (dir: string, name: string): string => readFileSync(join(dir, name), "utf8");

/** Every provider's own fixture, as the file a user would pass (its usual name). */
const FIXTURES: { provider: Provider; name: string; text: string }[] = [
	{ provider: "claude", name: "conversations.json", text: read(EXTRACT, "claude-edge.json") },
	{ provider: "chatgpt", name: "conversations.json", text: read(EXTRACT, "chatgpt-edge.json") },
	{ provider: "deepseek", name: "conversations.json", text: read(SOURCES, "deepseek-conversations.json") },
	{ provider: "grok", name: "prod-grok-backend.json", text: read(SOURCES, "grok-prod-grok-backend.json") },
	{
		provider: "lechat",
		name: "chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json",
		text: read(SOURCES, "lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json"),
	},
	{ provider: "perplexity", name: "thread.json", text: read(SOURCES, "perplexity-thread.json") },
	{ provider: "perplexity", name: "thread-entries.json", text: read(SOURCES, "perplexity-entries.json") },
	{ provider: "gemini", name: "MyActivity.json", text: read(SOURCES, "gemini-MyActivity.json") },
	{ provider: "gemini", name: "MyActivity.html", text: read(SOURCES, "gemini-MyActivity.html") },
	{
		provider: "claude-code",
		name: "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl",
		text: read(SESSIONS, "claude-code/-home-dev-shop/5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl"),
	},
	{ provider: "claude-code", name: "agent-a1b2c3d4.jsonl", text: read(SESSIONS, "claude-code/-home-dev-shop/agent-a1b2c3d4.jsonl") },
	{
		provider: "codex",
		name: "rollout-2025-10-20T14-02-11-0199a3c2.jsonl",
		text: read(SESSIONS, "codex/2025/10/20/rollout-2025-10-20T14-02-11-0199a3c2-7b41-7d20-9e55-1c2d3e4f5a6b.jsonl"),
	},
	{
		provider: "codex",
		name: "rollout-2025-08-18T07-41-09-6f1d2e3c.jsonl",
		text: read(SESSIONS, "codex/2025/08/18/rollout-2025-08-18T07-41-09-6f1d2e3c-4b5a-4978-8a1b-2c3d4e5f6a7b.jsonl"),
	},
];

let dir: string;
let opened: NodeByteSource[] = [];
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), "sources-"));
	opened = [];
});
afterEach(async () => {
	for (const s of opened) await s.close();
	await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<NodeByteSource> {
	const path = join(dir, name.replace(/\//g, "_"));
	await writeFile(path, content);
	const source = await NodeByteSource.open(path, name);
	opened.push(source);
	return source;
}

async function zip(name: string, entries: Record<string, string>): Promise<NodeByteSource> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	for (const [path, text] of Object.entries(entries)) await writer.add(path, new TextReader(text));
	return file(name, await writer.close());
}

async function conversations(
	sources: NodeByteSource[],
	opts: OpenExportOptions = {},
): Promise<{ provider: Provider | null; results: ExtractResult[]; skipped: string[] }> {
	const reader = await openExport(sources, opts);
	try {
		const results: ExtractResult[] = [];
		for await (const r of reader.conversations()) results.push(r);
		return { provider: reader.inputs[0]?.provider ?? null, results, skipped: reader.skipped.map((s) => s.name) };
	} finally {
		await reader.close();
	}
}

const ok = (results: ExtractResult[]): Conversation[] => results.flatMap((r) => (r.ok ? [r.conversation] : []));
const texts = (c: Conversation): string[] =>
	c.messages.map(
		(m) =>
			`${m.role}: ${m.parts.map((p) => (p.kind === "text" ? p.text : `[${p.kind}${"name" in p && p.name ? ` ${p.name}` : ""}]`)).join(" | ")}`,
	);

describe("detection: every source is told apart by content, none mistaken for another", () => {
	for (const f of FIXTURES) {
		it(`${f.provider} (${f.name}) is detected as ${f.provider}, whole and read in 7-byte chunks`, async () => {
			const whole = await conversations([await file(f.name, f.text)]);
			expect(whole.provider).toBe(f.provider);
			expect(ok(whole.results).length).toBeGreaterThan(0);
			// The Claude and ChatGPT edge fixtures hold broken items on purpose; none may be taken for another source.
			const failures = whole.results.flatMap((r) => (r.ok ? [] : [r.reason]));
			expect(failures.filter((reason) => / conversation inside a /.test(reason))).toEqual([]);
			if (f.provider !== "claude" && f.provider !== "chatgpt") expect(failures).toEqual([]);
			for (const c of ok(whole.results)) expect(c.provider).toBe(f.provider);
			const streamed = await conversations([await file(f.name, f.text)], { chunkSize: 7, wholeMaxBytes: 0 });
			expect(ok(streamed.results)).toEqual(ok(whole.results));
		});

		it(`${f.provider} (${f.name}) is the same under any file name (content decides)`, async () => {
			const renamed = await conversations([await file("export-download.json", f.text)]);
			expect(renamed.provider).toBe(f.provider);
		});

		for (const other of PROVIDER_IDS.filter((p) => p !== f.provider)) {
			it(`${f.provider} (${f.name}) is refused as --provider ${other}`, async () => {
				const attempt = conversations([await file(f.name, f.text)], { provider: other });
				await expect(attempt).rejects.toBeInstanceOf(InputError);
			});
		}
	}

	it("a DeepSeek conversation inside a ChatGPT conversations.json fails as that item, the rest go on", async () => {
		const chatgpt = JSON.parse(read(EXTRACT, "chatgpt-edge.json")) as unknown[];
		const deepseek = JSON.parse(read(SOURCES, "deepseek-conversations.json")) as unknown[];
		const { provider, results } = await conversations([await file("conversations.json", JSON.stringify([...chatgpt, deepseek[0]]))]);
		expect(provider).toBe("chatgpt");
		const foreign = results.filter((r) => !r.ok && / inside a /.test(r.reason));
		expect(foreign).toEqual([
			expect.objectContaining({
				ok: false,
				itemId: "5b1c9e2a-7d44-4c1e-9a0b-2f6e8d1c3a57",
				reason: "a DeepSeek conversation inside a ChatGPT export",
			}),
		]);
	});
});

describe("DeepSeek", () => {
	it("follows the newest branch, takes roles from fragment types, keeps +08:00 times and names files", async () => {
		const [c, untitled] = ok(
			(await conversations([await file("conversations.json", read(SOURCES, "deepseek-conversations.json"))])).results,
		);
		expect(c!.messages.map((m) => m.id)).toEqual(["1", "4", "5", "6"]);
		expect(texts(c!)[0]).toBe(
			"user: Why does the compiler ask for a lifetime on `struct Parser { input: &str }`? | [attachment parser.rs]",
		);
		expect(c!.messages[1]!.parts.map((p) => p.kind)).toEqual(["tool_result", "thinking", "text"]);
		expect(c!.messages[1]!.time).toBe("2025-03-30T05:01:03.442000+08:00");
		expect(c!.models).toEqual(["deepseek-reasoner", "deepseek-chat"]);
		expect(JSON.stringify(c)).not.toContain("abandoned branch");
		expect(untitled!.title).toBe("写一句关于秋天的诗");
	});

	it("in its zip, user.json (e-mail, phone) is never read", async () => {
		const z = await zip("deepseek_data.zip", {
			"conversations.json": read(SOURCES, "deepseek-conversations.json"),
			"user.json": '{"email":"a@b.c","mobile":{"mobile_number":"123"}}',
		});
		const { provider, results, skipped } = await conversations([z]);
		expect(provider).toBe("deepseek");
		expect(ok(results)).toHaveLength(2);
		expect(skipped).toEqual([]);
		expect(JSON.stringify(results)).not.toContain("a@b.c");
	});
});

describe("Grok", () => {
	it("unwraps two levels, reads BSON times, follows parent_response_id to the newest answer, treats a model-name sender as the assistant", async () => {
		const [c, image] = ok(
			(await conversations([await file("prod-grok-backend.json", read(SOURCES, "grok-prod-grok-backend.json"))])).results,
		);
		expect(c!.messages.map((m) => m.id)).toEqual(["r-001", "r-003", "r-004", "r-005"]);
		expect(c!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
		expect(c!.messages[0]!.time).toBe("2025-01-11T08:30:12.451Z");
		expect(c!.models).toEqual(["grok-3", "grok-4"]);
		const answer = "Every 12 hours, 1:5:5 (starter:flour:water). If it peaks in under 6 hours, stiffen it.";
		expect(c!.messages[1]!.parts).toEqual([
			{
				kind: "text",
				text: answer,
				citations: [{ at: answer.length, url: "https://example.org/rye-starter", title: "Rye starter basics" }],
			},
		]);
		// No parent links: time order; an empty message with a generated image keeps the image.
		expect(image!.messages.map((m) => m.id)).toEqual(["s-001", "s-002"]);
		expect(image!.messages[1]!.parts).toEqual([{ kind: "attachment", name: "image.jpg", missing: true }]);
		expect(image!.title).toBe("Draw a lighthouse in fog, watercolor.");
	});

	it("in its zip (two folders deep), the account files are never read", async () => {
		const z = await zip("grok-export.zip", {
			"ttl/30d/export_data/a1b2c3d4/prod-grok-backend.json": read(SOURCES, "grok-prod-grok-backend.json"),
			"ttl/30d/export_data/a1b2c3d4/prod-mc-auth-mgmt-api.json": '{"user":{"email":"a@b.c","birthDate":"1990-01-01"}}',
			"ttl/30d/export_data/a1b2c3d4/prod-mc-asset-server/6f1e2d3c-4b5a-4987-8c6d-5e4f3a2b1c0d/content": "print('hi')",
		});
		const { provider, results } = await conversations([z]);
		expect(provider).toBe("grok");
		expect(ok(results)).toHaveLength(2);
		expect(JSON.stringify(results)).not.toContain("1990-01-01");
	});

	it("streams the conversations array out of the object, whatever comes before or after it", async () => {
		const doc = '{"projects":[{"conversations":[1]}],"x":"\\"conversations\\"","conversations":[{"a":1},{"b":[2,"]"]}],"tasks":[]}';
		for (const size of [1, 3, 1024]) {
			const items = [];
			for await (const item of splitMemberArray(chunksOf(new TextEncoder().encode(doc), size), "conversations")) items.push(item);
			expect(items.map((i) => (i.ok ? i.value : i.reason))).toEqual([{ a: 1 }, { b: [2, "]"] }]);
			expect(doc.slice(items[0]!.offset, items[0]!.offset + 7)).toBe('{"a":1}');
		}
	});
});

describe("Le Chat", () => {
	it("one file is one chat: sorted by time, the answer read once (not content AND its chunk), tool arguments parsed", async () => {
		const [c] = ok(
			(
				await conversations([
					await file(
						"chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json",
						read(SOURCES, "lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json"),
					),
				])
			).results,
		);
		expect(c!.id).toBe("3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c");
		expect(c!.messages.map((m) => m.id)).toEqual(["m-1", "m-2", "m-3", "m-4"]);
		expect(c!.messages[1]!.parts).toEqual([
			{ kind: "tool_call", name: "web_search", summary: "query: highest mountain in the Alps height" },
			{ kind: "text", text: "The tallest is Mont Blanc at about 4,806 m, on the French–Italian border." },
		]);
		expect(texts(c!)[0]).toBe("user: What is the highest mountain in the Alps? | [attachment alps-panorama.jpg]");
		expect(c!.title).toBe("What is the highest mountain in the Alps?");
		expect(c!.models).toEqual([]);
	});

	it("a zip of chat files gives one conversation per file; the uploads folder is not read as a chat", async () => {
		const z = await zip("lechat.zip", {
			"chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json": read(SOURCES, "lechat-chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c.json"),
			"chat-3c1f0a9e-2b7d-4e65-a8c4-1d2e3f4a5b6c-files/alps-panorama.jpg": "jpeg bytes",
			"chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json": read(SOURCES, "lechat-chat-7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d.json"),
		});
		const { provider, results } = await conversations([z]);
		expect(provider).toBe("lechat");
		expect(ok(results).map((c) => c.messages.length)).toEqual([4, 2]);
	});
});

describe("Perplexity", () => {
	it("a thread's answers cite their sources where the [n] marks were; the entries form reads the same", async () => {
		const [thread] = ok((await conversations([await file("thread.json", read(SOURCES, "perplexity-thread.json"))])).results);
		expect(thread!.id).toBe("4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d");
		expect(thread!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
		const text = "For hiking and midnight sun, **June to August**; for northern lights, **late September to March**.";
		expect(thread!.messages[1]!.parts).toEqual([
			{
				kind: "text",
				text,
				citations: [
					{ at: text.length - 1, url: "https://example.com/lofoten/seasons", title: "Visit Lofoten – seasons" },
					{ at: text.length - 1, url: "https://example.org/aurora?region=lofoten&x=(1)", title: "Aurora forecast (Norway)" },
				],
			},
		]);
		expect(thread!.messages[3]!.parts).toEqual([
			{ kind: "text", text: "Not strictly: buses run along the E10, but a car makes the trailheads far easier to reach." },
		]);
		expect(thread!.models).toEqual(["sonar", "gpt-4o"]);
		const [entries] = ok((await conversations([await file("thread-entries.json", read(SOURCES, "perplexity-entries.json"))])).results);
		expect(entries!.id).toBe("cc33dd44-ee55-4f66-a077-889900112233");
		const answer = 'It is the *assignment expression* ("walrus"): it assigns and returns a value, e.g. `if (n := len(a)) > 10:`.';
		expect(entries!.messages.map((m) => m.parts)).toEqual([
			[{ kind: "text", text: "What does := do in Python?" }],
			[
				{
					kind: "text",
					text: answer,
					citations: [{ at: answer.length, url: "https://peps.python.org/pep-0572/", title: "PEP 572 – Assignment Expressions" }],
				},
			],
		]);
	});

	it("a mark with no such source stays as written", () => {
		expect(citedAnswer("See [3] and [1].", [{ title: "A", url: "https://a" }])).toEqual({
			text: "See [3] and.",
			citations: [{ at: 11, url: "https://a", title: "A" }],
		});
		expect(
			citedAnswer("Yes[1][2] and no", [
				{ title: "A", url: "https://a" },
				{ title: "", url: "https://b" },
			]),
		).toEqual({
			text: "Yes and no",
			citations: [
				{ at: 3, url: "https://a", title: "A" },
				{ at: 3, url: "https://b" },
			],
		});
	});
});

describe("Gemini (Takeout activity)", () => {
	it("JSON: groups records by their conversation link, else by 30-minute gaps; skips non-prompt records; oldest first", async () => {
		const cs = ok((await conversations([await file("MyActivity.json", read(SOURCES, "gemini-MyActivity.json"))])).results);
		expect(cs.map((c) => c.id)).toEqual(["activity-2025-02-27T22:00:01.000Z", "9f3c2b1a0e4d5c6b", "activity-2025-03-02T18:31:47.905Z"]);
		const [welsh, linked, ragu] = cs;
		expect(welsh!.title).toBe('Translate "good morning" into Welsh');
		expect(texts(welsh!)).toEqual(['user: Translate "good morning" into Welsh | [attachment note-photo.png]', "assistant: **Bore da**."]);
		expect(linked!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
		expect(linked!.messages[3]!.parts[1]).toEqual({
			kind: "attachment",
			name: "cat-map-7Hk2.png",
			ref: "gemini:cat-map-7Hk2.png",
			missing: true,
		});
		expect(ragu!.messages).toHaveLength(4);
		expect(texts(ragu!)[0]).toBe("user: A ragù for 6 people: quantities? | [attachment pantry.jpg]");
		// A regenerated answer: the first is the answer, the other follows as another draft.
		expect(ragu!.messages[1]!.parts).toHaveLength(2);
		expect(ragu!.messages[1]!.parts[0]).toEqual({
			kind: "text",
			text: "## Ragù for 6\n\n- 900 g minced beef\n- 2 tins of tomatoes (800 g)\n- 1 onion, 1 carrot, 1 celery stalk\n\nSimmer for *at least* 2 hours.",
		});
		expect(welsh!.unknown).toEqual({ 'skipped "Gave" record': 1, 'skipped "Created" record': 1 });
		expect(cs.every((c) => c.models.length === 0)).toBe(true);
	});

	it("HTML: read per record from the stream (1-byte chunks too): Gem line left out, zone-labelled times, an empty answer kept as a prompt", async () => {
		const html = read(SOURCES, "gemini-MyActivity.html");
		const whole = ok((await conversations([await file("MyActivity.html", html)])).results);
		const tiny = ok((await conversations([await file("MyActivity.html", html)], { chunkSize: 1 })).results);
		expect(tiny).toEqual(whole);
		expect(whole.map((c) => c.title)).toEqual([
			"what is the capital of Australia? (not Sydney)",
			"summarise this meeting in 3 bullets",
			"and for a blue cheese?",
		]);
		const [capital, meeting, wine] = whole;
		expect(capital!.created).toBe("2025-02-28T07:00:00.000Z");
		expect(texts(meeting!)).toEqual(["user: summarise this meeting in 3 bullets"]);
		expect(texts(wine!)).toEqual([
			"user: and for a blue cheese?",
			"assistant: A sweet wine such as Sauternes.",
			"user: what pairs with <b>gruyère</b>?",
			"assistant: Try a dry **Riesling** or a *Chasselas*.\n\nPears and walnuts too.",
		]);
		expect(JSON.stringify(whole)).not.toContain("was used in this chat");
		expect(JSON.stringify(whole)).not.toContain("extension");
	});

	it("a full Takeout zip: only the Gemini Apps activity is read; other products' MyActivity files are skipped", async () => {
		const z = await zip("takeout-20250305T101500Z-001.zip", {
			"Takeout/My Activity/Search/MyActivity.json": JSON.stringify([
				{ header: "Search", title: "Searched for ragù", time: "2025-03-01T10:00:00.000Z", products: ["Search"] },
			]),
			"Takeout/My Activity/Gemini Apps/MyActivity.json": read(SOURCES, "gemini-MyActivity.json"),
			"Takeout/archive_browser.html": "<html></html>",
		});
		const { provider, results, skipped } = await conversations([z]);
		expect(provider).toBe("gemini");
		expect(ok(results)).toHaveLength(3);
		expect(skipped).toEqual(["takeout-20250305T101500Z-001.zip:Takeout/My Activity/Search/MyActivity.json"]);
	});

	it("reads activity times in the export's zone", () => {
		expect(parseActivityTime("Mar 4, 2025, 7:15:09\u202fPM CET")).toBe("2025-03-04T18:15:09.000Z");
		expect(parseActivityTime("Jul 1, 2024, 12:05:00 AM PDT")).toBe("2024-07-01T07:05:00.000Z");
		expect(parseActivityTime("Jan 2, 2025, 9:00:00 AM GMT+05:30")).toBe("2025-01-02T03:30:00.000Z");
		expect(parseActivityTime("Prompted hello")).toBeNull();
	});

	it("an HTML page of another product gives no records", async () => {
		const page = read(SOURCES, "gemini-MyActivity.html").replace(/Gemini Apps/g, "YouTube");
		const records = [];
		for await (const r of splitActivityHtml(chunksOf(new TextEncoder().encode(page), 64))) records.push(r);
		expect(records.length).toBeGreaterThan(0);
		const attempt = conversations([await file("MyActivity.html", page)]);
		await expect(attempt).rejects.toBeInstanceOf(InputError);
	});
});

describe("htmlToMarkdown", () => {
	it("keeps code byte-exact and lists links and images", () => {
		const { text, images } = htmlToMarkdown(
			'<p>See <a href="https://x.y/a b">the (docs)</a>:</p><pre><code>if a &lt; b:\n    pass\n</code></pre><img src="/i/p.png">',
		);
		expect(text).toBe("See [the (docs)](https://x.y/a%20b):\n\n```\nif a < b:\n    pass\n\n```");
		expect(images).toEqual(["/i/p.png"]);
	});
});
