import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatgptConv, importJson, newVault, writeJson } from "./import-support";
import { tempDir } from "../core/_support/temp-vault";

async function put(vault: string, path: string, ageMs: number): Promise<void> {
	const abs = join(vault, path);
	await mkdir(dirname(abs), { recursive: true });
	await writeFile(abs, "left over");
	const t = (Date.now() + ageMs) / 1000;
	await utimes(abs, t, t);
}

async function exists(vault: string, path: string): Promise<boolean> {
	const names = await readdir(join(vault, dirname(path))).catch(() => [] as string[]);
	return names.includes(path.slice(path.lastIndexOf("/") + 1));
}

// Issue 15 item 5: no temp file of an atomic write (`<name>.tmp-<hex>`) left by a killed run survives a new run: the
// run removes those in .staging and beside its notes that are older than its request for the vault lock, and
// nothing else.
describe("temp files left by a killed run", () => {
	it("are removed by the next import, in .staging and beside the notes; newer ones, other names and other folders stay", async () => {
		const vault = await newVault();
		const hour = -3_600_000;
		const stale = [
			".staging/@session/20250101_000000/import/phase.json.tmp-0123abcd4567",
			".staging/@index/import-index.jsonl.tmp-89abcdef",
			"AI Conversations/ChatGPT/Old note.md.tmp-deadbeef01",
		];
		for (const path of stale) await put(vault, path, hour);
		const kept = [
			// written after the run asked for the lock: another writer's, maybe (a clock step cannot make it stale)
			".staging/@index/import-index.jsonl.tmp-fedcba9876",
			// not our pattern
			"AI Conversations/ChatGPT/notes.tmp-draft",
			"AI Conversations/ChatGPT/My note.md",
			// not a folder of this run's
			"Journal/Today.md.tmp-0011223344",
		];
		await put(vault, kept[0]!, 3_600_000);
		for (const path of kept.slice(1)) await put(vault, path, hour);

		const dir = await tempDir("ketl-temp-input-");
		const input = await writeJson(join(dir, "conversations.json"), [chatgptConv({ id: "t1", title: "Fresh" })]);
		const run = await importJson([input], vault);
		expect(run.code).toBe(0);
		for (const path of stale) expect(await exists(vault, path), path).toBe(false);
		for (const path of kept) expect(await exists(vault, path), path).toBe(true);
		expect(await exists(vault, "AI Conversations/ChatGPT/Fresh.md")).toBe(true);
	});
});
