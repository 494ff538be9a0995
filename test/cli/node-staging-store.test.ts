import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeStagingStore, PathEscapeError } from "../../src/cli/node-staging-store";
import { SessionManager } from "../../src/core/session/session-manager";
import { SESSION_ROOT } from "../../src/core/session/paths";
import { FakeClock } from "../core/_support/fake-clock";
import { tempDir, tempVault } from "../core/_support/temp-vault";

describe("NodeStagingStore", () => {
	it("appendLines writes the bytes that joining the lines and appending would", async () => {
		const { dir, store } = await tempVault();
		const lines = [
			"plain",
			"日本語の行 …",
			"emoji 🙂 and a lone surrogate \ud800 here",
			"",
			// Longer than the 1 MB buffer can take (written on its own), then short lines again.
			"ü".repeat(400_000),
			...Array.from({ length: 3000 }, (_, i) => `{"id":"c${i}","text":"${"é".repeat(i % 500)}"}`),
		];
		await store.append("s/joined.jsonl", "first\n");
		await store.append("s/joined.jsonl", `${lines.join("\n")}\n`);
		await store.append("s/lines.jsonl", "first\n");
		await store.appendLines("s/lines.jsonl", lines);
		const joined = await readFile(join(dir, "s/joined.jsonl"));
		expect((await readFile(join(dir, "s/lines.jsonl"))).equals(joined)).toBe(true);
		expect(joined.length).toBeGreaterThan(2 * 1024 * 1024);
		const outside = await tempDir("ketl-outside-");
		await writeFile(join(outside, "secret.txt"), "secret");
		await symlink(join(outside, "secret.txt"), join(dir, "file-link"));
		await expect(store.appendLines("file-link", ["x"])).rejects.toBeInstanceOf(PathEscapeError);
		expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("secret");
	});

	it("writes, appends, lists, stats and removes inside the root", async () => {
		const { dir, store } = await tempVault();
		await store.writeAtomic("a/b/c.json", '{"x":1}');
		await store.append("a/b/log.jsonl", "1\n");
		await store.append("a/b/log.jsonl", "2\n");
		expect(await store.read("a/b/c.json")).toBe('{"x":1}');
		expect(await readFile(join(dir, "a/b/log.jsonl"), "utf8")).toBe("1\n2\n");
		await store.mkdir("a/b/sub");
		expect(await store.list("a/b")).toEqual({ files: ["a/b/c.json", "a/b/log.jsonl"], folders: ["a/b/sub"] });
		expect(await store.list("missing")).toEqual({ files: [], folders: [] });
		expect((await store.stat("a/b/c.json"))?.size).toBe(7);
		expect(await store.stat("nope")).toBeNull();
		expect(await store.exists("a/b/c.json")).toBe(true);
		await store.remove("a/b/c.json");
		await store.remove("a/b/c.json");
		expect(await store.exists("a/b/c.json")).toBe(false);
		await store.removeFolder("a");
		await store.removeFolder("a");
		expect(await readdir(dir)).toEqual([]);
	});

	it("write replaces a file in place (no temp file), making its folders; a symlink inside the root is written through", async () => {
		const { dir, store } = await tempVault();
		await store.write("load/output/Claude/a.md", "first, longer");
		await store.write("load/output/Claude/a.md", "second");
		expect(await readFile(join(dir, "load/output/Claude/a.md"), "utf8")).toBe("second");
		expect(await readdir(join(dir, "load/output/Claude"))).toEqual(["a.md"]);
		await symlink(join(dir, "load/output/Claude/a.md"), join(dir, "alias.md"));
		await store.write("alias.md", "through the link");
		expect(await readFile(join(dir, "load/output/Claude/a.md"), "utf8")).toBe("through the link");
	});

	it("replaces atomically and leaves no temp file", async () => {
		const { dir, store } = await tempVault();
		await store.writeAtomic("s/session.json", "old");
		await store.writeAtomic("s/session.json", "new");
		expect(await readdir(join(dir, "s"))).toEqual(["session.json"]);
		expect(await store.read("s/session.json")).toBe("new");
	});

	it("an interrupted atomic write (temp left, no rename) keeps the old content readable", async () => {
		const { dir, store } = await tempVault();
		const clock = new FakeClock(new Date(2026, 0, 24, 16, 45, 49));
		const sessions = new SessionManager(store, clock);
		const s = await sessions.create({ debugMode: false });
		const folder = join(dir, SESSION_ROOT, s.session_id);
		// The crash: the temp file was written (even half of it), the rename never happened.
		await writeFile(join(folder, "session.json.tmp-a1b2c3d4e5f6"), '{"session_id":"2026012');
		await writeFile(join(dir, SESSION_ROOT, "x.tmp-a1b2c3d4e5f6"), "{");
		expect(await sessions.load(s.session_id)).toEqual(s);
		const list = await sessions.list();
		expect(list.sessions.map((x) => x.session_id)).toEqual([s.session_id]);
		expect(list.broken).toEqual([]);
		expect((await store.list(`${SESSION_ROOT}/${s.session_id}`)).files).toEqual([`${SESSION_ROOT}/${s.session_id}/session.json`]);
		// The next save still works and replaces the real file.
		await sessions.save({ ...s, status: "running" });
		expect((await sessions.load(s.session_id)).status).toBe("running");
	});

	it.each([
		["..", "../outside.txt"],
		["nested ..", "a/../../outside.txt"],
		["absolute", "/etc/passwd"],
		["backslash absolute", "\\etc\\passwd"],
		["windows drive", "C:/Windows/x"],
		["backslash ..", "a\\..\\..\\x"],
	])("refuses a path that escapes the root: %s", async (_n, path) => {
		const { store } = await tempVault();
		await expect(store.writeAtomic(path, "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.read(path)).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.append(path, "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.exists(path)).rejects.toBeInstanceOf(PathEscapeError);
	});

	it("refuses paths through a symlink that leads out of the root", async () => {
		const { dir, store } = await tempVault();
		const outside = await tempDir("ketl-outside-");
		await writeFile(join(outside, "secret.txt"), "secret");
		await symlink(outside, join(dir, "link"));
		await expect(store.read("link/secret.txt")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.writeAtomic("link/new.json", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.writeAtomic("link/deeper/new.json", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.removeFolder("link")).rejects.toBeInstanceOf(PathEscapeError);
		await symlink(join(outside, "secret.txt"), join(dir, "file-link"));
		await expect(store.append("file-link", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.write("file-link", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.write("link/copy.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await symlink(join(outside, "not-yet"), join(dir, "dangling"));
		await expect(store.writeAtomic("dangling", "x")).rejects.toBeInstanceOf(PathEscapeError);
		expect(await readdir(outside)).toEqual(["secret.txt"]);
		expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("secret");
	});

	it("allows a symlink that stays inside the root, and a root reached through a symlink", async () => {
		const { dir, store } = await tempVault();
		await mkdir(join(dir, "real"));
		await symlink(join(dir, "real"), join(dir, "alias"));
		await store.writeAtomic("alias/f.txt", "ok");
		expect(await readFile(join(dir, "real", "f.txt"), "utf8")).toBe("ok");
		const parent = await tempDir("ketl-parent-");
		await symlink(dir, join(parent, "vault-link"));
		const viaLink = new NodeStagingStore(join(parent, "vault-link"));
		expect(await viaLink.read("real/f.txt")).toBe("ok");
	});

	it("refuses to remove the vault root", async () => {
		const { store } = await tempVault();
		await expect(store.removeFolder("")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.removeFolder(".")).rejects.toBeInstanceOf(PathEscapeError);
	});

	it("reads a byte range: fewer bytes at the end, none past it, a missing file rejected", async () => {
		const { dir, store } = await tempVault();
		await writeFile(join(dir, "r.txt"), "0123456789");
		expect(Buffer.from(await store.readRange("r.txt", 2, 3)).toString()).toBe("234");
		expect(Buffer.from(await store.readRange("r.txt", 8, 10)).toString()).toBe("89");
		expect((await store.readRange("r.txt", 10, 5)).length).toBe(0);
		expect((await store.readRange("r.txt", 50, 5)).length).toBe(0);
		await expect(store.readRange("nope.txt", 0, 1)).rejects.toThrow();
		await expect(store.readRange("../r.txt", 0, 1)).rejects.toThrow(PathEscapeError);
	});
});
