/**
 * Schemas are made on first use (z.lazySchema, issue 20): loading a module of the core builds none. Each top-level
 * schema of src/core is a lazySchema, marked `@__PURE__` so that a bundle leaves out the ones it never calls.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as z from "../../../src/core/model/zod";

/** Calls of zod/mini's functions (its schema builders, `config` aside), counted from when `counting` is set. */
const builds = vi.hoisted(() => ({ counting: false, calls: [] as string[] }));
vi.mock("zod/mini", async (importOriginal) => {
	const real = await importOriginal<Record<string, unknown>>();
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(real)) {
		// Builders are lower-case functions; classes (upper case) stay as they are, for `new` and instanceof.
		out[name] =
			typeof value === "function" && /^[a-z]/.test(name) && name !== "config"
				? (...args: unknown[]): unknown => {
						if (builds.counting) builds.calls.push(name);
						return (value as (...a: unknown[]) => unknown)(...args);
					}
				: value;
	}
	return out;
});

const CORE = join(import.meta.dirname, "../../../src/core");

function tsFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
	);
}

describe("lazySchema", () => {
	it("makes the schema on the first call, once", () => {
		let made = 0;
		const schema = z.lazySchema(() => {
			made++;
			return z.object({ a: z.string() });
		});
		expect(made).toBe(0);
		const first = schema();
		expect(schema()).toBe(first);
		expect(made).toBe(1);
		expect(first.safeParse({ a: 1 }).success).toBe(false);
	});

	it("loading every module of the core builds no schema", async () => {
		const files = tsFiles(CORE).filter((f) => !f.endsWith(".d.ts"));
		expect(files.length).toBeGreaterThan(100);
		builds.counting = true;
		try {
			// eslint-disable-next-line no-unsanitized/method -- the core's own source files, listed from the repository
			for (const file of files) await import(file);
		} finally {
			builds.counting = false;
		}
		expect(builds.calls).toEqual([]);
		// …and the counter counts: one schema made now is seen.
		builds.counting = true;
		z.object({ a: z.string() });
		builds.counting = false;
		expect(builds.calls.length).toBeGreaterThan(0);
	});

	it("holds every top-level schema of the core, marked @__PURE__", () => {
		const eager: string[] = [];
		const unmarked: string[] = [];
		for (const file of tsFiles(CORE)) {
			if (file.endsWith("model/zod.ts")) continue;
			const lines = readFileSync(file, "utf8").split("\n");
			lines.forEach((line, i) => {
				const where = `${relative(CORE, file)}:${i + 1}`;
				if (!/^(export )?const \w+(: [^=]+)? = /.test(line)) return;
				if (/= (\/\* @__PURE__ \*\/ )?(z\.(?!lazySchema\()\w+|object|looseObject)\(/.test(line)) eager.push(where);
				if (/z\.lazySchema\(/.test(line) && !/= \/\* @__PURE__ \*\/ z\.lazySchema\(/.test(line)) unmarked.push(where);
			});
		}
		expect(eager).toEqual([]);
		expect(unmarked).toEqual([]);
	});
});
