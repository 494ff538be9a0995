import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOrganizeArgs, runOrganizeCommand } from "../../src/cli/commands/organize";
import { NodeNoteVault } from "../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import { runOrganizeSession } from "../../src/core/organize/organize-session";
import { systemClock } from "../../src/core/ports/clock";
import { tempDir } from "../core/_support/temp-vault";

const LONG = "Enough ordinary prose so that this note is clearly not dust, about a hotel and a flight.";
const BROKEN = `---\ntitle: [unclosed\n---\n${LONG}\n`;

async function noteHashes(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (entry.name.startsWith(".")) continue;
		if (entry.isDirectory()) Object.assign(out, await noteHashes(root, rel));
		else
			out[rel] = createHash("sha256")
				.update(await readFile(join(root, rel)))
				.digest("hex");
	}
	return out;
}

function capture(): { io: { stdout: (t: string) => void; stderr: (t: string) => void }; out: string[]; err: string[] } {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

async function inbox(): Promise<string> {
	const root = await tempDir("ketl-cli-organize-continue-");
	await mkdir(join(root, "Inbox"), { recursive: true });
	await writeFile(join(root, "Inbox/Trip.md"), `# Trip\n\n${LONG}\n`);
	await writeFile(join(root, "Inbox/Index.md"), `See [[Trip]] and [t](Trip.md). A diary memo of today. ${LONG}\n`);
	await writeFile(join(root, "Inbox/Money.md"), `Budget, invoice and revenue of the company. ${LONG}\n`);
	await writeFile(join(root, "Inbox/Bad.md"), BROKEN);
	return root;
}

describe("parseOrganizeArgs: --resume and --retry", () => {
	it.each([
		[["--resume", "20240101_000000", "--vault", "v"], { resume: "20240101_000000", folder: "" }],
		[["--retry", "20240101_000000", "--vault", "v", "--json"], { retry: "20240101_000000", json: true }],
	])("%j", (argv, expected) => {
		expect(parseOrganizeArgs(argv)).toMatchObject(expected);
	});

	it.each([
		[["--resume", "--vault", "v"]],
		[["--resume", "a", "--retry", "b", "--vault", "v"]],
		[["--resume", "a", "--undo", "a", "--vault", "v"]],
		[["--retry", "a", "Inbox", "--vault", "v"]],
		[["--retry", "a", "--apply", "--vault", "v"]],
		[["--resume", "a", "--force", "--vault", "v"]],
		[["--resume", "a", "--conflict", "skip", "--vault", "v"]],
		[["--resume", "a"]],
	])("rejects %j", (argv) => {
		expect(() => parseOrganizeArgs(argv)).toThrow();
	});
});

describe("knowledge-etl organize --retry / --resume", () => {
	it("--retry plans the note whose YAML was fixed, applies it in an applied session, and undo restores every byte", async () => {
		const root = await inbox();
		const start = await noteHashes(root);
		const first = capture();
		expect(await runOrganizeCommand(["Inbox", "--vault", root, "--apply", "--json"], first.io)).toBe(4);
		const session = (JSON.parse(first.out.join("")) as { session: string }).session;

		const still = capture();
		expect(await runOrganizeCommand(["--retry", session, "--vault", root], still.io)).toBe(4); // still broken
		expect(still.err.join("")).toMatch(/Inbox\/Bad\.md" at line \d+/);

		await writeFile(join(root, "Inbox/Bad.md"), BROKEN.replace("[unclosed", "Hotel booking"));
		const fixedStart = { ...start, "Inbox/Bad.md": (await noteHashes(root))["Inbox/Bad.md"]! };
		const retry = capture();
		expect(await runOrganizeCommand(["--retry", session, "--vault", root, "--json"], retry.io)).toBe(0);
		const result = JSON.parse(retry.out.join("")) as { mode: string; applied: boolean; counts: { failed: number }; failures: unknown[] };
		expect(result).toMatchObject({ mode: "retry", applied: true, counts: { failed: 0 }, failures: [] });
		expect(Object.keys(await noteHashes(root))).toContain("AI Conversations/Travel/Bad.md"); // a note of the user's own keeps its file name (the title rule is off by default);
		const phase = JSON.parse(await readFile(join(root, ".staging/@session", session, "organize/phase.json"), "utf8")) as {
			status: string;
			counts: { failed: number };
		};
		expect(phase).toMatchObject({ status: "completed", counts: { failed: 0 } });

		const nothing = capture();
		expect(await runOrganizeCommand(["--retry", session, "--vault", root], nothing.io)).toBe(0);
		expect(nothing.err.join("")).toContain("No failed items to retry");

		expect(await runOrganizeCommand(["--undo", session, "--vault", root], capture().io)).toBe(0);
		expect(await noteHashes(root)).toEqual(fixedStart);
	});

	it("--resume goes on with a run cancelled while planning (asked to apply) and applies; --undo restores every byte", async () => {
		const root = await inbox();
		await writeFile(join(root, "Inbox/Bad.md"), `# Bad\n\n${LONG}\n`);
		const start = await noteHashes(root);
		const controller = new AbortController();
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: systemClock };
		await expect(
			runOrganizeSession(deps, {
				folder: "Inbox",
				apply: true,
				rewriteLinks: true,
				signal: controller.signal,
				onProgress: (p) => p.done === 1 && controller.abort(),
			}),
		).rejects.toThrow(/cancelled/);
		const session = (await readdir(join(root, ".staging/@session")))[0]!;
		expect(await noteHashes(root)).toEqual(start);

		const resume = capture();
		expect(await runOrganizeCommand(["--resume", session, "--vault", root], resume.io)).toBe(0);
		expect(resume.err.join("")).toContain("Inbox/Trip.md -> Travel/Trip.md");
		expect(resume.err.join("")).toContain(`Undo with: knowledge-etl organize --undo ${session}`);
		expect(Object.keys(await noteHashes(root))).toContain("Travel/Trip.md");

		const again = capture();
		expect(await runOrganizeCommand(["--resume", session, "--vault", root], again.io)).toBe(0);
		expect(again.err.join("")).toContain("nothing to resume");

		expect(await runOrganizeCommand(["--undo", session, "--vault", root], capture().io)).toBe(0);
		expect(await noteHashes(root)).toEqual(start);
		const undone = capture();
		expect(await runOrganizeCommand(["--resume", session, "--vault", root], undone.io)).toBe(2);
		expect(undone.err.join("")).toContain("was undone");
	});

	it("an unknown session exits with 2", async () => {
		const root = await tempDir("ketl-cli-organize-continue-");
		for (const flag of ["--resume", "--retry"]) {
			const io = capture();
			expect(await runOrganizeCommand([flag, "20240101_000000", "--vault", root], io.io)).toBe(2);
			expect(io.err.join("")).toContain("20240101_000000");
		}
	});
});
