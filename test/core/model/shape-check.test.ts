/**
 * The shape check (src/core/model/shape-check.ts) stands in for zod's parse of a conversation where it says "yes":
 * the normalizer then reads the value itself, not zod's copy. So "yes" must mean zod accepts the value and gives back
 * an equal one, always; "no" only costs speed. Checked against zod itself: a table of schemas and values, every
 * conversation of the extract fixtures (and the public samples where ../shared is present) and seeded mutations of
 * them; and the normalizers give the same conversation whichever way they parsed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as z from "../../../src/core/model/zod";
import { parseShape, shapeCheck } from "../../../src/core/model/shape-check";
import { ClaudeConversationSchema, normalizeClaude } from "../../../src/core/import/extract/normalize/claude";
import { ChatGptConversationSchema, normalizeChatGpt } from "../../../src/core/import/extract/normalize/chatgpt";
import { seededRandom } from "../../support/seeded-random";

const FIXTURES = join(__dirname, "../../fixtures/extract");
const PUBLIC = join(__dirname, "../../../../shared/fixtures/public");

function load(path: string): unknown[] {
	return JSON.parse(readFileSync(path, "utf8")) as unknown[];
}
const claude = [...load(join(FIXTURES, "claude-edge.json")), ...load(join(FIXTURES, "claude-faithful.json"))];
const chatgpt = [...load(join(FIXTURES, "chatgpt-edge.json")), ...load(join(FIXTURES, "chatgpt-faithful.json"))];
if (existsSync(PUBLIC)) {
	claude.push(...load(join(PUBLIC, "claude-conversations.chatlore.json")));
	chatgpt.push(
		...load(join(PUBLIC, "chatgpt-conversations.chatlore.json")),
		...load(join(PUBLIC, "chatgpt-branching-example.mitkury.json")),
	);
}

/**
 * Equal, whatever the order of each object's keys (zod puts declared keys first): the same own keys, the same values
 * (Object.is), arrays element by element. (toStrictEqual would also compare `constructor`, which a mutation below
 * makes an own key.)
 */
function same(a: unknown, b: unknown): boolean {
	if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
	if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	const keys = Reflect.ownKeys(a).map(String).sort();
	const other = Reflect.ownKeys(b).map(String).sort();
	if (keys.join("\u0000") !== other.join("\u0000")) return false;
	return keys.every((k) => k === "length" || same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** What the check must never break: its yes is zod's yes, with an equal value. */
function agrees(schema: z.ZodMiniType, value: unknown): boolean {
	const check = shapeCheck(schema);
	expect(check).not.toBeNull();
	const yes = check!(value);
	const zod = schema.safeParse(value);
	if (yes) {
		expect(zod.success).toBe(true);
		expect(same(zod.data, value)).toBe(true);
	}
	return yes;
}

/** Every object and array inside a value, with the value itself. */
function containers(value: unknown, into: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
	if (typeof value === "object" && value !== null) {
		into.push(value as Record<string, unknown> | unknown[]);
		for (const child of Object.values(value)) containers(child, into);
	}
	return into;
}

const REPLACEMENTS: unknown[] = [null, undefined, 0, 1.5, -0, "", "x", true, [], {}, [1], { type: 3 }, Number.NaN];

/** One random change somewhere inside a copy of `value`: a key dropped, a value of another type, an own __proto__ or constructor. */
function mutate(value: unknown, random: () => number): unknown {
	const copy = JSON.parse(JSON.stringify(value)) as unknown;
	const all = containers(copy);
	const target = all[Math.floor(random() * all.length)]!;
	const keys = Object.keys(target);
	const roll = random();
	if (!Array.isArray(target) && roll < 0.07) {
		Object.defineProperty(target, "__proto__", { value: { polluted: 1 }, enumerable: true, writable: true, configurable: true });
	} else if (!Array.isArray(target) && roll < 0.1) {
		Object.setPrototypeOf(target, { inherited: 1 }); // not what JSON.parse makes, but zod's copy would own it
	} else if (!Array.isArray(target) && roll < 0.15) {
		Object.defineProperty(target, "constructor", { value: { prototype: 1 }, enumerable: true, writable: true, configurable: true });
	} else if (keys.length > 0 && roll < 0.35) {
		const key = keys[Math.floor(random() * keys.length)]!;
		if (Array.isArray(target)) target.splice(Number(key), 1);
		else delete target[key];
	} else if (keys.length > 0) {
		const key = keys[Math.floor(random() * keys.length)]!;
		(target as Record<string, unknown>)[key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
	}
	return copy;
}

describe("shapeCheck: a yes is zod's yes with an equal value", () => {
	it("a table of schemas and values", () => {
		const obj = z.looseObject({ a: z.string().check(z.minLength(2)), b: z.nullish(z.number()), c: z.optional(z.array(z.boolean())) });
		const cases: [unknown, boolean][] = [
			[{ a: "xy" }, true],
			[{ a: "xy", b: null, c: [true], extra: { any: 1 } }, true],
			[{ a: "x" }, false], // too short
			[{ b: 1 }, false], // a missing
			[{ a: "xy", b: Number.POSITIVE_INFINITY }, false],
			[{ a: "xy", b: "1" }, false],
			[{ a: "xy", c: [true, 1] }, false],
			[{ a: "xy", c: null }, false], // optional, not nullable
			[{ a: "xy", b: undefined }, true],
			[[], false],
			[null, false],
			[JSON.parse('{"a": "xy", "__proto__": 1}'), false], // zod's copy leaves it out
		];
		for (const [value, yes] of cases) expect(agrees(obj, value), JSON.stringify(value)).toBe(yes);

		const record = z.record(z.string(), z.looseObject({ id: z.string() }));
		expect(agrees(record, { k: { id: "1" }, "2": { id: "2" } })).toBe(true);
		expect(agrees(record, { k: { id: 1 } })).toBe(false);
		expect(agrees(record, { constructor: { id: "1" } })).toBe(false); // zod's plain-object test reads it
		expect(agrees(record, JSON.parse('{"__proto__": {"id": "1"}}'))).toBe(false);
		expect(agrees(record, [])).toBe(false);

		// Kinds the conversation schemas do not use are left to zod, not modelled.
		expect(shapeCheck(z.union([z.string(), z.number()]))).toBeNull();
		expect(shapeCheck(z.literal("a"))).toBeNull();
	});

	it("schemas it does not model exactly are left to zod", () => {
		expect(shapeCheck(z.object({ a: z.string() }))).toBeNull(); // strips unknown keys: not equal
		expect(shapeCheck(z.strictObject({ a: z.string() }))).toBeNull();
		expect(shapeCheck(z.looseObject({ a: z._default(z.string(), "x") }))).toBeNull(); // adds a value
		expect(
			shapeCheck(
				z.pipe(
					z.string(),
					z.transform((s) => s.length),
				),
			),
		).toBeNull();
		expect(shapeCheck(z.string().check(z.regex(/x/)))).toBeNull();
		expect(shapeCheck(z.looseObject({ toString: z.string() }))).toBeNull(); // zod's `in` sees Object.prototype
	});

	it("says yes to every valid conversation of the fixtures, and agrees with zod on 4,000 mutations of them", () => {
		const random = seededRandom(20261207);
		for (const [schema, conversations] of [
			[ClaudeConversationSchema(), claude],
			[ChatGptConversationSchema(), chatgpt],
		] as const) {
			for (const c of conversations) {
				if (schema.safeParse(c).success) expect(agrees(schema, c)).toBe(true);
			}
			let yes = 0;
			let no = 0;
			for (let i = 0; i < 2000; i++) {
				const m = mutate(conversations[i % conversations.length], random);
				if (agrees(schema, m)) yes++;
				else no++;
			}
			// Both sides were exercised: mutations the check still accepts, and ones it sends to zod.
			expect(yes).toBeGreaterThan(100);
			expect(no).toBeGreaterThan(100);
		}
	});
});

function deepFreeze<T>(value: T): T {
	if (typeof value === "object" && value !== null) {
		for (const child of Object.values(value)) deepFreeze(child);
		Object.freeze(value);
	}
	return value;
}

describe("the normalizers read the value they were handed as they read zod's copy", () => {
	for (const [name, normalize, conversations] of [
		["Claude", normalizeClaude, claude],
		["ChatGPT", normalizeChatGpt, chatgpt],
	] as const) {
		it(`${name}: the same conversation either way, and the input left unchanged`, () => {
			for (const raw of conversations) {
				// An own __proto__ key sends it to zod (the check says no), whose copy leaves that key out: the same
				// conversation must come of it as of the value read as it is (frozen: reading must not change it).
				const viaZod = JSON.parse(JSON.stringify(raw).replace(/^\{/, '{"__proto__": 1, ')) as unknown;
				expect(parseShape(name === "Claude" ? ClaudeConversationSchema() : ChatGptConversationSchema(), viaZod).data).not.toBe(viaZod);
				const before = JSON.stringify(raw);
				const asIs = normalize(deepFreeze(JSON.parse(before) as unknown));
				expect(asIs).toStrictEqual(normalize(viaZod));
			}
		});
	}
});
