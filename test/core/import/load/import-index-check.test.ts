/**
 * importIndexRecordOf, the written-out ImportIndexRecordSchema parse the index reads its records with, against the
 * schema itself on records made to differ from a valid one in every way a field can: it passes only what the schema
 * passes, and gives what the schema gives (the same keys in the same order, unknown keys left out).
 */
import { describe, expect, it } from "vitest";
import { importIndexRecordOf, ImportIndexRecordSchema } from "../../../../src/core/import/load/import-index";
// A small seeded generator (mulberry32): the same cases on every run.
import { random } from "../../yaml/yaml-gen";

const ODD_VALUES: unknown[] = [
	undefined,
	null,
	true,
	false,
	0,
	-1,
	1.5,
	2 ** 53,
	-0,
	"",
	"x",
	"claude",
	[],
	[1],
	{},
	{ count: 1 },
	Number.MAX_SAFE_INTEGER,
];

function validRecord(r: () => number): Record<string, unknown> {
	const rec: Record<string, unknown> = {
		provider: ["claude", "chatgpt", "codex", "claude-code"][Math.floor(r() * 4)],
		source_id: `id-${Math.floor(r() * 1000)}`,
		path: "AI Conversations/Claude/2026/a.md",
		hash: "ab12",
		source_updated: r() < 0.2 ? null : "2026-01-01T00:00:00Z",
		session_id: "20260101_000000",
		written_at: "2026-01-01T00:00:01.000Z",
	};
	if (r() < 0.5) rec.llm_key = "k";
	if (r() < 0.6) rec.render = { version: Math.floor(r() * 5), include_thinking: r() < 0.5, time_zone: "UTC" };
	if (r() < 0.6) rec.messages = { count: Math.floor(r() * 9), last: r() < 0.3 ? null : "m9" };
	if (r() < 0.3) rec.user_text = true;
	return rec;
}

/** One change to a record: a field set to an odd value or removed, a key added, a nested field changed, keys reordered. */
function mutate(rec: Record<string, unknown>, r: () => number): unknown {
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
	const out: Record<string, unknown> = { ...rec };
	const keys = [...Object.keys(ImportIndexRecordSchema().def.shape), "extra"];
	switch (Math.floor(r() * 6)) {
		case 0:
			out[pick(keys)] = pick(ODD_VALUES);
			break;
		case 1:
			delete out[pick(keys)];
			break;
		case 2: {
			const nested = pick(["render", "messages"] as const);
			const inner: Record<string, unknown> = { ...((out[nested] as Record<string, unknown> | undefined) ?? {}) };
			inner[pick(["version", "include_thinking", "time_zone", "count", "last", "other"])] = pick(ODD_VALUES);
			if (r() < 0.3) delete inner[pick(Object.keys(inner))];
			out[nested] = inner;
			break;
		}
		case 3:
			return Object.fromEntries(Object.entries(out).reverse());
		case 4:
			return pick(ODD_VALUES);
		default:
			out.extra = pick(ODD_VALUES);
	}
	return out;
}

describe("importIndexRecordOf against ImportIndexRecordSchema()", () => {
	it("agrees on 20,000 records, valid and changed: the same verdict and, when valid, the same JSON", () => {
		const r = random(20261206);
		let valid = 0;
		for (let i = 0; i < 20_000; i++) {
			const base = validRecord(r);
			// Some through JSON, as the index reads them (no undefined values, numbers as JSON has them).
			let value = i % 3 === 0 ? base : mutate(base, r);
			if (i % 2 === 0) value = value === undefined ? value : (JSON.parse(JSON.stringify(value)) as unknown);
			const parsed = ImportIndexRecordSchema().safeParse(value);
			const fast = importIndexRecordOf(value);
			if (parsed.success) {
				valid++;
				expect(fast, JSON.stringify(value)).not.toBeNull();
				expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
			} else {
				expect(fast, JSON.stringify(value)).toBeNull();
			}
		}
		// Both kinds were tried, in numbers.
		expect(valid).toBeGreaterThan(5_000);
		expect(valid).toBeLessThan(18_000);
	});

	it("gives a new object without the keys it does not know", () => {
		const value = JSON.parse(
			'{"z":1,"provider":"claude","source_id":"s","path":"p","hash":"h","source_updated":null,"session_id":"x","written_at":"w","render":{"time_zone":"UTC","version":2,"include_thinking":false,"q":1}}',
		) as Record<string, unknown>;
		const fast = importIndexRecordOf(value);
		expect(fast).not.toBe(value);
		expect(JSON.stringify(fast)).toBe(
			'{"provider":"claude","source_id":"s","path":"p","hash":"h","source_updated":null,"session_id":"x","written_at":"w","render":{"version":2,"include_thinking":false,"time_zone":"UTC"}}',
		);
	});
});
