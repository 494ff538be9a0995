import { describe, expect, it } from "vitest";
import { decideLoad, type LoadFacts } from "../../../../src/core/import/load/load-decision";

const T1 = "2024-01-01T00:00:00.000Z";
const T2 = "2024-02-01T00:00:00.000Z";
const indexed = { path: "AI/Claude/A.md", hash: "h-written", sourceUpdated: T1 };

const cases: [string, LoadFacts, ReturnType<typeof decideLoad>][] = [
	["new conversation", { indexed: null, current: null, renderedHash: "r", sourceUpdated: T1 }, { action: "create" }],
	[
		"unchanged at the source, note untouched",
		{
			indexed,
			current: { path: indexed.path, hash: "h-written", frontmatterUpdated: T1 },
			renderedHash: "h-new-renderer",
			sourceUpdated: T1,
		},
		{ action: "unchanged", path: indexed.path, adopt: false },
	],
	[
		"unchanged at the source, note edited by the user: still not touched",
		{ indexed, current: { path: indexed.path, hash: "h-user", frontmatterUpdated: T1 }, renderedHash: "r", sourceUpdated: T1 },
		{ action: "unchanged", path: indexed.path, adopt: false },
	],
	[
		"same instant written differently counts as unchanged",
		{
			indexed,
			current: { path: indexed.path, hash: "h-written", frontmatterUpdated: T1 },
			renderedHash: "r",
			sourceUpdated: "2024-01-01T00:00:00Z",
		},
		{ action: "unchanged", path: indexed.path, adopt: false },
	],
	[
		"updated at the source, note as we wrote it → update in place",
		{ indexed, current: { path: indexed.path, hash: "h-written", frontmatterUpdated: T1 }, renderedHash: "r2", sourceUpdated: T2 },
		{ action: "update", path: indexed.path },
	],
	[
		"updated at the source, note moved by organize, not edited → update where it is now",
		{ indexed, current: { path: "Genre/A.md", hash: "h-written", frontmatterUpdated: T1 }, renderedHash: "r2", sourceUpdated: T2 },
		{ action: "update", path: "Genre/A.md" },
	],
	[
		"updated at the source, note edited by the user → preserve",
		{ indexed, current: { path: indexed.path, hash: "h-user", frontmatterUpdated: T1 }, renderedHash: "r2", sourceUpdated: T2 },
		{ action: "preserve", path: indexed.path, reason: "updated at the source, but the note was edited since it was imported" },
	],
	[
		"indexed note is gone → not recreated",
		{ indexed, current: null, renderedHash: "r", sourceUpdated: T2 },
		{
			action: "preserve",
			path: null,
			reason: `the note imported earlier at "${indexed.path}" is gone (deleted or moved outside the vault); not recreating it`,
		},
	],
	[
		"index lost, note identical to what we would write → adopt as unchanged",
		{ indexed: null, current: { path: "AI/Claude/A.md", hash: "r", frontmatterUpdated: T1 }, renderedHash: "r", sourceUpdated: T1 },
		{ action: "unchanged", path: "AI/Claude/A.md", adopt: true },
	],
	[
		"index lost, frontmatter says same source time → unchanged",
		{ indexed: null, current: { path: "X.md", hash: "u", frontmatterUpdated: T1 }, renderedHash: "r", sourceUpdated: T1 },
		{ action: "unchanged", path: "X.md", adopt: false },
	],
	[
		"index lost, frontmatter's time written with milliseconds, the export's without → unchanged",
		{
			indexed: null,
			current: { path: "X.md", hash: "u", frontmatterUpdated: T1 },
			renderedHash: "r",
			sourceUpdated: "2024-01-01T00:00:00Z",
		},
		{ action: "unchanged", path: "X.md", adopt: false },
	],
	[
		"index lost, source newer → preserve (when in doubt)",
		{ indexed: null, current: { path: "X.md", hash: "u", frontmatterUpdated: T1 }, renderedHash: "r", sourceUpdated: T2 },
		{ action: "preserve", path: "X.md", reason: "a note with this source_id exists but the import index has no record of writing it" },
	],
];

describe("decideLoad", () => {
	it.each(cases)("%s", (_name, facts, expected) => {
		expect(decideLoad(facts)).toEqual(expected);
	});
});
