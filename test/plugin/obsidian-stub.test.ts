import { promises as fs } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notice, Setting, createTestApp, normalizePath, requestUrl } from "../stubs/obsidian";

describe("obsidian stub", () => {
	it("refuses UI classes outside a DOM test", () => {
		expect(() => new Notice("hi")).toThrow(/enableObsidianUi/);
		expect(() => new Setting({} as HTMLElement)).toThrow(/enableObsidianUi/);
	});

	it.each([
		["a//b\\c/", "a/b/c"],
		["/", "/"],
		["", "/"],
		["x\u00A0y", "x y"],
	])("normalizePath(%j) = %j", (input, out) => expect(normalizePath(input)).toBe(out));

	it("hides dot-paths from the Vault API but not from the adapter, and is strict like Obsidian", async () => {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-stub-"));
		const app = createTestApp(dir);
		await app.vault.adapter.mkdir(".staging");
		await app.vault.adapter.write(".staging/a.json", "{}");
		expect(app.vault.getAbstractFileByPath(".staging/a.json")).toBeNull();
		expect(await app.vault.adapter.exists(".staging/a.json")).toBe(true);
		await expect(app.vault.create(".staging/b.md", "")).rejects.toThrow(/dot-paths/);
		await app.vault.createFolder("F");
		await expect(app.vault.createFolder("F")).rejects.toThrow("Folder already exists.");
		await app.vault.create("F/n.md", "x");
		await expect(app.vault.create("F/n.md", "y")).rejects.toThrow("File already exists.");
		await app.vault.adapter.write("F/m.md", "m");
		await expect(app.vault.adapter.rename("F/m.md", "F/n.md")).rejects.toThrow(/already exists/);
		expect(() => app.vault.adapter.getFullPath("../x")).toThrow(/escapes/);
		await fs.rm(dir, { recursive: true, force: true });
	});
	it("renameFile updates wikilinks and embeds to the moved note (alias, heading kept; code, other notes' links and markdown links left), and back", async () => {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-stub-"));
		const app = createTestApp(dir);
		await app.vault.createFolder("In");
		await app.vault.createFolder("Other");
		const linker =
			"[[Old]] [[Old|alias]] [[In/Old#Part]] ![[Old]] [[Other/Same]] [[Same]] [x](Old.md) `[[Old]]`\n```\n[[Old]]\n```\n[[Missing]]\n";
		await app.vault.create("In/Old.md", "self: [[Old]]\n");
		await app.vault.create("In/Same.md", "in");
		await app.vault.create("Other/Same.md", "other");
		await app.vault.create("In/Linker.md", linker);
		const file = app.vault.getFileByPath("In/Old.md")!;
		await app.fileManager.renameFile(file, "Other/New.md");
		expect(await fs.readFile(path.join(dir, "In/Linker.md"), "utf8")).toBe(
			"[[New]] [[New|alias]] [[New#Part]] ![[New]] [[Other/Same]] [[Same]] [x](Old.md) `[[Old]]`\n```\n[[Old]]\n```\n[[Missing]]\n",
		);
		expect(await fs.readFile(path.join(dir, "Other/New.md"), "utf8")).toBe("self: [[New]]\n");
		// Moving a note whose name is not unique: the path is the link text.
		await app.vault.createFolder("Archive");
		await app.fileManager.renameFile(app.vault.getFileByPath("In/Same.md")!, "Archive/Same.md");
		expect(await fs.readFile(path.join(dir, "In/Linker.md"), "utf8")).toContain("[[Other/Same]] [[Archive/Same]] [x](Old.md)");
		await app.fileManager.renameFile(app.vault.getFileByPath("Archive/Same.md")!, "In/Same.md");
		await app.fileManager.renameFile(app.vault.getFileByPath("Other/New.md")!, "In/Old.md");
		// Back where they were: the links resolve as before; a name that is not unique comes back as a path.
		expect(await fs.readFile(path.join(dir, "In/Linker.md"), "utf8")).toBe(
			linker.replace("[[In/Old#Part]]", "[[Old#Part]]").replace("[[Same]]", "[[In/Same]]"),
		);
		await fs.rm(dir, { recursive: true, force: true });
	});
});

describe("requestUrl over real HTTP", () => {
	let server: http.Server;
	let base = "";
	beforeAll(async () => {
		server = http.createServer((req, res) => {
			let body = "";
			req.on("data", (c: Buffer) => (body += c.toString()));
			req.on("end", () => {
				res.statusCode = req.url === "/missing" ? 404 : 200;
				res.setHeader("content-type", "application/json");
				res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"] ?? null }));
			});
		});
		await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((r) => server.close(() => r())));

	it("sends the body and parses the reply", async () => {
		const res = await requestUrl({ url: `${base}/x`, method: "POST", contentType: "application/json", body: '{"a":1}' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ method: "POST", body: '{"a":1}', type: "application/json" });
		expect(await requestUrl(`${base}/y`).text).toContain("GET");
	});

	it("throws on 4xx unless throw is false", async () => {
		await expect(requestUrl(`${base}/missing`)).rejects.toMatchObject({ status: 404 });
		expect((await requestUrl({ url: `${base}/missing`, throw: false })).status).toBe(404);
	});
});
