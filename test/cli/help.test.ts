/**
 * `--help` on every command (issue 14 item 2, issue 15 item 7), over the command table itself, so a command added
 * later is covered without a line here: `--help` and `-h` exit 0 and print that command's usage (and nothing on
 * stdout); an unknown option exits 2, names the option, and prints the usage.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/cli";
import { COMMANDS } from "../../src/cli/commands/index";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
	const out: string[] = [];
	const err: string[] = [];
	const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd() });
	return { code, out: out.join(""), err: err.join("") };
}

describe("--help on every command", () => {
	it("the command table is what the CLI offers", () => {
		expect(COMMANDS.map((c) => c.name).sort()).toEqual(["clean", "import", "organize", "resume", "retry", "status"]);
	});

	it.each(COMMANDS.map((c) => [c.name, c.usage] as const))("%s --help and -h: exit 0, that command's usage", async (name, usage) => {
		for (const flag of ["--help", "-h"]) {
			const r = await run([name, flag]);
			expect({ flag, code: r.code }).toEqual({ flag, code: 0 });
			expect(r.err).toBe(`${usage}\n`);
			expect(r.err).toMatch(new RegExp(`^Usage: knowledge-etl ${name}\\b`));
			expect(r.out).toBe("");
		}
	});

	it.each(COMMANDS.map((c) => [c.name, c.usage] as const))(
		"%s --frobnicate: exit 2, naming the option, with the usage",
		async (name, usage) => {
			const r = await run([name, "--frobnicate", "--vault", "."]);
			expect(r.code).toBe(2);
			expect(r.err).toContain("Error: Unknown option '--frobnicate'");
			expect(r.err).toContain(usage);
			// With --json a script still gets one object, with the code.
			const json = await run([name, "--frobnicate", "--json"]);
			expect(json.code).toBe(2);
			expect(JSON.parse(json.out)).toMatchObject({ error: { exit_code: 2 } });
		},
	);

	it("knowledge-etl --help lists every command and the exit codes; an unknown command exits 2", async () => {
		const help = await run(["--help"]);
		expect(help.code).toBe(0);
		for (const c of COMMANDS) expect(help.err).toContain(`  ${c.name} `);
		expect(help.err).toContain("Exit codes: 0 done");
		const unknown = await run(["frobnicate"]);
		expect(unknown.code).toBe(2);
		expect(unknown.err).toContain('Unknown command "frobnicate"');
	});
});
