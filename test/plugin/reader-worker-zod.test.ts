/**
 * zod's English messages in the plugin's export reader, a Web Worker that runs main.js itself (reader-worker.ts):
 * the production main.js is evaluated here as the worker evaluates it (a module scope, an `obsidian` that is never
 * used, then `startReaderWorker()`), in a scope of its own, and read a Claude export with a bad conversation through
 * the core's WorkerReader. The reason must be word for word the one classic zod gave: zod/mini loads no locale by
 * itself (src/core/model/zod.ts sets it), and main.js has its own copy of zod, apart from this test's.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { afterAll, expect, it } from "vitest";
import { pluginBuildOptions } from "../../scripts/plugin-build.mjs";
import { WorkerReader, type FromWorker, type ReaderEndpoint, type ToWorker } from "../../src/core/import/extract/reader-thread";
import type { ExtractResult } from "../../src/core/import/extract/open-export";

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-worker-zod-"));
afterAll(async () => {
	await fs.rm(tmp, { recursive: true, force: true });
});

type WorkerInput = { name: string; size: number; blob?: Blob };

/** main.js started as the reader worker, with `self` as its worker scope; returns the endpoint that talks to it. */
function startMainJsWorker(code: string): ReaderEndpoint<WorkerInput> {
	const toWorker: ((e: { data: unknown }) => void)[] = [];
	let fromWorker: (m: FromWorker) => void = () => undefined;
	const scope = {
		postMessage: (m: FromWorker) => setTimeout(() => fromWorker(m), 0),
		addEventListener: (_type: "message", handler: (e: { data: unknown }) => void) => toWorker.push(handler),
		close: () => undefined,
	};
	// A function of `self` compiled in this realm (a worker's source is a script: vm runs it as one).
	const run = vm.runInThisContext(
		[
			"(function(self){",
			"var dummy=function(){};",
			'var obsidian=new Proxy({},{get:function(t,k){return k==="__esModule"||k==="then"||typeof k!=="string"?undefined:dummy;}});',
			'var require=function(id){if(id==="obsidian")return obsidian;throw new Error("no module "+id);};',
			"var module={exports:{}};",
			"(function(module,exports,require){\n",
			code,
			"\n})(module,module.exports,require);",
			"module.exports.startReaderWorker();",
			"})",
		].join(""),
	) as (self: unknown) => void;
	run(scope);
	return {
		post: (message: ToWorker<WorkerInput>) => setTimeout(() => toWorker.forEach((h) => h({ data: message })), 0),
		listen: (onMessage) => {
			fromWorker = onMessage;
		},
		hold: () => undefined,
		end: () => Promise.resolve(),
	};
}

it("a bad conversation's reason from the reader's Web Worker (main.js) is the one classic zod gave", async () => {
	const outfile = path.join(tmp, "main.js");
	await build({ ...pluginBuildOptions({ outfile, logLevel: "silent" }) });
	const endpoint = startMainJsWorker(await fs.readFile(outfile, "utf8"));
	const good = { uuid: "c-good", name: "Good", chat_messages: [{ uuid: "m1", sender: "human", text: "hello" }] };
	const bad = { uuid: 7, name: "Trip", chat_messages: [{ uuid: "m2", sender: "human", text: 3 }] };
	const blob = new Blob([JSON.stringify([good, bad])]);
	const reader = await WorkerReader.open(endpoint, { files: [{ name: "conversations.json", size: blob.size, blob }], options: {} });
	const results: ExtractResult[] = [];
	try {
		for await (const r of reader.conversations()) results.push(r);
	} finally {
		await reader.close();
	}
	expect(results.map((r) => (r.ok ? r.conversation.id : r.reason))).toEqual([
		"c-good",
		"not a valid Claude conversation: uuid: Invalid input: expected string, received number; chat_messages.0.text: Invalid input: expected string, received number",
	]);
}, 60_000);
