import * as nodeFs from "node:fs";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdapterStagingStore, StagingPathError } from "../../src/plugin/adapter-staging-store";
import { asObsidianApp, createTestApp, type App } from "../stubs/obsidian";

let dir: string;
let app: App;
let store: AdapterStagingStore;

beforeEach(async () => {
	dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-staging-"));
	app = createTestApp(dir);
	store = new AdapterStagingStore(asObsidianApp(app).vault.adapter);
});

afterEach(async () => {
	await fs.rm(dir, { recursive: true, force: true });
});

describe("AdapterStagingStore", () => {
	it("writes atomically into a dot-folder the Vault API cannot see, creating parents", async () => {
		await store.writeAtomic(".staging/@session/20250101_000000/session.json", '{"a":1}');
		expect(await fs.readFile(path.join(dir, ".staging/@session/20250101_000000/session.json"), "utf8")).toBe('{"a":1}');
		expect(app.vault.getFileByPath(".staging/@session/20250101_000000/session.json")).toBeNull();
		expect(await store.read(".staging/@session/20250101_000000/session.json")).toBe('{"a":1}');
	});

	it("replaces an existing file although the adapter refuses to rename over it, leaving no temp file", async () => {
		await store.writeAtomic(".staging/x.json", "old");
		await store.writeAtomic(".staging/x.json", "new");
		expect(await store.read(".staging/x.json")).toBe("new");
		expect(await fs.readdir(path.join(dir, ".staging"))).toEqual(["x.json"]);
	});

	it("keeps the old content when writing the temp file fails", async () => {
		await store.writeAtomic(".staging/x.json", "old");
		const adapter = asObsidianApp(app).vault.adapter;
		const original = adapter.write.bind(adapter);
		adapter.write = async (p: string, d: string) => {
			await original(p, d.slice(0, 2));
			throw new Error("disk full");
		};
		await expect(store.writeAtomic(".staging/x.json", "new content")).rejects.toThrow("disk full");
		adapter.write = original;
		expect(await store.read(".staging/x.json")).toBe("old");
		expect(await fs.readdir(path.join(dir, ".staging"))).toEqual(["x.json"]);
	});

	it("hides leftover temp files (a crash between write and rename) from list()", async () => {
		await store.writeAtomic(".staging/s/a.json", "a");
		await fs.writeFile(path.join(dir, ".staging/s/a.json.tmp-0123456789ab"), "half");
		await store.mkdir(".staging/s/sub");
		expect(await store.list(".staging/s")).toEqual({ files: [".staging/s/a.json"], folders: [".staging/s/sub"] });
		expect(await store.list(".staging/missing")).toEqual({ files: [], folders: [] });
	});

	it("writes in place, creating the folders, and replaces what was there", async () => {
		await store.write(".staging/p/load/output/Claude/a.md", "first, longer");
		await store.write(".staging/p/load/output/Claude/a.md", "second");
		expect(await store.read(".staging/p/load/output/Claude/a.md")).toBe("second");
		expect(await store.list(".staging/p/load/output/Claude")).toEqual({ files: [".staging/p/load/output/Claude/a.md"], folders: [] });
	});

	it("appends, creating the file and its folders", async () => {
		await store.append(".staging/p/log.jsonl", "1\n");
		await store.append(".staging/p/log.jsonl", "2\n");
		expect(await store.read(".staging/p/log.jsonl")).toBe("1\n2\n");
	});

	it("stats, removes files and folders, and tolerates missing ones", async () => {
		await store.writeAtomic(".staging/s/a.json", "abc");
		expect(await store.stat(".staging/s/a.json")).toMatchObject({ size: 3 });
		expect(await store.stat(".staging/s/none")).toBeNull();
		await store.remove(".staging/s/a.json");
		await store.remove(".staging/s/a.json");
		expect(await store.exists(".staging/s/a.json")).toBe(false);
		await store.writeAtomic(".staging/s/deep/b.json", "b");
		await store.removeFolder(".staging/s");
		await store.removeFolder(".staging/s");
		expect(await store.exists(".staging/s")).toBe(false);
	});

	it.each([["../outside.json"], [".staging/../../outside.json"], ["/etc/passwd"], ["\\windows\\x"], ["C:/x.json"], [""], ["a\0b"]])(
		"refuses %j",
		async (bad) => {
			await expect(store.writeAtomic(bad, "x")).rejects.toBeInstanceOf(StagingPathError);
			await expect(store.read(bad)).rejects.toBeInstanceOf(StagingPathError);
		},
	);

	it("asks the adapter about a folder once, not at every write into it (an import appends to its logs per item)", async () => {
		const adapter = asObsidianApp(app).vault.adapter;
		const asked: string[] = [];
		const exists = adapter.exists.bind(adapter);
		adapter.exists = (p: string) => {
			asked.push(p);
			return exists(p);
		};
		for (let i = 0; i < 50; i++) await store.append(".staging/@session/s1/logs/items.jsonl", `${i}\n`);
		expect(asked.filter((p) => p === ".staging/@session/s1/logs")).toHaveLength(1);
		const lines = (await fs.readFile(path.join(dir, ".staging/@session/s1/logs/items.jsonl"), "utf8")).split("\n");
		expect(lines).toHaveLength(51);
	});

	it("makes a folder again that was removed behind its back, or through it, and writes there", async () => {
		await store.append(".staging/@session/s1/logs/items.jsonl", "a\n");
		// Removed on disk (the user, another device's sync): the next write makes the folder again.
		await fs.rm(path.join(dir, ".staging/@session/s1"), { recursive: true });
		await store.append(".staging/@session/s1/logs/items.jsonl", "b\n");
		expect(await fs.readFile(path.join(dir, ".staging/@session/s1/logs/items.jsonl"), "utf8")).toBe("b\n");
		await fs.rm(path.join(dir, ".staging/@session/s1"), { recursive: true });
		await store.writeAtomic(".staging/@session/s1/logs/phase.json", "{}");
		expect(await fs.readFile(path.join(dir, ".staging/@session/s1/logs/phase.json"), "utf8")).toBe("{}");
		// Removed through the store: forgotten, made again.
		await store.removeFolder(".staging/@session/s1");
		await store.append(".staging/@session/s1/logs/items.jsonl", "c\n");
		expect(await fs.readFile(path.join(dir, ".staging/@session/s1/logs/items.jsonl"), "utf8")).toBe("c\n");
	});

	it("still fails a write whose folder is there (the error is the write's own)", async () => {
		await store.append(".staging/s/x.jsonl", "a\n");
		const adapter = asObsidianApp(app).vault.adapter;
		let calls = 0;
		adapter.append = () => {
			calls++;
			return Promise.reject(new Error("ENOSPC: no space left on device"));
		};
		await expect(store.append(".staging/s/x.jsonl", "b\n")).rejects.toThrow(/ENOSPC/);
		expect(calls).toBe(1);
	});

	it("normalises paths", async () => {
		await store.writeAtomic(".staging//a\\b.json", "x");
		expect(await store.exists(".staging/a/b.json")).toBe(true);
	});

	it("reads a byte range, through the adapter (whole file, sliced) and, on the desktop, through Node's fs", async () => {
		await fs.mkdir(path.join(dir, ".staging"), { recursive: true });
		await fs.writeFile(path.join(dir, ".staging/r.txt"), "0123456789");
		const check = async () => {
			expect(Buffer.from(await store.readRange(".staging/r.txt", 2, 3)).toString()).toBe("234");
			expect(Buffer.from(await store.readRange(".staging/r.txt", 8, 10)).toString()).toBe("89");
			expect((await store.readRange(".staging/r.txt", 12, 5)).length).toBe(0);
			await expect(store.readRange(".staging/nope.txt", 0, 1)).rejects.toThrow();
		};
		let wholeReads = 0;
		const adapter = asObsidianApp(app).vault.adapter;
		const readBinary = adapter.readBinary.bind(adapter);
		adapter.readBinary = async (p: string) => {
			wholeReads++;
			return readBinary(p);
		};
		await check();
		expect(wholeReads).toBeGreaterThan(0);
		wholeReads = 0;
		// Obsidian desktop's renderer: a window with Node's require.
		const scope = globalThis as { window?: unknown };
		const hadWindow = "window" in scope;
		const win = (hadWindow ? scope.window : (scope.window = {})) as { require?: (id: string) => unknown };
		win.require = (id: string) => (id === "fs" ? nodeFs : undefined);
		try {
			await check();
			expect(wholeReads).toBe(0); // only the range was read
		} finally {
			delete win.require;
			if (!hadWindow) delete scope.window;
		}
		await expect(store.readRange("../x", 0, 1)).rejects.toThrow(StagingPathError);
	});
});
