// How the CLI is built, for `npm run build` (esbuild.config.mjs), the benchmark (scripts/bench.mjs) and the tests
// that run the built CLI (test/cli/cli-bundle.ts). The files, which must stay together in one folder:
//   cli.js              the `knowledge-etl` bin (ESM, with a shebang): a small launcher (src/cli/main.ts);
//   cli-worker.cjs      the CLI itself (src/cli/cli-worker.ts), a CommonJS script the launcher loads with V8's code
//                       cache (src/cli/script-loader.ts);
//   extract-worker.cjs  the reader of large exports, in a thread of its own during an import (same loading);
//   *.cjs.cache         their code caches, saved by small warm-up imports after the build (see warmCodeCache);
//   cli-worker.cjs.organize.cache  the program's code cache for organize, saved by a small warm-up preview.
// The launcher takes `ext` (.js; the benchmark uses .mjs).
import esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LAUNCHER = "src/cli/main.ts";
/** The CommonJS scripts the launcher loads with their code caches. */
const SCRIPTS = { "cli-worker": "src/cli/cli-worker.ts", "extract-worker": "src/cli/extract-thread/extract-worker.ts" };

/**
 * esbuild's options for the CLI from the sources under `root` into `outdir`. A source tree without
 * src/cli/cli-worker.ts (an older commit, for the benchmark's --ref) is built as it was then: main.ts alone.
 * `only` leaves out files (tests of what happens without one).
 */
export function cliBuildOptions({
	root,
	outdir,
	ext = ".js",
	production = true,
	only = ["cli", "cli-worker", "extract-worker"],
	logLevel = "info",
}) {
	const node = {
		bundle: true,
		platform: "node",
		target: "node20",
		external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
		logLevel,
		sourcemap: production ? false : "inline",
	};
	const options = [];
	if (only.includes("cli")) {
		options.push({
			...node,
			entryPoints: { cli: join(root, LAUNCHER) },
			outdir,
			outExtension: { ".js": ext },
			format: "esm",
			banner: {
				js: "#!/usr/bin/env node\nimport { createRequire as __ketlCreateRequire } from 'node:module'; const require = __ketlCreateRequire(import.meta.url);",
			},
		});
	}
	for (const [name, path] of Object.entries(SCRIPTS)) {
		if (!only.includes(name) || !existsSync(join(root, path))) continue;
		// A new id for each build: a code cache records it, and is used only with the script that has it.
		options.push({
			...node,
			entryPoints: [join(root, path)],
			outfile: join(outdir, `${name}.cjs`),
			format: "cjs",
			banner: { js: `/*! knowledge-etl build ${randomUUID()} */` },
		});
	}
	return options;
}

/** Builds the CLI once (see cliBuildOptions); returns the launcher's path. */
export async function buildCli(settings) {
	const { outdir, ext = ".js" } = settings;
	mkdirSync(outdir, { recursive: true });
	// Files of an earlier build that this one does not make again would only mislead (a cache never matches a new
	// program: the loader checks).
	for (const name of ["cli-worker.cjs", "extract-worker.cjs"])
		for (const file of [name, `${name}.cache`, `${name}.organize.cache`]) rmSync(join(outdir, file), { force: true });
	await Promise.all(cliBuildOptions(settings).map((o) => esbuild.build(o)));
	for (const name of ["cli-worker.cjs", "extract-worker.cjs"]) asciiOnly(join(outdir, name));
	return join(outdir, `cli${ext}`);
}

/**
 * Escapes what esbuild leaves of non-ASCII in a script (\uXXXX; it escapes strings and templates itself, not regular
 * expression literals nor the comments it keeps), where an escape means the same character. A script with a single
 * character beyond Latin-1 is held by V8 as a two-byte string: twice its size on the heap of each thread that runs it,
 * for the whole run (the program's 0.9 MB script took 1.8 MB).
 */
function asciiOnly(file) {
	if (!existsSync(file)) return;
	const text = readFileSync(file, "utf8");
	// After a backslash (an identity escape in a regular expression) an escape would not mean the character.
	if (/\\[\u0080-\uffff]/.test(text)) throw new Error(`${file}: a backslash before a non-ASCII character; cannot escape it`);
	const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
	if (ascii !== text) writeFileSync(file, ascii);
}

/**
 * An organize preview of the imported notes in `vault` and of three notes of the user's own (simple frontmatter with
 * links, none, dust), saving organize's code cache of the program after it (see warmCodeCache).
 */
function warmOrganize(launcher, vault) {
	const folder = join(vault, "AI Conversations");
	mkdirSync(folder, { recursive: true });
	const prose = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";
	writeFileSync(
		join(folder, "Own note.md"),
		`---\ntags: alpha, beta\n---\n# Own note\n\nA hotel and a flight for the trip. See [[Warm-up 1]] and [n](Other%20note.md). ${prose}\n`,
	);
	writeFileSync(join(folder, "Other note.md"), `Budget and invoice of the company. ${prose}\n`);
	writeFileSync(join(folder, "Tiny.md"), "tiny\n");
	const run = spawnSync(process.execPath, [launcher, "organize", "--vault", vault, "--json"], {
		env: { ...process.env, KNOWLEDGE_ETL_WRITE_CODE_CACHE: "program", KNOWLEDGE_ETL_HEAP_MB: "" },
		encoding: "utf8",
	});
	if (run.status !== 0) throw new Error(`the warm-up organize preview failed (exit ${run.status}): ${run.stderr}`);
}

/**
 * Runs two small imports (two conversations of each provider, in a temp folder) with the built launcher, asking it
 * to save V8's code cache of the program after the first (read in its own thread, as a small import is) and of the
 * reader after the second (read in the reader thread). After the first, an organize preview of the notes it made
 * (and of a few notes of the user's own kinds) saves organize's own cache of the program (programCacheFor in
 * src/cli/launch-plan.ts). Later runs start faster: the code a command needs is compiled.
 * Returns the caches written (none with a launcher from before they existed: --ref of an old commit).
 */
export function warmCodeCache(launcher, outdir) {
	const written = [];
	if (!existsSync(join(outdir, "cli-worker.cjs"))) return written;
	const work = mkdtempSync(join(tmpdir(), "ketl-warm-"));
	try {
		const text = (i) =>
			`Question ${i}: how do I read a **large** file?\n\n\`\`\`ts\nconst x = ${i};\n\`\`\`\n\n- one\n- two [link](https://example.com) #tag`;
		const claude = [1, 2].map((i) => ({
			uuid: `warm-claude-${i}`,
			name: `Warm-up ${i}`,
			summary: "",
			created_at: "2025-01-01T10:00:00.000000Z",
			updated_at: "2025-01-01T10:05:00.000000Z",
			chat_messages: [
				{
					uuid: `c${i}-1`,
					sender: "human",
					text: text(i),
					created_at: "2025-01-01T10:00:00Z",
					content: [{ type: "text", text: text(i) }],
					attachments: [],
					files: [],
				},
				{
					uuid: `c${i}-2`,
					parent_message_uuid: `c${i}-1`,
					sender: "assistant",
					text: "Like this.",
					created_at: "2025-01-01T10:01:00Z",
					content: [{ type: "text", text: "Like this." }],
					attachments: [],
					files: [],
				},
			],
		}));
		const chatgpt = [1, 2].map((i) => ({
			id: `warm-gpt-${i}`,
			conversation_id: `warm-gpt-${i}`,
			title: `Warm-up ${i}`,
			create_time: 1735725600,
			update_time: 1735725900,
			current_node: "b",
			mapping: {
				root: { id: "root", parent: null, children: ["a"], message: null },
				a: {
					id: "a",
					parent: "root",
					children: ["b"],
					message: { id: "a", author: { role: "user" }, create_time: 1735725600, content: { content_type: "text", parts: [text(i)] } },
				},
				b: {
					id: "b",
					parent: "a",
					children: [],
					message: {
						id: "b",
						author: { role: "assistant" },
						create_time: 1735725660,
						content: { content_type: "text", parts: ["Like this."] },
					},
				},
			},
		}));
		const inputs = [join(work, "claude", "conversations.json"), join(work, "chatgpt", "conversations.json")];
		mkdirSync(join(work, "claude"));
		mkdirSync(join(work, "chatgpt"));
		writeFileSync(inputs[0], JSON.stringify(claude));
		writeFileSync(inputs[1], JSON.stringify(chatgpt));
		for (const [which, script] of [
			["program", "cli-worker.cjs"],
			["reader", "extract-worker.cjs"],
		]) {
			if (!existsSync(join(outdir, script))) continue;
			const vault = join(work, `vault-${which}`);
			mkdirSync(vault);
			const run = spawnSync(process.execPath, [launcher, "import", ...inputs, "--vault", vault], {
				env: { ...process.env, KNOWLEDGE_ETL_WRITE_CODE_CACHE: which, KNOWLEDGE_ETL_HEAP_MB: "" },
				encoding: "utf8",
			});
			if (run.status !== 0) throw new Error(`the warm-up import (${which}) failed (exit ${run.status}): ${run.stderr}`);
			if (existsSync(join(outdir, `${script}.cache`))) written.push(`${script}.cache`);
			// Only a launcher that saves organize's cache apart (programCacheFor): an older one (the benchmark's --ref of
			// an earlier commit, built by this script) would save the preview's code into the import's own cache, and its
			// import would then be measured with a cache it never had (review14).
			if (which === "program" && readFileSync(launcher, "utf8").includes(".organize.cache")) {
				warmOrganize(launcher, vault);
				if (existsSync(join(outdir, `${script}.organize.cache`))) written.push(`${script}.organize.cache`);
			}
		}
		return written;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
