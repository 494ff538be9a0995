import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLoadManifest } from "../../src/core/import/pipeline/compact-session";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import {
	frontmatterValue,
	importJson,
	newVault,
	notesIn,
	PUBLIC_FIXTURES,
	readNote,
	SAMPLES,
	SESSION_ROOT_DIR,
	vaultFiles,
} from "./import-support";

/**
 * Each note in the vault is in the session's load/output/manifest.jsonl (path, hash, bytes, created), and no copy
 * of it is kept there (a copy only in debug mode).
 */
async function expectSessionCopies(vault: string, sessionId: string, provider: "Claude" | "ChatGPT"): Promise<string[]> {
	const notes = await notesIn(vault, `AI Conversations/${provider}`);
	const outDir = join(vault, SESSION_ROOT_DIR, sessionId, "import", "load", "output");
	expect(existsSync(join(outDir, provider))).toBe(false);
	// Packed when the session completed (folder, names and bytes); the hashes are the import index's.
	const manifest = await readLoadManifest(new NodeStagingStore(vault), sessionId);
	const index = new Map(
		(await readFile(join(vault, ".staging/@index/import-index.jsonl"), "utf8"))
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { path: string; hash: string })
			.map((r) => [r.path, r.hash]),
	);
	const mine = manifest.filter((m) => m.p.startsWith(`AI Conversations/${provider}/`));
	expect(mine.map((m) => m.p.slice(`AI Conversations/${provider}/`.length)).sort()).toEqual(notes);
	for (const m of mine) {
		const note = await readNote(vault, m.p);
		expect(m).toEqual({ p: m.p, d: "created", b: Buffer.byteLength(note) });
		expect(index.get(m.p)).toBe(`s2:${createHash("sha256").update(note).digest("hex")}`);
		expect(frontmatterValue(note, "session")).toBe(sessionId);
		expect(frontmatterValue(note, "source")).toBe(provider.toLowerCase());
	}
	return notes;
}

describe("import of the project's sample exports (CLI main)", () => {
	it("imports the Claude sample zip: one note per conversation, each in the load manifest, exit 0", async () => {
		const vault = await newVault();
		const r = await importJson([join(SAMPLES, "claude-export.zip")], vault);
		expect(r.code).toBe(0);
		expect(r.json.status).toBe("completed");
		expect(r.json.counts).toEqual({ total: 4, success: 4, failed: 0, skipped: 0 });
		expect(r.json.notes).toMatchObject({ created: 4, updated: 0, unchanged: 0, preserved: 0 });
		const notes = await expectSessionCopies(vault, r.json.session_id, "Claude");
		expect(notes).toHaveLength(4);
		expect(notes).toContain("京都2泊3日の紅葉旅行プラン.md");
		// Nothing outside the provider folder (and .staging).
		expect((await vaultFiles(vault)).every((p) => p.startsWith("AI Conversations/Claude/"))).toBe(true);
		// People's summary goes to stderr, not stdout.
		expect(r.err).toContain(`Session ${r.json.session_id}`);
	});

	it("imports the ChatGPT sample conversations.json", async () => {
		const vault = await newVault();
		const r = await importJson([join(SAMPLES, "chatgpt", "conversations.json")], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		const notes = await expectSessionCopies(vault, r.json.session_id, "ChatGPT");
		expect(notes).toHaveLength(3);
		expect((await vaultFiles(vault)).every((p) => p.startsWith("AI Conversations/ChatGPT/"))).toBe(true);
	});

	it("imports both samples in one session (two inputs, two provider folders)", async () => {
		const vault = await newVault();
		const r = await importJson([join(SAMPLES, "claude-export.zip"), join(SAMPLES, "chatgpt", "conversations.json")], vault);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 7, success: 7, failed: 0, skipped: 0 });
		expect(await expectSessionCopies(vault, r.json.session_id, "Claude")).toHaveLength(4);
		expect(await expectSessionCopies(vault, r.json.session_id, "ChatGPT")).toHaveLength(3);
	});
});

const havePublic = existsSync(PUBLIC_FIXTURES);
if (!havePublic) console.warn(`Skipping the public-fixture import tests: ${PUBLIC_FIXTURES} is missing`);

describe.skipIf(!havePublic)(`import of the public fixtures (${PUBLIC_FIXTURES})`, () => {
	const cases: {
		file: string;
		provider: "Claude" | "ChatGPT";
		code: number;
		counts: { total: number; success: number; failed: number; skipped: number };
		failures: { stage: string; reason: RegExp; title: string | null }[];
	}[] = [
		{
			file: "claude-conversations.chatlore.json",
			provider: "Claude",
			code: 4,
			counts: { total: 3, success: 2, failed: 1, skipped: 0 },
			failures: [
				{ stage: "extract", reason: /claude-conversations\.chatlore\.json, conversation 3: .*chat_messages/, title: "Broken record" },
			],
		},
		{
			file: "chatgpt-conversations.chatlore.json",
			provider: "ChatGPT",
			code: 4,
			counts: { total: 4, success: 2, failed: 2, skipped: 0 },
			failures: [
				{ stage: "extract", reason: /conversation 3: .*mapping/, title: "Broken record" },
				{ stage: "extract", reason: /conversation 4: .*neither conversation_id nor id/, title: "No id" },
			],
		},
		{
			file: "chatgpt-branching-example.mitkury.json",
			provider: "ChatGPT",
			code: 0,
			counts: { total: 1, success: 1, failed: 0, skipped: 0 },
			failures: [],
		},
	];
	for (const c of cases) {
		it(`${c.file}: exit ${c.code}, ${c.counts.success} notes, broken records fail alone with reasons`, async () => {
			const vault = await newVault();
			const r = await importJson([join(PUBLIC_FIXTURES, c.file)], vault);
			expect(r.code).toBe(c.code);
			expect(r.json.status).toBe(c.code === 0 ? "completed" : "partial");
			expect(r.json.counts).toEqual(c.counts);
			expect(r.json.notes.created).toBe(c.counts.success);
			expect(r.json.failures.map((f) => ({ stage: f.stage, title: f.title }))).toEqual(
				c.failures.map((f) => ({ stage: f.stage, title: f.title })),
			);
			r.json.failures.forEach((f, i) => expect(f.reason).toMatch(c.failures[i]!.reason));
			for (const f of r.json.failures) expect(f.item_id).not.toBe("");
			expect(await expectSessionCopies(vault, r.json.session_id, c.provider)).toHaveLength(c.counts.success);
			if (c.failures.length > 0) expect(r.err).toMatch(/failed \[extract\]/);
		});
	}

	it("the branching example keeps the active branch only (current_node path)", async () => {
		const vault = await newVault();
		const r = await importJson([join(PUBLIC_FIXTURES, "chatgpt-branching-example.mitkury.json")], vault);
		const [note] = await notesIn(vault, "AI Conversations/ChatGPT");
		const fixture = JSON.parse(await readFile(join(PUBLIC_FIXTURES, "chatgpt-branching-example.mitkury.json"), "utf8")) as unknown;
		const conv = (Array.isArray(fixture) ? fixture[0] : fixture) as {
			mapping: Record<string, { message?: { content?: { parts?: unknown[] } } | null }>;
		};
		const text = await readNote(vault, `AI Conversations/ChatGPT/${note}`);
		const partOf = (id: string): string => {
			const part = conv.mapping[id]?.message?.content?.parts?.[0];
			return typeof part === "string" ? part : "";
		};
		expect(r.code).toBe(0);
		// msg-4 and msg-5 are siblings; the active path (current_node msg-6) goes through one of them only.
		const four = partOf("msg-4");
		const five = partOf("msg-5");
		expect(four).not.toBe("");
		expect(five).not.toBe("");
		expect(text.includes(four) !== text.includes(five)).toBe(true);
		expect(text).toContain(partOf("msg-6"));
	});

	it("all three public fixtures in one run: exit 4, the good ones imported", async () => {
		const vault = await newVault();
		const r = await importJson(
			["claude-conversations.chatlore.json", "chatgpt-conversations.chatlore.json", "chatgpt-branching-example.mitkury.json"].map((f) =>
				join(PUBLIC_FIXTURES, f),
			),
			vault,
		);
		expect(r.code).toBe(4);
		expect(r.json.counts).toEqual({ total: 8, success: 5, failed: 3, skipped: 0 });
		expect(await notesIn(vault, "AI Conversations/Claude")).toHaveLength(2);
		expect(await notesIn(vault, "AI Conversations/ChatGPT")).toHaveLength(3);
	});
});
