// A check, made once from a zod schema, that says without copying anything whether zod would accept a value and
// give back an equal one (issue 20: zod's parse of every conversation copied every object of it — each message, each
// content block, each ChatGPT node —, ~15% of the import's reader thread at 2,000 conversations, to give the
// normalizer a value equal to the one it was handed). The normalizers only read what they parse, so where the check
// says yes they read the value as it is; where it says no, or where the schema uses anything it does not know, zod
// parses as before (and says what is wrong). "Equal" is up to key order: zod puts an object's declared keys first.
import type * as z from "./zod";

/** True: zod accepts the value, and its result equals the value (keys aside). False: ask zod. */
export type ShapeCheck = (value: unknown) => boolean;

/** The parts of zod's schema internals the check reads (zod v4 core: `_zod.def`, `_zod.optin/optout`, `_zod.traits`). */
interface Internals {
	def: {
		type: string;
		checks?: readonly { _zod: { def: { check: string; minimum?: number } } }[];
		innerType?: Schema;
		element?: Schema;
		shape?: Record<string, Schema>;
		catchall?: Schema;
		keyType?: Schema;
		valueType?: Schema;
		coerce?: boolean;
	};
	optin?: string;
	optout?: string;
	traits: ReadonlySet<string>;
}
type Schema = { _zod: Internals };

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/**
 * An object whose copy by zod equals it: a plain one (zod's copy takes inherited enumerable keys as its own), without
 * an own `__proto__` key (JSON.parse makes one; zod's copy leaves it out).
 */
const copyable = (value: Record<string, unknown>): boolean =>
	Object.getPrototypeOf(value) === Object.prototype && !hasOwn(value, "__proto__");

/** The check of a string's or an array's own checks: none, or a minimum length (`z.minLength`). Null: another kind. */
function lengthFloor(internals: Internals): number | null {
	let floor = 0;
	for (const check of internals.def.checks ?? []) {
		const def = check._zod.def;
		if (def.check !== "min_length" || typeof def.minimum !== "number") return null;
		floor = Math.max(floor, def.minimum);
	}
	return floor;
}

const noChecks = (internals: Internals): boolean => (internals.def.checks ?? []).length === 0;

/**
 * The check for `schema`, or null where it holds a kind of schema this does not model exactly (transforms, defaults,
 * pipes, refinements, strict or stripping objects, …): those are always parsed by zod.
 */
export function shapeCheck(schema: z.ZodMiniType): ShapeCheck | null {
	return build(schema, new Map());
}

function build(schema: Schema, made: Map<Schema, ShapeCheck | null>): ShapeCheck | null {
	if (made.has(schema)) return made.get(schema) ?? null;
	made.set(schema, null); // a schema that refers to itself (z.lazy) is not modelled: null while it is being built
	const check = make(schema, made);
	made.set(schema, check);
	return check;
}

function make(schema: Schema, made: Map<Schema, ShapeCheck | null>): ShapeCheck | null {
	const internals = schema._zod;
	const def = internals.def;
	if (def.coerce) return null;
	switch (def.type) {
		case "string": {
			const floor = lengthFloor(internals);
			if (floor === null) return null;
			return floor === 0 ? (v) => typeof v === "string" : (v) => typeof v === "string" && v.length >= floor;
		}
		case "number":
			return noChecks(internals) ? (v) => typeof v === "number" && Number.isFinite(v) : null;
		case "boolean":
			return noChecks(internals) ? (v) => typeof v === "boolean" : null;
		case "unknown":
		case "any":
			return noChecks(internals) ? () => true : null;
		case "optional": {
			// exactOptional does not take undefined; a defaulted inner substitutes a value: neither is modelled.
			if (internals.traits.has("$ZodExactOptional") || !def.innerType || def.innerType._zod.optin === "defaulted") return null;
			const inner = build(def.innerType, made);
			return inner && noChecks(internals) ? (v) => v === undefined || inner(v) : null;
		}
		case "nullable": {
			const inner = def.innerType ? build(def.innerType, made) : null;
			return inner && noChecks(internals) ? (v) => v === null || inner(v) : null;
		}
		case "array": {
			const element = def.element ? build(def.element, made) : null;
			if (!element || !noChecks(internals)) return null;
			return (v) => {
				if (!Array.isArray(v)) return false;
				for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
				return true;
			};
		}
		case "record":
			return recordCheck(internals, made);
		case "object":
			return objectCheck(internals, made);
		default:
			return null;
	}
}

/** A record of string keys (no key checks): a plain object, every value checked. */
function recordCheck(internals: Internals, made: Map<Schema, ShapeCheck | null>): ShapeCheck | null {
	const { keyType, valueType } = internals.def;
	if (!keyType || !valueType || !noChecks(internals)) return null;
	const key = keyType._zod;
	if (key.def.type !== "string" || !noChecks(key) || key.def.coerce) return null;
	const value = build(valueType, made);
	if (!value) return null;
	return (v) => {
		// zod's plain-object test reads `constructor`: an object that has its own is left to zod.
		if (!isObject(v) || hasOwn(v, "constructor") || !copyable(v)) return false;
		for (const k in v) if (!value(v[k])) return false;
		return true;
	};
}

/**
 * A loose object (`z.looseObject`: unknown keys kept as they are): each declared key checked (an optional one may be
 * absent), the rest taken. Objects that strip or refuse unknown keys are not modelled.
 */
function objectCheck(internals: Internals, made: Map<Schema, ShapeCheck | null>): ShapeCheck | null {
	const { shape, catchall } = internals.def;
	if (!shape || !catchall || catchall._zod.def.type !== "unknown" || !noChecks(catchall._zod) || !noChecks(internals)) return null;
	const fields: { key: string; check: ShapeCheck; optional: boolean }[] = [];
	for (const [key, field] of Object.entries(shape)) {
		// zod asks `key in value`, which sees Object.prototype's keys too: such a key is not modelled.
		if (key in Object.prototype) return null;
		const { optin, optout } = field._zod;
		// Optional in and out: absent adds nothing. Optional in only (a default): absent adds a value. Not modelled.
		if (optin !== undefined && (optin !== "optional" || optout !== "optional")) return null;
		const check = build(field, made);
		if (!check) return null;
		fields.push({ key, check, optional: optin !== undefined });
	}
	return (v) => {
		if (!isObject(v) || !copyable(v)) return false;
		for (const { key, check, optional } of fields) {
			if (key in v) {
				if (!check(v[key])) return false;
			} else if (!optional) return false;
		}
		return true;
	};
}

const cache = new WeakMap<object, ShapeCheck | null>();

/**
 * zod's safeParse, without the copy where the shape check says the value is accepted as it is: `data` is then the
 * value itself. Only for callers that read what they parse (never change it), and that do not depend on the order of
 * an object's keys.
 */
export function parseShape<T extends z.ZodMiniType>(schema: T, value: unknown): ReturnType<T["safeParse"]> {
	let check = cache.get(schema);
	if (check === undefined) {
		check = shapeCheck(schema);
		cache.set(schema, check);
	}
	if (check !== null && check(value)) return { success: true, data: value } as ReturnType<T["safeParse"]>;
	return schema.safeParse(value) as ReturnType<T["safeParse"]>;
}
