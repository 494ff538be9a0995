import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverInputs } from "../../src/cli/discover-inputs";
import { NodeByteSource } from "../../src/cli/node-byte-source";
import { InputError } from "../../src/core/import/extract/errors";

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), "byte-source-"));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe("NodeByteSource", () => {
	it("reads ranges, clamps at the end, hashes, and closes", async () => {
		const path = join(dir, "a.json");
		await writeFile(path, "0123456789");
		const source = await NodeByteSource.open(path, "a.json");
		expect(source.name).toBe("a.json");
		expect(source.size).toBe(10);
		expect(new TextDecoder().decode(await source.read(3, 4))).toBe("3456");
		expect(new TextDecoder().decode(await source.read(8, 100))).toBe("89");
		// Buffers, whose indexOf is the native byte search the JSON splitter relies on for speed.
		expect(Buffer.isBuffer(await source.read(0, 10))).toBe(true);
		expect((await source.read(10, 5)).length).toBe(0);
		expect(await source.sha256()).toBe(createHash("sha256").update("0123456789").digest("hex"));
		expect(await source.crc32()).toBe("a684c7c6"); // CRC-32 (zip's) of "0123456789"
		await source.close();
		await source.close();
		await expect(source.read(0, 1)).rejects.toThrow(/after close/);
	});

	it("hashes the bytes it reads: the size at open (a file that grew since is hashed to it), kept open or not", async () => {
		const path = join(dir, "growing.json");
		await writeFile(path, "0123456789");
		const kept = await NodeByteSource.open(path, "growing.json");
		const reopened = await NodeByteSource.open(path, "growing.json", { keepOpen: false });
		await appendFile(path, "abc");
		const tenBytes = createHash("sha256").update("0123456789").digest("hex");
		expect(await kept.sha256()).toBe(tenBytes);
		expect(await reopened.sha256()).toBe(tenBytes);
		expect(await kept.crc32()).toBe("a684c7c6");
		expect(await reopened.crc32()).toBe("a684c7c6");
		await kept.close();
		await reopened.close();
	});

	it("sequential reads fill two Buffers in turn (no allocation per chunk), and the hash reads past 1 MiB", async () => {
		const path = join(dir, "big.json");
		const bytes = Buffer.alloc(3 * 1024 * 1024 + 5);
		for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
		await writeFile(path, bytes);
		const source = await NodeByteSource.open(path, "big.json");
		const read = source.sequential(1024 * 1024);
		const got: Uint8Array[] = [];
		const copies: Buffer[] = [];
		for (let at = 0; at < source.size; at += 1024 * 1024) {
			const chunk = await read(at, 1024 * 1024);
			expect(Buffer.isBuffer(chunk)).toBe(true);
			got.push(chunk);
			copies.push(Buffer.from(chunk));
		}
		expect(Buffer.concat(copies).equals(bytes)).toBe(true);
		// The third read went into the first read's memory, the fourth (5 bytes) into the second's.
		expect(got[2]!.buffer).toBe(got[0]!.buffer);
		expect(got[3]!.buffer).toBe(got[1]!.buffer);
		expect(got[3]!.length).toBe(5);
		expect(got[0]!.buffer).not.toBe(got[1]!.buffer);
		expect(await source.sha256()).toBe(createHash("sha256").update(bytes).digest("hex"));
		expect(await source.crc32()).toBe(crc32(bytes).toString(16).padStart(8, "0"));
		await source.close();
		await expect(read(0, 1)).rejects.toThrow(/after close/);
	});

	it("with keepOpen false, holds no descriptor between reads and reads the same bytes", async () => {
		const path = join(dir, "s.jsonl");
		await writeFile(path, '{"a":1}\n{"b":2}\n');
		const source = await NodeByteSource.open(path, "s.jsonl", { keepOpen: false });
		expect(source.size).toBe(16);
		// The file can go away between reads: nothing holds it open, so the next read fails.
		expect(new TextDecoder().decode(await source.read(0, 7))).toBe('{"a":1}');
		expect(new TextDecoder().decode(await source.read(8, 100))).toBe('{"b":2}\n');
		await rm(path);
		await expect(source.read(0, 1)).rejects.toThrow(/ENOENT/);
		await source.close();
	});

	it("a missing path or a folder is an InputError naming it", async () => {
		await expect(NodeByteSource.open(join(dir, "nope.zip"), "nope.zip")).rejects.toThrow(new InputError("nope.zip", "not found"));
		await expect(NodeByteSource.open(dir, "folder")).rejects.toThrow(InputError);
	});
});

describe("discoverInputs", () => {
	async function touch(...parts: string[]): Promise<void> {
		await mkdir(join(dir, ...parts.slice(0, -1)), { recursive: true });
		await writeFile(join(dir, ...parts), "[]");
	}

	it("expands a folder into its export files, in order, ignoring sidecars", async () => {
		for (const name of [
			"conversations-010.json",
			"conversations-002.json",
			"users.json",
			"projects.json",
			"b.zip",
			"a.zip",
			"manifest-1.json",
			"readme.txt",
			"conversations.json",
		])
			await touch(name);
		const found = await discoverInputs([dir]);
		expect(found.sources.map((s) => s.name.slice(dir.length + 1))).toEqual([
			"a.zip",
			"b.zip",
			"manifest-1.json",
			"conversations.json",
			"conversations-002.json",
			"conversations-010.json",
		]);
		await found.close();
	});

	it("looks one level down when the folder itself holds no export, and keeps explicit files as given", async () => {
		await touch("export-2026", "conversations.json");
		await touch("loose.json");
		const found = await discoverInputs([dir, join(dir, "loose.json")]);
		expect(found.sources.map((s) => s.name.slice(dir.length + 1))).toEqual([join("export-2026", "conversations.json"), "loose.json"]);
		await found.close();
	});

	it("finds the session logs of a folder with no export, in every subfolder, without hidden folders and history.jsonl", async () => {
		await touch("claude", "-home-dev-shop", "5b0c.jsonl");
		await touch("claude", "-home-dev-shop", "agent-a1.jsonl");
		await touch("claude", "-home-dev-api", "77aa.jsonl");
		await touch("claude", "-home-dev-api", "notes.txt");
		await touch("codex", "2025", "10", "20", "rollout-2025-10-20T14-02-11-x.jsonl");
		await touch("codex", "history.jsonl");
		await touch(".cache", "hidden.jsonl");
		const found = await discoverInputs([dir]);
		expect(found.sources.map((s) => s.name.slice(dir.length + 1))).toEqual([
			join("claude", "-home-dev-api", "77aa.jsonl"),
			join("claude", "-home-dev-shop", "5b0c.jsonl"),
			join("claude", "-home-dev-shop", "agent-a1.jsonl"),
			join("codex", "2025", "10", "20", "rollout-2025-10-20T14-02-11-x.jsonl"),
		]);
		await found.close();
	});

	it("~/.codex as given: its history.jsonl is left out, the sessions deep below are found", async () => {
		await touch("history.jsonl");
		await touch("sessions", "2025", "10", "20", "rollout-a.jsonl");
		const found = await discoverInputs([dir]);
		expect(found.sources.map((s) => s.name.slice(dir.length + 1))).toEqual([join("sessions", "2025", "10", "20", "rollout-a.jsonl")]);
		await found.close();
	});

	it("a Claude Code project folder: its sessions and the sub-agent logs in a session's subagents/ folder", async () => {
		await touch("5b0c.jsonl");
		await touch("5b0c", "subagents", "agent-a1.jsonl");
		const found = await discoverInputs([dir]);
		expect(found.sources.map((s) => s.name.slice(dir.length + 1))).toEqual([join("5b0c", "subagents", "agent-a1.jsonl"), "5b0c.jsonl"]);
		await found.close();
	});

	it("a folder without exports or a missing path is an InputError", async () => {
		await touch("users.json");
		await expect(discoverInputs([dir])).rejects.toThrow(/holds no export/);
		await expect(discoverInputs([join(dir, "missing")])).rejects.toThrow(/missing: not found/);
	});
});
