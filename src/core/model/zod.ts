// zod for every schema in src: `zod/mini` (its functions tree-shake; classic zod's methods keep ~100 KB of it in
// main.js whatever we use) with its English messages. zod/mini loads no locale by itself, so without this every
// reason we show ("not a valid Claude conversation: …: Invalid input: expected string, received number") would
// read "Invalid input". Every schema file imports zod through here (lint-enforced), so the locale is set in each
// realm that parses: the plugin, the CLI, the reader's Web Worker and thread. Only the English module is imported:
// the `locales` namespace would bring every language into the bundle.
import * as z from "zod/mini";
import * as core from "zod/v4/core";
import en from "zod/v4/locales/en.js";

z.config(en());

export * from "zod/mini";

/**
 * Objects parsed as classic zod parses them: zod/mini's objects check their keys one by one in a loop, classic's
 * compile a parser per shape on first use ($ZodObjectJIT), which parses our conversations about twice as fast
 * (normalize of 2,000 Claude conversations: ~240 ms with the loop, ~140 ms compiled). Where code cannot be compiled
 * (no eval), zod falls back to the loop by itself. Same results, issues and messages: the same core object type.
 */
type Init = { init(inst: object, def: object): void };
/** What zod/mini's ZodMiniObject is made of, with the compiled core object in place of the looping one. */
const traits: Init[] = [core.$ZodObjectJIT, z.ZodMiniType];
const ZodMiniObjectJIT = core.$constructor("ZodMiniObject", (inst: z.ZodMiniObject, def: core.$ZodObjectDef) => {
	for (const trait of traits) trait.init(inst, def);
	Object.defineProperty(inst, "shape", { get: () => inst._zod.def.shape, configurable: true });
});

/** zod/mini's own object, made again as one that compiles its parser (the same definition). */
const compiled = <T extends z.ZodMiniObject>(schema: T): T => new ZodMiniObjectJIT(schema._zod.def) as T;

/**
 * Parse options for a schema parsed a few times in a run (a session's or a phase's file, a run's options): the shape
 * is checked by zod's loop instead of first compiling a parser for it (`object` below), a compile per schema (nested
 * ones too) on its first parse that cost more than the few parses it speeds up: ~5 ms of an organize preview's start
 * (issue 20). Same results, issues and messages (zod's ParseContext `jitless`).
 */
export const FEW_PARSES = { jitless: true } as const;

export const object: typeof z.object = (shape, params) => compiled(z.object(shape, params));
export const looseObject: typeof z.looseObject = (shape, params) => compiled(z.looseObject(shape, params));

/**
 * A schema made on its first use, not when its module is loaded (issue 20): `XSchema()` gives it, the same one each
 * time; the type of what it parses is `z.infer<ReturnType<typeof XSchema>>`. Building every schema at load cost each
 * CLI import ~12 ms of its program's start and ~10 ms of its reader thread's (and the plugin the same when its engine
 * loads), for schemas most runs never parse with. Each call of it is marked `@__PURE__` where a schema is defined
 * (`export const XSchema = <the annotation> z.lazySchema(() => …)`): a bundle then leaves out a schema nothing calls
 * (esbuild does not apply a function's own `@__NO_SIDE_EFFECTS__` to calls from other files), so the reader thread's
 * has none of organize's.
 */
export function lazySchema<T>(make: () => T): () => T {
	let made: T | undefined;
	return () => (made ??= make());
}
