import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { redactUrls, reportError, withPrefix } from "../../src/cli/output";
import { newVault, runCli, SAMPLES } from "./import-support";

const CHATGPT = join(SAMPLES, "chatgpt", "conversations.json");

describe("CLI messages (issue 15, item 7)", () => {
	it("--help works on every command, organize included, and exits 0", async () => {
		for (const command of ["import", "resume", "retry", "organize", "status", "clean"]) {
			const run = await runCli([command, "--help"]);
			expect({ command, code: run.code }).toEqual({ command, code: 0 });
			expect(run.err).toMatch(/^Usage: knowledge-etl /);
		}
	});

	it("--out must be a folder inside the vault and outside dot-folders (usage error, exit 2, nothing written)", async () => {
		const vault = await newVault();
		for (const out of ["../x", "/abs/x", ".staging", ".obsidian/plugins", "Notes/.hidden", "."]) {
			const run = await runCli(["import", CHATGPT, "--vault", vault, "--out", out]);
			expect({ out, code: run.code }).toEqual({ out, code: 2 });
			expect(run.err).toContain("--out");
		}
		expect(await readdir(vault)).toEqual([]);
		// Inside the vault, given absolute or relative: taken (as vault-relative).
		const ok = await runCli(["import", CHATGPT, "--vault", vault, "--out", join(vault, "Imported", "AI")]);
		expect(ok.code).toBe(0);
		expect((await readdir(join(vault, "Imported", "AI"))).length).toBeGreaterThan(0);
	});

	it("--limit must be 1 or more", async () => {
		const vault = await newVault();
		const run = await runCli(["import", CHATGPT, "--vault", vault, "--limit", "0"]);
		expect(run.code).toBe(2);
		expect(run.err).toContain("--limit must be a whole number of 1 or more");
	});

	it("one prefix, and credentials in URLs redacted", () => {
		expect(withPrefix("Error", "Error: Error: ENOSPC: no space left on device, write")).toBe(
			"Error: ENOSPC: no space left on device, write",
		);
		expect(withPrefix("Warning", "Warning: slow")).toBe("Warning: slow");
		expect(redactUrls("cannot reach http://user:KEY@host:11434/v1 (refused)")).toBe("cannot reach http://***@host:11434/v1 (refused)");
		const err: string[] = [];
		const out: string[] = [];
		const code = reportError(
			{ stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
			new Error("Error: boom at https://me:s3cret@example.com/x"),
			true,
		);
		expect(code).toBe(1);
		expect(err.join("")).toMatch(/^Error: boom at https:\/\/\*\*\*@example\.com\/x\n {4}at /);
		expect(err.join("")).not.toContain("s3cret");
		expect(JSON.parse(out.join(""))).toEqual({ error: { message: "Error: boom at https://***@example.com/x", exit_code: 1 } });
	});

	it("organize --json lists the reason of every failed note", async () => {
		const vault = await newVault();
		await mkdir(join(vault, "Inbox"), { recursive: true });
		await writeFile(join(vault, "Inbox", "Good.md"), "# Docker\n\nA Dockerfile and a container image.\n");
		await writeFile(join(vault, "Inbox", "Broken.md"), "---\ntitle: [unclosed\n---\nbody\n");
		const run = await runCli(["organize", "Inbox", "--vault", vault, "--apply", "--json"]);
		const result = JSON.parse(run.out) as { counts: { failed: number }; failures: { path: string; message: string }[] };
		expect(result.counts.failed).toBeGreaterThan(0);
		expect(result.failures.length).toBe(result.counts.failed);
		expect(result.failures[0]).toMatchObject({ path: "Inbox/Broken.md" });
		expect(result.failures[0]!.message).not.toBe("");
	});
});
