import { describe, expect, it } from "vitest";
import { parse as libraryParse } from "yaml";
import { parseYaml, YamlError, type YamlErrorKind } from "../../../src/core/yaml/parse";
import { OBSIDIAN_FRONTMATTER } from "./obsidian-corpus";
import { Gen, generateFrontmatter, random } from "./yaml-gen";

/**
 * Our frontmatter reader against the `yaml` package (a devDependency kept for this): for every input, either both
 * give deep-equal values (numbers compared with Object.is, key order too), or ours refuses. Ours accepting what the
 * library rejects, or reading it differently, fails the test. Refusals of input the library reads are counted by
 * kind; only the kinds for constructs we do not read may be among them.
 */

/** What we refuse on purpose: constructs outside what frontmatter needs, and text that is not valid YAML indentation. */
const ALLOWED_REFUSALS: ReadonlySet<YamlErrorKind> = new Set([
	"anchor",
	"alias",
	"tag",
	"complex-key",
	"directive",
	"document-marker",
	"tab",
	"control-character",
	// Forms the yaml package reads differently from the YAML spec (e.g. an escaped line break before an empty line).
	"ambiguous",
]);

function same(a: unknown, b: unknown): boolean {
	if (typeof a === "number" && typeof b === "number") return Object.is(a, b);
	if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => same(x, (b as unknown[])[i]));
	if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	return (
		ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
	);
}

type Outcome =
	| { kind: "equal" }
	| { kind: "both-refuse" }
	| { kind: "refused"; why: YamlErrorKind; message: string }
	| { kind: "mismatch"; detail: string };

function compare(text: string): Outcome {
	let theirs: unknown;
	let theirError: string | null = null;
	try {
		theirs = libraryParse(text, { logLevel: "error", uniqueKeys: true });
	} catch (e) {
		theirError = e instanceof Error ? e.message : String(e);
	}
	let ours: unknown;
	try {
		ours = parseYaml(text).value;
	} catch (e) {
		if (!(e instanceof YamlError)) return { kind: "mismatch", detail: `our reader crashed: ${String(e)}` };
		if (theirError !== null) return { kind: "both-refuse" };
		return { kind: "refused", why: e.kind, message: e.message };
	}
	if (theirError !== null)
		return { kind: "mismatch", detail: `we read ${JSON.stringify(ours)}; the library refuses: ${theirError.split("\n")[0]}` };
	return same(ours, theirs)
		? { kind: "equal" }
		: { kind: "mismatch", detail: `ours ${JSON.stringify(ours)} vs library ${JSON.stringify(theirs)}` };
}

interface Tally {
	inputs: number;
	equal: number;
	bothRefuse: number;
	refused: Record<string, number>;
	refusedSamples: Record<string, string[]>;
	mismatches: { text: string; detail: string }[];
}

function run(inputs: Iterable<string>): Tally {
	const tally: Tally = { inputs: 0, equal: 0, bothRefuse: 0, refused: {}, refusedSamples: {}, mismatches: [] };
	for (const text of inputs) {
		tally.inputs++;
		const outcome = compare(text);
		if (outcome.kind === "equal") tally.equal++;
		else if (outcome.kind === "both-refuse") tally.bothRefuse++;
		else if (outcome.kind === "refused") {
			tally.refused[outcome.why] = (tally.refused[outcome.why] ?? 0) + 1;
			const samples = (tally.refusedSamples[outcome.why] ??= []);
			if (samples.length < 3) samples.push(`${outcome.message}\n${text}`);
		} else tally.mismatches.push({ text, detail: outcome.detail });
	}
	return tally;
}

function report(name: string, tally: Tally): void {
	const refused = Object.entries(tally.refused)
		.map(([k, n]) => `${k} ${n}`)
		.join(", ");
	console.log(
		`${name}: ${tally.inputs} inputs, ${tally.equal} equal, ${tally.bothRefuse} refused by both, ${tally.inputs - tally.equal - tally.bothRefuse - tally.mismatches.length} refused by us only (${refused || "none"}), ${tally.mismatches.length} mismatches`,
	);
}

function check(tally: Tally): void {
	const firstMismatches = tally.mismatches.slice(0, 5).map((m) => `${m.detail}\n--- input ---\n${m.text}`);
	expect(firstMismatches, "inputs we read differently from the yaml package").toEqual([]);
	const unexpected = Object.keys(tally.refused).filter((k) => !ALLOWED_REFUSALS.has(k as YamlErrorKind));
	const samples = unexpected.flatMap((k) => tally.refusedSamples[k] ?? []);
	expect(samples, "valid YAML of a kind we claim to read, refused").toEqual([]);
}

describe("our YAML reader against the yaml package", () => {
	it("reads realistic Obsidian, Jekyll and Hugo frontmatter exactly as the library does", () => {
		const tally = run(OBSIDIAN_FRONTMATTER.flatMap((text) => [text, text.replace(/\n/g, "\r\n")]));
		report("corpus", tally);
		check(tally);
		// The corpus is all valid, supported YAML: every block is read, none refused.
		expect(tally.equal).toBe(tally.inputs);
	});

	it("agrees or refuses on 5,000 generated frontmatter blocks", { timeout: 60_000 }, () => {
		const g = new Gen(random(20261206));
		const tally = run(Array.from({ length: 5000 }, () => generateFrontmatter(g)));
		report("generated", tally);
		check(tally);
		// Most generated blocks are valid YAML our reader reads: the comparison is not vacuous.
		expect(tally.equal).toBeGreaterThan(tally.inputs * 0.6);
	});

	it("names the line and the construct it refuses", () => {
		const cases: [string, YamlErrorKind, number][] = [
			["a: 1\nb: &x 2\n", "anchor", 2],
			["a: 1\nb: *nowhere\n", "alias", 2],
			["a: !!str 1\n", "tag", 1],
			["? a\n: b\n", "complex-key", 1],
			["%YAML 1.2\na: 1\n", "directive", 1],
			["a: 1\n...\n", "document-marker", 2],
			["a: 1\na: 2\n", "duplicate-key", 2],
			['a: "open\n  b: 1\n', "unterminated", 1],
			['a: "open\nb: 1"\n', "unterminated", 1],
			["a: 1\n  b: 2\n", "syntax", 2],
			["a:\n\t- x\n", "tab", 2],
		];
		for (const [text, kind, line] of cases) {
			let error: unknown;
			try {
				parseYaml(text);
			} catch (e) {
				error = e;
			}
			expect(error, text).toBeInstanceOf(YamlError);
			expect([(error as YamlError).kind, (error as YamlError).line], text).toEqual([kind, line]);
			expect((error as YamlError).message).toContain(`line ${line}`);
		}
	});
});
