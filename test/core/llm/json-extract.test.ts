import { describe, expect, it } from "vitest";
import * as z from "zod";
import { balancedEnd, extractJson, parseJsonReply, withoutTrailingCommas } from "../../../src/core/llm/json-extract";
import { ValidationError } from "../../../src/core/retry/errors";

describe("extractJson", () => {
	it.each([
		["whole object", '{"genre":"tech"}', { genre: "tech" }, "whole"],
		["whole array", "[1, 2]", [1, 2], "whole"],
		[
			"json fence with prose",
			'Sure!\n```json\n{"genre": "tech", "topic": "docker"}\n```\nDone.',
			{ genre: "tech", topic: "docker" },
			"fence",
		],
		["bare fence holding an object", '```\n{"a": 1}\n```', { a: 1 }, "fence"],
		["json fence preferred over an earlier object", '{not json}\n```json\n{"a": 2}\n```', { a: 2 }, "fence"],
		["object in prose", 'The answer is {"genre": "tech"} as requested.', { genre: "tech" }, "object"],
		["braces inside strings", 'x {"code": "if (a) { b(); }", "n": 1} y', { code: "if (a) { b(); }", n: 1 }, "object"],
		["escaped quotes", 'Result: {"q": "say \\"hi\\" {", "ok": true}', { q: 'say "hi" {', ok: true }, "object"],
		["nested objects", 'pre {"a": {"b": {"c": [1, {"d": 2}]}}} post {"z": 1}', { a: { b: { c: [1, { d: 2 }] } } }, "object"],
		["first unparsable object skipped", 'see {this} and {"a": 1}', { a: 1 }, "object"],
		["trailing commas repaired", '```json\n{"a": [1, 2,], "b": 3,}\n```', { a: [1, 2], b: 3 }, "fence"],
		["unicode", '答え: {"ジャンル": "技術"}', { ジャンル: "技術" }, "object"],
		["BOM", '\uFEFF{"a": 1}', { a: 1 }, "whole"],
	])("%s", (_name, input, value, source) => {
		expect(extractJson(input)).toEqual({ ok: true, value, source });
	});

	it.each([
		["empty", ""],
		["prose", "I cannot answer that."],
		["truncated object", '{"genre": "tech", "topic": "doc'],
		["unbalanced", '{"a": [1, 2}'],
	])("fails on %s", (_name, input) => {
		expect(extractJson(input).ok).toBe(false);
	});
});

describe("helpers", () => {
	it("balancedEnd respects strings and escapes", () => {
		const text = '{"a": "}\\"}", "b": [1]} tail';
		expect(text.slice(0, balancedEnd(text, 0) + 1)).toBe('{"a": "}\\"}", "b": [1]}');
		expect(balancedEnd('{"a": 1', 0)).toBe(-1);
	});

	it("withoutTrailingCommas leaves commas inside strings", () => {
		expect(withoutTrailingCommas('{"a": ",}", "b": [1,],}')).toBe('{"a": ",}", "b": [1]}');
	});

	it("parseJsonReply validates with a schema and throws ValidationError", () => {
		const schema = z.object({ genre: z.string() });
		expect(parseJsonReply('```json\n{"genre": "tech"}\n```', schema)).toEqual({ genre: "tech" });
		expect(() => parseJsonReply('{"genre": 3}', schema)).toThrow(ValidationError);
		expect(() => parseJsonReply("nothing", schema)).toThrow(/not JSON/);
	});
});
