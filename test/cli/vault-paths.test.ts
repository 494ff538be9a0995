/**
 * The cheap paths of the CLI's filesystem ports keep their safety: temp names never shared between writers, a
 * symlink at the final name or a new symlinked folder inside a proven folder still refused, folders removed behind
 * the store's back made again, and two processes writing one folder at once never mix or clobber files.
 */
import { spawn } from "node:child_process";
import * as fsSync from "node:fs";
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { basename, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it, vi } from "vitest";
import { NodeNoteVault } from "../../src/cli/node-note-vault";
import { NodeStagingStore, PathEscapeError } from "../../src/cli/node-staging-store";
import { nextTempPath, plainRelative, resolveInsideSync, TEMP_FILE_PATTERN } from "../../src/cli/vault-paths";
import { tempDir, tempVault } from "../core/_support/temp-vault";

/** The random prefix of a temp name (fixed length) and its counter. */
function tempParts(temp: string): { prefix: string; counter: number } {
	const hex = /\.tmp-([0-9a-f]+)$/.exec(temp)?.[1] ?? "";
	return { prefix: hex.slice(0, 12), counter: parseInt(hex.slice(12), 16) };
}

describe("temp names", () => {
	it("match TEMP_FILE_PATTERN, differ on every call and share one random prefix per module instance", () => {
		const names = Array.from({ length: 300 }, () => nextTempPath("/v/a/Note.md"));
		expect(new Set(names).size).toBe(names.length);
		for (const n of names) {
			expect(n.startsWith("/v/a/Note.md.tmp-")).toBe(true);
			expect(TEMP_FILE_PATTERN.test(basename(n))).toBe(true);
		}
		expect(new Set(names.map((n) => tempParts(n).prefix)).size).toBe(1);
		expect(tempParts(names[0]!).prefix).toMatch(/^[0-9a-f]{12}$/);
	});

	it("another module instance (another process or worker) draws another prefix", async () => {
		vi.resetModules();
		const other = await import("../../src/cli/vault-paths");
		expect(other.nextTempPath).not.toBe(nextTempPath);
		const a = tempParts(nextTempPath("/v/n.md")).prefix;
		const b = tempParts(other.nextTempPath("/v/n.md")).prefix;
		expect(a).not.toBe(b);
	});

	it("a temp name another writer holds is skipped, never reused or overwritten", async () => {
		const { dir, store } = await tempVault();
		const vault = new NodeNoteVault(dir);
		await store.writeAtomic("s/copy.md", "first"); // makes the folder
		for (const [write, name] of [
			[(): Promise<void> => store.writeAtomic("s/copy.md", "mine"), "copy.md"],
			[async (): Promise<void> => void (await vault.create("s/note.md", "mine")), "note.md"],
		] as const) {
			const probe = tempParts(nextTempPath(join(dir, "s", name)));
			const held = join(dir, "s", `${name}.tmp-${probe.prefix}${(probe.counter + 1).toString(16)}`);
			await writeFile(held, "the other writer's half-written temp");
			await write();
			expect(await readFile(join(dir, "s", name), "utf8")).toBe("mine");
			expect(await readFile(held, "utf8")).toBe("the other writer's half-written temp");
			await rm(held);
		}
		expect((await readdir(join(dir, "s"))).sort()).toEqual(["copy.md", "note.md"]);
	});
});

describe("symlinks inside a proven folder", () => {
	async function provenVault(): Promise<{ dir: string; outside: string; store: NodeStagingStore; vault: NodeNoteVault }> {
		const { dir, store } = await tempVault();
		const outside = await tempDir("ketl-outside-");
		await writeFile(join(outside, "secret.txt"), "secret");
		const vault = new NodeNoteVault(dir);
		// Two writes each: the first makes the folder, the second proves it (it exists, no symlink on the way).
		for (const n of [1, 2]) {
			await vault.create(`Notes/n${n}.md`, "n");
			await store.writeAtomic(`s/c${n}.md`, "c");
			await store.append("s/log.jsonl", `${n}\n`);
		}
		return { dir, outside, store, vault };
	}

	async function outsideUntouched(outside: string): Promise<void> {
		expect(await readdir(outside)).toEqual(["secret.txt"]);
		expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("secret");
	}

	it("a symlink at the final name that leads out is refused by every write", async () => {
		const { dir, outside, store, vault } = await provenVault();
		await symlink(join(outside, "secret.txt"), join(dir, "s", "out.md"));
		await symlink(join(outside, "secret.txt"), join(dir, "Notes", "out.md"));
		await expect(store.writeAtomic("s/out.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.append("s/out.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.read("s/out.md")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(vault.create("Notes/out.md", "x")).rejects.toThrow(/already exists/);
		await expect(vault.modify("Notes/out.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await symlink(join(outside, "not-yet.md"), join(dir, "s", "dangling.md"));
		await symlink(join(outside, "not-yet.md"), join(dir, "Notes", "dangling.md"));
		await expect(store.writeAtomic("s/dangling.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.append("s/dangling.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(vault.create("Notes/dangling.md", "x")).rejects.toThrow(/already exists/);
		await outsideUntouched(outside);
		// The links themselves are left as they were.
		expect((await lstat(join(dir, "s", "out.md"))).isSymbolicLink()).toBe(true);
		expect((await lstat(join(dir, "Notes", "dangling.md"))).isSymbolicLink()).toBe(true);
	});

	it("a symlinked folder made inside a proven folder that leads out is refused", async () => {
		const { dir, outside, store, vault } = await provenVault();
		await symlink(outside, join(dir, "s", "linked"));
		await symlink(outside, join(dir, "Notes", "linked"));
		await expect(store.writeAtomic("s/linked/x.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.writeAtomic("s/linked/deeper/x.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.append("s/linked/log.jsonl", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(vault.create("Notes/linked/x.md", "x")).rejects.toThrow(/outside the vault/);
		await expect(store.writeAtomic("Notes/linked/y.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await outsideUntouched(outside);
	});

	it("reading the notes of a folder proves it at the first: one realpath, not one per note; a symlinked folder beside it is still refused", async () => {
		const { dir } = await tempVault();
		const outside = await tempDir("ketl-outside-");
		await writeFile(join(outside, "secret.md"), "secret");
		await mkdir(join(dir, "Old"), { recursive: true });
		for (let i = 0; i < 30; i++) await writeFile(join(dir, "Old", `n${i}.md`), `note ${i}`);
		await symlink(outside, join(dir, "Link"));
		const vault = new NodeNoteVault(dir);
		const realpath = vi.spyOn(fsSync.realpathSync, "native");
		try {
			for (let i = 0; i < 30; i++) expect(await vault.read(`Old/n${i}.md`)).toBe(`note ${i}`);
			expect(realpath.mock.calls.length).toBeLessThanOrEqual(2);
			await expect(vault.read("Link/secret.md")).rejects.toThrow(/outside the vault/);
		} finally {
			realpath.mockRestore();
		}
	});

	it("a folder removed through the store and put back as a symlink out is refused (removeFolder forgets the proof)", async () => {
		const { dir, outside, store } = await provenVault();
		await store.removeFolder("s");
		await symlink(outside, join(dir, "s"));
		await expect(store.writeAtomic("s/c3.md", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await expect(store.append("s/log.jsonl", "x")).rejects.toBeInstanceOf(PathEscapeError);
		await outsideUntouched(outside);
	});

	it("a symlink at the log that stays inside the vault is still appended through", async () => {
		const { dir, store } = await provenVault();
		await symlink(join(dir, "s", "log.jsonl"), join(dir, "s", "alias.jsonl"));
		await store.append("s/alias.jsonl", "3\n");
		expect(await readFile(join(dir, "s", "log.jsonl"), "utf8")).toBe("1\n2\n3\n");
	});
});

describe("folders", () => {
	it("a folder removed behind the store's back is made again by every kind of write", async () => {
		const { dir, store } = await tempVault();
		const vault = new NodeNoteVault(dir);
		await store.writeAtomic("a/b/x.json", "1");
		await store.append("a/b/log.jsonl", "1\n");
		await vault.create("a/b/n1.md", "1");
		await rm(join(dir, "a"), { recursive: true });
		await store.writeAtomic("a/b/x.json", "2");
		await rm(join(dir, "a"), { recursive: true });
		await store.append("a/b/log.jsonl", "2\n");
		await rm(join(dir, "a"), { recursive: true });
		await vault.create("a/b/n2.md", "2");
		expect(await readdir(join(dir, "a", "b"))).toEqual(["n2.md"]);
	});

	it("a folder whose name starts with '..' is inside the vault", async () => {
		const { dir, store } = await tempVault();
		await store.writeAtomic("..x/one.md", "1");
		await store.writeAtomic("..x/two.md", "2");
		expect(await store.read("..x/one.md")).toBe("1");
		expect((await readdir(join(dir, "..x"))).sort()).toEqual(["one.md", "two.md"]);
	});

	it("a failed rename leaves no temp file", async () => {
		const { dir, store } = await tempVault();
		await mkdir(join(dir, "s", "taken.md"), { recursive: true });
		await expect(store.writeAtomic("s/taken.md", "x")).rejects.toThrow();
		expect(await readdir(join(dir, "s"))).toEqual(["taken.md"]);
	});

	it("a vault reached through a symlink lists its notes vault-relative", async () => {
		const { dir } = await tempVault();
		const parent = await tempDir("ketl-parent-");
		await symlink(dir, join(parent, "vault-link"));
		const vault = new NodeNoteVault(join(parent, "vault-link"));
		await vault.create("f/a.md", "a");
		await vault.create("f/sub/b.md", "b");
		expect(await vault.listMarkdown("f")).toEqual(["f/a.md", "f/sub/b.md"]);
		expect(await vault.listMarkdown("")).toEqual(["f/a.md", "f/sub/b.md"]);
	});
});

describe("plain relative paths (resolveInsideSync's shortcut)", () => {
	/** What resolveInsideSync checked and joined before the shortcut: the target, or the refusal. */
	function slowTarget(root: string, relative: string): string {
		if (relative.includes("\0")) return "refused";
		if (relative.startsWith("/") || relative.startsWith("\\") || /^[A-Za-z]:/.test(relative) || isAbsolute(relative)) return "refused";
		const segments = relative.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
		if (segments.includes("..")) return "refused";
		return segments.length === 0 ? root : join(root, ...segments);
	}

	it("a path taken as plain is joined as the full checks join it, and refused ones stay refused (20,000 generated)", async () => {
		const { dir } = await tempVault();
		const root = resolve(dir);
		const pieces = ["a", "b", "Note 1.md", ".", "..", "...", ".x", "x.", "/", "//", "\\", "\0", ":", "C:", "é", " ", "-"];
		let seed = 20261207;
		const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0) / 4294967296;
		let plain = 0;
		for (let round = 0; round < 20_000; round++) {
			const relative = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pieces[Math.floor(rnd() * pieces.length)]).join("");
			const expected = slowTarget(root, relative);
			if (plainRelative(relative)) {
				plain++;
				expect(`${root}/${relative}`, JSON.stringify(relative)).toBe(expected);
			}
			let got: string;
			try {
				got = resolveInsideSync(dir, relative, "nofollow");
			} catch (error) {
				if (!(error instanceof PathEscapeError)) throw error;
				got = "refused";
			}
			expect(got, JSON.stringify(relative)).toBe(expected);
		}
		// Both kinds are exercised.
		expect(plain).toBeGreaterThan(2_000);
		expect(plain).toBeLessThan(18_000);
	});
});

describe("two processes writing one folder at once", () => {
	const COUNT = 400;

	/** Bundles a writer: waits for `go`, then writes COUNT session copies and creates COUNT notes, same names. */
	async function bundleWriter(work: string): Promise<string> {
		const src = fileURLToPath(new URL("../../src/cli/", import.meta.url));
		const outfile = join(work, "writer.mjs");
		await build({
			stdin: {
				contents: `
					import { existsSync } from "node:fs";
					import { NodeNoteVault } from ${JSON.stringify(join(src, "node-note-vault.ts"))};
					import { NodeStagingStore } from ${JSON.stringify(join(src, "node-staging-store.ts"))};
					const [vaultDir, tag, count, go] = process.argv.slice(2);
					const store = new NodeStagingStore(vaultDir);
					const vault = new NodeNoteVault(vaultDir);
					process.stdout.write("ready\\n");
					while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
					let created = 0;
					for (let i = 0; i < Number(count); i++) {
						const body = (tag + i + "\\n").repeat(400);
						await store.writeAtomic("s/copy-" + i + ".md", body);
						try { await vault.create("Notes/n-" + i + ".md", body); created++; }
						catch (e) { if (!/already exists/.test(String(e))) throw e; }
					}
					process.stdout.write(JSON.stringify({ created }) + "\\n");
				`,
				resolveDir: work,
				loader: "ts",
			},
			bundle: true,
			outfile,
			format: "esm",
			platform: "node",
			target: "node20",
			external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
			banner: {
				js: "import { createRequire as __ketlCreateRequire } from 'node:module'; const require = __ketlCreateRequire(import.meta.url);",
			},
			logLevel: "silent",
		});
		return outfile;
	}

	function runWriter(
		js: string,
		args: string[],
	): { ready: Promise<void>; done: Promise<{ code: number | null; out: string; err: string }> } {
		const child = spawn(process.execPath, [js, ...args], { stdio: ["ignore", "pipe", "pipe"] });
		let out = "";
		let err = "";
		let onReady = (): void => {};
		const ready = new Promise<void>((resolve, reject) => {
			onReady = resolve;
			child.on("close", () => reject(new Error(`the writer ended before it was ready: ${err}`)));
		});
		child.stdout.on("data", (d: Buffer) => {
			out += d.toString();
			if (out.includes("ready\n")) onReady();
		});
		child.stderr.on("data", (d: Buffer) => (err += d.toString()));
		const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
			child.on("close", (code) => resolve({ code, out, err })),
		);
		return { ready, done };
	}

	it("never share a temp file: every file is whole, each note is created by exactly one of them", { timeout: 60_000 }, async () => {
		const work = await tempDir("ketl-writers-");
		const { dir } = await tempVault();
		const js = await bundleWriter(work);
		const go = join(work, "go");
		const writers = ["A", "B"].map((tag) => runWriter(js, [dir, tag, String(COUNT), go]));
		await Promise.all(writers.map((w) => w.ready));
		await writeFile(go, "");
		const results = await Promise.all(writers.map((w) => w.done));
		for (const r of results) expect(r.code, r.err).toBe(0);
		const created = results.map((r) => (JSON.parse(r.out.split("\n")[1]!) as { created: number }).created);
		expect(created[0]! + created[1]!).toBe(COUNT);

		for (const folder of ["s", "Notes"]) {
			const names = await readdir(join(dir, folder));
			expect(names.filter((n) => TEMP_FILE_PATTERN.test(n))).toEqual([]);
			expect(names).toHaveLength(COUNT);
			for (const name of names) {
				const i = /-(\d+)\.md$/.exec(name)?.[1];
				const text = await readFile(join(dir, folder, name), "utf8");
				expect([`A${i}\n`.repeat(400), `B${i}\n`.repeat(400)], `${folder}/${name}`).toContain(text);
			}
		}
	});
});
