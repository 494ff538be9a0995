import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../core/_support/temp-vault";
import {
	allFiles,
	chatgptConv,
	claudeConv,
	contractJson,
	importJson,
	newVault,
	notesIn,
	runCli,
	SAMPLES,
	SESSION_ROOT_DIR,
	sessionIds,
	snapshot,
	vaultFiles,
	writeJson,
	writeZip,
} from "./import-support";

interface StatusJson {
	session: { session_id: string; status: string };
	phases: {
		import?: {
			status: string;
			counts: Record<string, number>;
			stages: Record<string, { status: string; counts: Record<string, number> }>;
			failures: { item_id: string; title: string | null; stage: string; reason: string }[];
		};
	};
}

async function loadRecords(vault: string, sessionId: string): Promise<{ item_id: string; status: string }[]> {
	const text = await readFile(join(vault, SESSION_ROOT_DIR, sessionId, "import", "pipeline_stages.jsonl"), "utf8").catch(() => "");
	return text
		.split("\n")
		.filter((l) => l.trim() !== "")
		.map((l) => JSON.parse(l) as { item_id: string; stage: string; status: string })
		.filter((r) => r.stage === "load");
}

/** An export folder: a Claude zip with two conversations and a ChatGPT conversations.json with one. */
async function mixedExport(): Promise<string> {
	const dir = await tempDir("ketl-retry-");
	await writeZip(join(dir, "export", "claude.zip"), {
		"conversations.json": JSON.stringify([claudeConv({ id: "c1", title: "Claude one" }), claudeConv({ id: "c2", title: "Claude two" })]),
	});
	await writeJson(join(dir, "export", "conversations.json"), [chatgptConv({ id: "g1", title: "GPT one" })]);
	return join(dir, "export");
}

describe("retry and status", () => {
	it("a load failure (the provider folder is a file) → exit 4; status shows it; fixed, retry redoes only that item → exit 0", async () => {
		const input = await mixedExport();
		const vault = await newVault();
		await mkdir(join(vault, "AI Conversations"), { recursive: true });
		await writeFile(join(vault, "AI Conversations", "ChatGPT"), "I am a file where a folder should be\n");

		const first = await importJson([input], vault);
		expect(first.code).toBe(4);
		expect(first.json.counts).toEqual({ total: 3, success: 2, failed: 1, skipped: 0 });
		expect(first.json.failures).toHaveLength(1);
		const failure = first.json.failures[0]!;
		expect(failure).toMatchObject({ item_id: "g1", title: "GPT one", stage: "load" });
		expect(failure.reason).toMatch(/ChatGPT|ENOTDIR|EEXIST|not a directory|exists/i);
		const id = first.json.session_id;

		const status = await runCli(["status", "--session", id, "--vault", vault, "--json"]);
		expect(status.code).toBe(0);
		const report = JSON.parse(status.out) as StatusJson;
		const phase = report.phases.import!;
		expect(phase.status).toBe("partial");
		expect(phase.stages.extract!.counts).toMatchObject({ total: 3, success: 3, failed: 0 });
		expect(phase.stages.transform!.counts).toMatchObject({ total: 3, success: 3, failed: 0 });
		expect(phase.stages.load!.counts).toMatchObject({ total: 3, success: 2, failed: 1 });
		expect(phase.failures).toEqual([expect.objectContaining({ item_id: "g1", stage: "load", reason: failure.reason })]);
		const human = await runCli(["status", "--session", id, "--vault", vault]);
		expect(human.err).toContain("GPT one");

		// Fix the cause; a stale temp file of a killed write lies around too.
		await rm(join(vault, "AI Conversations", "ChatGPT"));
		await writeFile(join(vault, "AI Conversations", "Claude", "Claude one.md.tmp-0123456789ab"), "half a no");
		const claudeBefore = await snapshot(vault);
		claudeBefore.delete("AI Conversations/Claude/Claude one.md.tmp-0123456789ab");
		// The completed run folded the two Claude items (created, every stage done) into a count; g1's failure stays.
		expect((await loadRecords(vault, id)).map((r) => r.item_id)).toEqual(["g1"]);

		const retry = await runCli(["retry", "--session", id, "--vault", vault, "--json"]);
		expect(retry.code, retry.err).toBe(0);
		const summary = contractJson(retry);
		expect(summary.session_id).toBe(id);
		expect(summary.status).toBe("completed");
		expect(summary.counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
		expect(summary.failures).toEqual([]);
		expect(await notesIn(vault, "AI Conversations/ChatGPT")).toEqual(["GPT one.md"]);
		// Only the failed item went through load again; the Claude notes were not touched.
		// The retried item went through and was folded too: three items created, each once (a Claude item loaded
		// again would be counted again, as "unchanged"), and no record is left.
		const folded = JSON.parse(await readFile(join(vault, SESSION_ROOT_DIR, id, "import", "pipeline_folded.json"), "utf8")) as {
			items: number;
			outcomes: Record<string, number>;
		};
		expect(folded).toMatchObject({ items: 3, outcomes: { created: 3 } });
		expect(await loadRecords(vault, id)).toEqual([]);
		const after = await snapshot(vault);
		for (const [p, s] of claudeBefore) expect(after.get(p)).toEqual(s);
		expect(await allFiles(vault)).not.toContain("AI Conversations/Claude/Claude one.md.tmp-0123456789ab");
		expect(await sessionIds(vault)).toEqual([id]);

		const statusAfter = JSON.parse((await runCli(["status", "--session", id, "--vault", vault, "--json"])).out) as StatusJson;
		expect(statusAfter.phases.import!.status).toBe("completed");
		expect(statusAfter.phases.import!.failures).toEqual([]);
		expect(statusAfter.phases.import!.stages.load!.counts).toMatchObject({ failed: 0 });

		// Nothing left to retry: exit 0, still exactly the contract object.
		const again = await runCli(["retry", "--session", id, "--vault", vault, "--json"]);
		expect(again.code).toBe(0);
		expect(contractJson(again).counts).toEqual({ total: 3, success: 3, failed: 0, skipped: 0 });
	});

	it("every item fails in load → exit 5", async () => {
		const dir = await tempDir("ketl-retry-");
		const input = await writeJson(join(dir, "conversations.json"), [
			chatgptConv({ id: "g1", title: "One" }),
			chatgptConv({ id: "g2", title: "Two" }),
		]);
		const vault = await newVault();
		await mkdir(join(vault, "AI Conversations"), { recursive: true });
		await writeFile(join(vault, "AI Conversations", "ChatGPT"), "blocker\n");
		const r = await importJson([input], vault);
		expect(r.code).toBe(5);
		expect(r.json.status).toBe("failed");
		expect(r.json.counts).toEqual({ total: 2, success: 0, failed: 2, skipped: 0 });
		expect(r.json.failures.map((f) => f.stage)).toEqual(["load", "load"]);
	});

	it("retry or resume of an unknown session → exit 2", async () => {
		const vault = await newVault();
		for (const cmd of ["retry", "resume"]) {
			const r = await runCli([cmd, "--session", "20200101_000000", "--vault", vault, "--json"]);
			expect(r.code).toBe(2);
			expect(r.err).toContain("20200101_000000");
		}
	});
});

describe("--dry-run and --limit", () => {
	it("--dry-run decides every note and writes none", async () => {
		const vault = await newVault();
		const r = await importJson([join(SAMPLES, "claude-export.zip")], vault, ["--dry-run"]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 4, success: 4, failed: 0, skipped: 0 });
		expect(r.json.notes.created).toBe(4);
		expect(await vaultFiles(vault)).toEqual([]);
		expect(await allFiles(join(vault, SESSION_ROOT_DIR, r.json.session_id, "import", "load", "output"))).toEqual([]);
		// A real run afterwards creates them all.
		const real = await importJson([join(SAMPLES, "claude-export.zip")], vault);
		expect(real.json.notes.created).toBe(4);
		expect(await notesIn(vault, "AI Conversations/Claude")).toHaveLength(4);
	});

	it("--limit N imports N conversations", async () => {
		const vault = await newVault();
		const r = await importJson([join(SAMPLES, "claude-export.zip")], vault, ["--limit", "2"]);
		expect(r.code).toBe(0);
		expect(r.json.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0 });
		expect(await notesIn(vault, "AI Conversations/Claude")).toHaveLength(2);
		const one = await newVault();
		const r1 = await importJson([join(SAMPLES, "chatgpt", "conversations.json")], one, ["--limit", "1"]);
		expect(r1.json.counts.success).toBe(1);
		expect(await notesIn(one, "AI Conversations/ChatGPT")).toHaveLength(1);
	});

	it("--limit counts imported conversations, not skipped ones", async () => {
		const dir = await tempDir("ketl-limit-");
		const input = await writeJson(join(dir, "conversations.json"), [
			claudeConv({ id: "e", title: "Empty", messages: [] }),
			claudeConv({ id: "a", title: "A" }),
			claudeConv({ id: "b", title: "B" }),
			claudeConv({ id: "c", title: "C" }),
		]);
		const vault = await newVault();
		const r = await importJson([input], vault, ["--limit", "2"]);
		expect(r.code).toBe(0);
		expect(await notesIn(vault, "AI Conversations/Claude")).toEqual(["A.md", "B.md"]);
	});
});
