/**
 * `organize` stopped (Ctrl-C) while it plans the notes: nothing is applied and there is no plan yet. It used to end
 * like a failure: "Error: Organize cancelled while planning…" and, with --json, an `{ "error": … }` object instead of
 * the run's own object. It now says it stopped, names the session and how to go on, and exits 130; --resume plans
 * the rest.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOrganizeCommand } from "../../src/cli/commands/organize";
import { tempDir } from "../core/_support/temp-vault";

const PROSE = "Enough ordinary prose so that this note is clearly not dust, about a hotel and a flight for the trip.";
const NOTES = 30;

async function inbox(): Promise<string> {
	const root = await tempDir("ketl-cli-organize-stop-");
	await mkdir(join(root, "Inbox"), { recursive: true });
	for (let i = 0; i < NOTES; i++) await writeFile(join(root, "Inbox", `Note ${i}.md`), `# Note ${i}\n\n${PROSE}\n`);
	return root;
}

/**
 * A signal that becomes aborted once the run has listed its notes (the session's notes.json exists), the first time
 * the run looks at it after that: the stop lands while the notes are planned, as the launcher's shared flag does.
 */
function stopWhenPlanning(root: string): AbortSignal {
	const controller = new AbortController();
	const sessions = join(root, ".staging", "@session");
	const listed = (): boolean =>
		existsSync(sessions) &&
		readdirSync(sessions).some((id) => existsSync(join(sessions, id, "organize", "extract", "output", "notes.json")));
	const signal = controller.signal;
	// The signal's own state, read through AbortSignal's getter (the property below hides it).
	const aborted = (): boolean => Boolean(Reflect.get(AbortSignal.prototype, "aborted", signal));
	Object.defineProperty(signal, "aborted", {
		get: () => {
			if (!aborted() && listed()) controller.abort();
			return aborted();
		},
	});
	return controller.signal;
}

function capture(signal: AbortSignal) {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), signal }, out, err };
}

describe("organize stopped while planning", () => {
	it.each([
		["a preview", []],
		["--apply", ["--apply"]],
	])("%s, --json: exit 130 and the run's object (stopped, nothing applied), not an error object", async (_name, extra) => {
		const root = await inbox();
		const c = capture(stopWhenPlanning(root));
		const code = await runOrganizeCommand(["Inbox", "--vault", root, "--json", ...extra], c.io);
		expect(code, c.err.join("")).toBe(130);
		const json = JSON.parse(c.out.join("")) as Record<string, unknown>;
		expect(json).not.toHaveProperty("error");
		const session = readdirSync(join(root, ".staging", "@session"))[0]!;
		expect(json).toMatchObject({ session, applied: false, cancelled: true });
		const state = JSON.parse(await readFile(join(root, ".staging", "@session", session, "session.json"), "utf8")) as { status: string };
		expect(state.status).toBe("stopped");
		// Nothing moved.
		expect(readdirSync(join(root, "Inbox"))).toHaveLength(NOTES);
	});

	it("without --json: says it stopped while planning and how to go on; --resume then plans every note", async () => {
		const root = await inbox();
		const c = capture(stopWhenPlanning(root));
		expect(await runOrganizeCommand(["Inbox", "--vault", root], c.io)).toBe(130);
		const session = readdirSync(join(root, ".staging", "@session"))[0]!;
		const said = c.err.join("");
		expect(said).not.toMatch(/^Error/m);
		expect(said).toContain(`Session ${session}: stopped while planning (Ctrl-C); nothing was applied.`);
		expect(said).toContain(`knowledge-etl organize --resume ${session} --vault`);

		const resumed = capture(new AbortController().signal);
		expect(await runOrganizeCommand(["--resume", session, "--vault", root, "--json"], resumed.io)).toBe(0);
		const result = JSON.parse(resumed.out.join("")) as { counts: { total: number } };
		expect(result.counts.total).toBe(NOTES);
	});
});
