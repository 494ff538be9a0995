import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { previewSources } from "../../src/core/import/pipeline/preview-import";
import { NodeByteSource } from "../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import { tempDir } from "../core/_support/temp-vault";
import { claudeConv, frontmatterValue, importJson, newVault, runCli, vaultFiles, writeJson, type ConvSpec } from "./import-support";

/**
 * Organize and import share one truth (issue 16.3): organize moves and edits imported notes (genre folders,
 * `genre`/`topic`/`summary` keys), and a re-import with conversations updated at the source updates those notes
 * in place where they now are, keeping organize's keys; the preview and the run tell the same counts.
 */
const specs: ConvSpec[] = [
	{
		id: "o1",
		title: "Python list comprehension",
		messages: [
			{ role: "user", text: "How do I write a python list comprehension with a function and code?" },
			{ role: "assistant", text: "Use [f(x) for x in xs] in python code." },
		],
	},
	{
		id: "o2",
		title: "Sourdough bread recipe",
		messages: [
			{ role: "user", text: "A recipe for sourdough bread, please: flour, water, salt, cooking time?" },
			{ role: "assistant", text: "Mix the flour and water, bake the bread in the oven." },
		],
	},
	{
		id: "o3",
		title: "Trip to Kyoto",
		messages: [
			{ role: "user", text: "Plan a travel itinerary: trip to Kyoto, hotel and flight." },
			{ role: "assistant", text: "Day one: temples. Book the hotel early." },
		],
	},
	{
		id: "o4",
		title: "Unrelated musing",
		messages: [
			{ role: "user", text: "Hello there." },
			{ role: "assistant", text: "Hi." },
		],
	},
];

function grown(list: ConvSpec[], ids: string[]): ConvSpec[] {
	return list.map((s) =>
		ids.includes(s.id)
			? {
					...s,
					updated: "2025-05-01T09:00:00Z",
					messages: [
						...(s.messages ?? []),
						{ role: "user" as const, text: `NEW-TURN-${s.id}` },
						{ role: "assistant" as const, text: `NEW-ANSWER-${s.id}` },
					],
				}
			: s,
	);
}

async function organize(vault: string, ...extra: string[]): Promise<{ session: string; code: number; err: string }> {
	const r = await runCli(["organize", "--vault", vault, "--json", ...extra]);
	const json = r.out.trim() === "" ? {} : (JSON.parse(r.out) as { session?: string; sessionId?: string });
	return { session: json.session ?? json.sessionId ?? "", code: r.code, err: r.err };
}

/** Path (vault-relative) → text of every imported note (by its source_id). */
async function notesById(vault: string): Promise<Map<string, { path: string; text: string }>> {
	const out = new Map<string, { path: string; text: string }>();
	for (const path of await vaultFiles(vault)) {
		if (!path.endsWith(".md")) continue;
		const text = await readFile(join(vault, path), "utf8");
		const id = frontmatterValue(text, "source_id");
		if (id) out.set(id, { path, text });
	}
	return out;
}

async function preview(vault: string, file: string): Promise<{ new: number; updated: number; unchanged: number }> {
	const source = await NodeByteSource.open(file);
	try {
		return await previewSources({ store: new NodeStagingStore(vault), vault: new NodeNoteVault(vault) }, [source], { provider: "claude" });
	} finally {
		await source.close?.();
	}
}

async function setup(): Promise<{ dir: string; vault: string; organized: Map<string, { path: string; text: string }>; session: string }> {
	const dir = await tempDir("ketl-after-organize-");
	const vault = await newVault();
	const first = await writeJson(join(dir, "v1.json"), specs.map(claudeConv));
	expect((await importJson([first], vault, ["--provider", "claude"])).json.notes.created).toBe(4);
	const applied = await organize(vault, "--apply");
	expect(applied.code, applied.err).toBe(0);
	const organized = await notesById(vault);
	// Organize did move and edit them (else this test proves nothing).
	for (const { path, text } of organized.values()) {
		expect(path).not.toMatch(/^AI Conversations\/Claude\//);
		expect(frontmatterValue(text, "genre")).toBeTruthy();
	}
	return { dir, vault, organized, session: applied.session };
}

describe("re-import after organize (issue 16.3)", () => {
	it("updates the grown conversations in place in their genre folders, keeping organize's keys; preview and run agree", async () => {
		const { dir, vault, organized } = await setup();
		const second = await writeJson(join(dir, "v2.json"), grown(specs, ["o1", "o2", "o3"]).map(claudeConv));
		const seen = await preview(vault, second);
		const dry = await importJson([second], vault, ["--provider", "claude", "--dry-run"]);
		const r = await importJson([second], vault, ["--provider", "claude"]);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 3, unchanged: 1, preserved: 0 });
		expect(dry.json.notes).toMatchObject({ created: 0, updated: 3, unchanged: 1, preserved: 0 });
		expect(seen).toMatchObject({ new: r.json.notes.created, updated: r.json.notes.updated, unchanged: r.json.notes.unchanged });
		const after = await notesById(vault);
		expect([...after.keys()].sort()).toEqual(["o1", "o2", "o3", "o4"]);
		for (const id of ["o1", "o2", "o3"]) {
			const was = organized.get(id)!;
			const now = after.get(id)!;
			expect(now.path).toBe(was.path);
			expect(now.text).toContain(`NEW-ANSWER-${id}`);
			for (const key of ["genre", "topic", "summary", "normalized"])
				expect(frontmatterValue(now.text, key), key).toBe(frontmatterValue(was.text, key));
		}
		expect(after.get("o4")).toEqual(organized.get("o4"));
		// The index followed the notes: each record names the note's organized path.
		const index = (await readFile(join(vault, ".staging/@index/import-index.jsonl"), "utf8"))
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { source_id: string; path: string });
		for (const id of ["o1", "o2", "o3", "o4"]) expect(index.filter((r) => r.source_id === id).pop()!.path).toBe(organized.get(id)!.path);
		// Once only: the same export again changes nothing.
		const again = await importJson([second], vault, ["--provider", "claude"]);
		expect(again.json.notes).toMatchObject({ created: 0, updated: 0, unchanged: 4, preserved: 0 });
		expect(await notesById(vault)).toEqual(after);
	});

	it("a note the user edited before organize is still the user's after it (organize does not make the edit its own)", async () => {
		const dir = await tempDir("ketl-after-organize-");
		const vault = await newVault();
		const first = await writeJson(join(dir, "v1.json"), specs.map(claudeConv));
		await importJson([first], vault, ["--provider", "claude"]);
		const path = join(vault, "AI Conversations/Claude/Trip to Kyoto.md");
		await writeFile(path, `${await readFile(path, "utf8")}\nMY-OWN-LINE\n`);
		expect((await organize(vault, "--apply")).code).toBe(0);
		const second = await writeJson(join(dir, "v2.json"), grown(specs, ["o3"]).map(claudeConv));
		const before = (await notesById(vault)).get("o3")!;
		const r = await importJson([second], vault, ["--provider", "claude"]);
		// Not rewritten: the new turns are added below the user's text (issue 16.4), which stays byte for byte.
		expect(r.json.notes).toMatchObject({ updated: 1, preserved: 0 });
		const note = (await notesById(vault)).get("o3")!;
		expect(note.path).toBe(before.path);
		expect(note.text.startsWith(before.text)).toBe(true);
		expect(note.text).toContain("MY-OWN-LINE");
		expect(note.text.slice(before.text.length)).toContain("NEW-ANSWER-o3");
		// With --edited preserve it would have been left alone (the organize edit did not make it ours).
		const third = await writeJson(
			join(dir, "v3.json"),
			grown(grown(specs, ["o3"]), ["o3"]).map((s) => claudeConv({ ...s, updated: s.id === "o3" ? "2025-06-01T09:00:00Z" : s.updated })),
		);
		const kept = await importJson([third], vault, ["--provider", "claude", "--edited", "preserve"]);
		expect(kept.json.notes).toMatchObject({ updated: 0, preserved: 1 });
	});

	it("the same after undo: notes back in the import's folder, updated there", async () => {
		const { dir, vault, session } = await setup();
		const undo = await runCli(["organize", "--vault", vault, "--undo", session, "--json"]);
		expect(undo.code, undo.err).toBe(0);
		const undone = await notesById(vault);
		for (const { path, text } of undone.values()) {
			expect(path).toMatch(/^AI Conversations\/Claude\//);
			expect(frontmatterValue(text, "genre")).toBeFalsy();
		}
		const second = await writeJson(join(dir, "v2.json"), grown(specs, ["o2", "o4"]).map(claudeConv));
		const seen = await preview(vault, second);
		const r = await importJson([second], vault, ["--provider", "claude"]);
		expect(r.json.notes).toMatchObject({ created: 0, updated: 2, unchanged: 2, preserved: 0 });
		expect(seen).toMatchObject({ new: 0, updated: 2, unchanged: 2 });
		const after = await notesById(vault);
		for (const id of ["o2", "o4"]) {
			expect(after.get(id)!.path).toBe(undone.get(id)!.path);
			expect(after.get(id)!.text).toContain(`NEW-ANSWER-${id}`);
		}
		for (const id of ["o1", "o3"]) expect(after.get(id)).toEqual(undone.get(id));
	});
});
