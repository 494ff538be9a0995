import { emitMapping } from "../../yaml/emit";

/**
 * The YAML text of a note's frontmatter (without the `---` fences), as `renderNote` writes it: block style, one key
 * per line, no line folding, and the free-text keys (`title`, `aliases`, `summary`) always double-quoted so no title
 * can look like YAML syntax (`---`, `- x`, `key: v`, …).
 *
 * The output is what the `yaml` library wrote when it wrote our notes (test/core/import/transform/frontmatter-yaml.test.ts
 * keeps it as the reference); our own writer (`core/yaml/emit.ts`, `stringifyFrontmatterFully`) gives the same text.
 * `stringifyFrontmatter` first tries a direct emitter for the shapes our frontmatter has — strings, safe integers,
 * string lists — which is cheaper still; whenever a value is outside what it is sure about (a string that would need
 * quoting outside the free-text keys, a control character, a lone surrogate, an unusual key, any other type), it hands
 * the whole object to the full writer.
 */
export function stringifyFrontmatter(frontmatter: Readonly<Record<string, unknown>>): string {
	return fastStringifyFrontmatter(frontmatter) ?? stringifyFrontmatterFully(frontmatter);
}

/** Free-text keys, always double-quoted. */
const QUOTED_KEYS: ReadonlySet<string> = new Set(["title", "aliases", "summary"]);

/** The full writer: any value, the free-text keys' strings double-quoted. */
export function stringifyFrontmatterFully(frontmatter: Readonly<Record<string, unknown>>): string {
	return emitMapping(frontmatter, { doubleQuotedKeys: QUOTED_KEYS });
}

/** A key the library writes as it is: a plain identifier that no YAML 1.1/1.2 schema reads as a bool or null. */
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Strings the library writes plain (unquoted): a restricted alphabet, starting with a letter, digit or `_` (so no
 * indicator character or `---` can start them), with no `: ` inside and no trailing space or `:`.
 */
const PLAIN_CHARS = /^[A-Za-z0-9_][A-Za-z0-9_.:/+ -]*$/;
/**
 * A superset of the plain strings that the core schema would read back as something other than a string (the
 * library quotes those): integers (also 0x/0o), floats with or without exponent, and bool/null words (with the
 * YAML 1.1 ones for good measure). Over-matching only sends a value to the slow path.
 */
const LOOKS_LIKE_NUMBER = /^(?:0[xo][0-9a-f]*|[0-9.]*(?:e[-+]?[0-9]*)?)$/i;
const RESERVED_WORD = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
/**
 * Digits only: an integer to the core schema, so the library double-quotes it (JSON syntax, nothing to escape).
 * This is a deferred `file_id` (`000000000000`), and one real file_id in a few hundred.
 */
const DIGITS = /^[0-9]+$/;
/**
 * Digits, `e`, digits: a float with an exponent to the core schema, so the library double-quotes it too. A hex
 * `file_id` such as `012345e67890` is one (about one in five hundred); without this it took the library's path.
 */
const DIGITS_EXPONENT = /^[0-9]+e[0-9]+$/;
/** What JSON.stringify would escape as `\uXXXX` (control characters, lone surrogates): the library rewrites those. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this detects
const NEEDS_YAML_ESCAPE = /[\x00-\x1f]|[\u{d800}-\u{dfff}]/u;

function isPlainSafe(value: string): boolean {
	return (
		PLAIN_CHARS.test(value) &&
		!value.includes(": ") &&
		!value.endsWith(" ") &&
		!value.endsWith(":") &&
		!LOOKS_LIKE_NUMBER.test(value) &&
		!RESERVED_WORD.test(value)
	);
}

/**
 * With no control character or lone surrogate, the library's double-quoted style is JSON's string syntax (only `"`
 * and `\` escaped; with lineWidth 0 nothing is folded).
 */
function doubleQuoted(value: string): string | null {
	return NEEDS_YAML_ESCAPE.test(value) ? null : JSON.stringify(value);
}

function scalar(value: unknown, quoted: boolean): string | null {
	if (typeof value === "string") {
		if (quoted) return doubleQuoted(value);
		if (isPlainSafe(value)) return value;
		return DIGITS.test(value) || DIGITS_EXPONENT.test(value) ? `"${value}"` : null;
	}
	if (typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
	return null;
}

/**
 * The frontmatter as `stringifyFrontmatterFully` writes it, or null when this emitter is not sure it would
 * match (the caller then uses that). Exported for the equivalence test.
 */
export function fastStringifyFrontmatter(frontmatter: Readonly<Record<string, unknown>>): string | null {
	let out = "";
	// Indexed loops, not for…of: a `return null` from inside one closes its iterator, a path V8 had not seen run when
	// it optimized this function (a note's first unusual value), and the optimized code was thrown away there.
	const keys = Object.keys(frontmatter);
	for (let k = 0; k < keys.length; k++) {
		const key = keys[k]!;
		const value = frontmatter[key];
		if (value === undefined) continue; // the library leaves undefined values out
		if (!SIMPLE_KEY.test(key) || RESERVED_WORD.test(key)) return null;
		const quoted = QUOTED_KEYS.has(key);
		if (Array.isArray(value)) {
			if (value.length === 0) {
				out += `${key}: []\n`;
				continue;
			}
			out += `${key}:\n`;
			for (let i = 0; i < value.length; i++) {
				const item: unknown = value[i];
				const text = typeof item === "string" ? scalar(item, quoted) : null;
				if (text === null) return null;
				out += `  - ${text}\n`;
			}
			continue;
		}
		const text = scalar(value, quoted);
		if (text === null) return null;
		out += `${key}: ${text}\n`;
	}
	// An empty map is `{}`; not a shape we write.
	return out === "" ? null : out;
}
