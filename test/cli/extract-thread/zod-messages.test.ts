/**
 * zod's English messages in the reader thread: the real worker (bundled by esbuild as `npm run build` does) reads a
 * Claude export with a bad conversation, and the reason it gives is word for word the one classic zod gave. zod/mini
 * loads no locale by itself (src/core/model/zod.ts sets it); without it the thread would say "Invalid input".
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ExtractResult } from "../../../src/core/import/extract/open-export";
import { NodeByteSource } from "../../../src/cli/node-byte-source";
import { openThreadedExport } from "../../../src/cli/extract-thread/threaded-export";
import { buildCli } from "../cli-bundle";

let dir = "";
let script = "";

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "ketl-zod-thread-"));
	await buildCli(dir, ["extract-worker"]);
	script = join(dir, "extract-worker.cjs");
}, 60_000);
afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

it("a bad conversation's reason from the reader thread is the one classic zod gave", async () => {
	const good = { uuid: "c-good", name: "Good", chat_messages: [{ uuid: "m1", sender: "human", text: "hello" }] };
	const bad = { uuid: 7, name: "Trip", chat_messages: [{ uuid: "m2", sender: "human", text: 3 }] };
	const path = join(dir, "conversations.json");
	await writeFile(path, JSON.stringify([good, bad]));
	const source = await NodeByteSource.open(path, "conversations.json");
	const reader = await openThreadedExport([source], {}, { minBytes: 0, script });
	const results: ExtractResult[] = [];
	try {
		for await (const r of reader.conversations()) results.push(r);
	} finally {
		await reader.close();
		await source.close();
	}
	expect(results.map((r) => (r.ok ? r.conversation.id : r.reason))).toEqual([
		"c-good",
		"not a valid Claude conversation: uuid: Invalid input: expected string, received number; chat_messages.0.text: Invalid input: expected string, received number",
	]);
});
