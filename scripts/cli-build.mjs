// How the CLI is built, for `npm run build` (esbuild.config.mjs), the benchmark (scripts/bench.mjs) and the tests
// that run the built CLI (test/cli/cli-bundle.ts). The files, which must stay together in one folder:
//   cli.js            the `knowledge-etl` bin (ESM, with a shebang): a small launcher (src/cli/main.ts);
//   cli-worker.cjs    the CLI itself (src/cli/cli-worker.ts), a CommonJS script the launcher loads in a worker
//                     thread with V8's code cache (src/cli/program-loader.ts);
//   cli-worker.cjs.cache  that code cache, saved by a small warm-up import after the build (see warmCodeCache);
//   extract-worker.js the reader of large exports, in a thread of its own during an import (ESM).
// The launcher and the reader take `ext` (.js; the benchmark uses .mjs); the program is always .cjs.
import esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENTRIES = { cli: "src/cli/main.ts", "extract-worker": "src/cli/extract-thread/extract-worker.ts" };
const PROGRAM = "src/cli/cli-worker.ts";

/**
 * esbuild's options for the CLI from the sources under `root` into `outdir`. A source tree without
 * src/cli/cli-worker.ts (an older commit, for the benchmark's --ref) is built as it was then: main.ts alone.
 * `only` leaves out files (tests of what happens without one).
 */
export function cliBuildOptions({ root, outdir, ext = ".js", production = true, only = ["cli", "cli-worker", "extract-worker"], logLevel = "info" }) {
	const node = {
		bundle: true,
		platform: "node",
		target: "node20",
		external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
		logLevel,
		sourcemap: production ? false : "inline",
	};
	const entries = Object.fromEntries(Object.entries(ENTRIES).filter(([name, path]) => only.includes(name) && existsSync(join(root, path))).map(([name, path]) => [name, join(root, path)]));
	const options = [
		{
			...node,
			entryPoints: entries,
			outdir,
			outExtension: { ".js": ext },
			format: "esm",
			banner: { js: "#!/usr/bin/env node\nimport { createRequire as __ketlCreateRequire } from 'node:module'; const require = __ketlCreateRequire(import.meta.url);" },
		},
	];
	if (only.includes("cli-worker") && existsSync(join(root, PROGRAM))) {
		// A new id for each build: the code cache records it, and is used only with the program that has it.
		const banner = `/*! knowledge-etl build ${randomUUID()} */`;
		options.push({ ...node, entryPoints: [join(root, PROGRAM)], outfile: join(outdir, "cli-worker.cjs"), format: "cjs", banner: { js: banner } });
	}
	return options;
}

/** Builds the CLI once (see cliBuildOptions); returns the launcher's path. */
export async function buildCli(settings) {
	const { outdir, ext = ".js" } = settings;
	mkdirSync(outdir, { recursive: true });
	// Files of an earlier build that this one does not make again would only mislead (a cache never matches a new
	// program: the loader checks).
	for (const name of ["cli-worker.cjs", "cli-worker.cjs.cache", `extract-worker${ext}`]) rmSync(join(outdir, name), { force: true });
	await Promise.all(cliBuildOptions(settings).map((o) => esbuild.build(o)));
	return join(outdir, `cli${ext}`);
}

/**
 * Runs a small import (two conversations of each provider, in a temp folder) with the built launcher, asking it to
 * save V8's code cache of the program afterwards. Later runs start faster: the code the import needs is compiled.
 * Returns whether the cache was written (a launcher without a program file writes none).
 */
export function warmCodeCache(launcher, outdir) {
	if (!existsSync(join(outdir, "cli-worker.cjs"))) return false;
	const work = mkdtempSync(join(tmpdir(), "ketl-warm-"));
	try {
		const text = (i) => `Question ${i}: how do I read a **large** file?\n\n\`\`\`ts\nconst x = ${i};\n\`\`\`\n\n- one\n- two [link](https://example.com) #tag`;
		const claude = [1, 2].map((i) => ({
			uuid: `warm-claude-${i}`,
			name: `Warm-up ${i}`,
			summary: "",
			created_at: "2025-01-01T10:00:00.000000Z",
			updated_at: "2025-01-01T10:05:00.000000Z",
			chat_messages: [
				{ uuid: `c${i}-1`, sender: "human", text: text(i), created_at: "2025-01-01T10:00:00Z", content: [{ type: "text", text: text(i) }], attachments: [], files: [] },
				{ uuid: `c${i}-2`, parent_message_uuid: `c${i}-1`, sender: "assistant", text: "Like this.", created_at: "2025-01-01T10:01:00Z", content: [{ type: "text", text: "Like this." }], attachments: [], files: [] },
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
				a: { id: "a", parent: "root", children: ["b"], message: { id: "a", author: { role: "user" }, create_time: 1735725600, content: { content_type: "text", parts: [text(i)] } } },
				b: { id: "b", parent: "a", children: [], message: { id: "b", author: { role: "assistant" }, create_time: 1735725660, content: { content_type: "text", parts: ["Like this."] } } },
			},
		}));
		mkdirSync(join(work, "claude"));
		mkdirSync(join(work, "chatgpt"));
		mkdirSync(join(work, "vault"));
		writeFileSync(join(work, "claude", "conversations.json"), JSON.stringify(claude));
		writeFileSync(join(work, "chatgpt", "conversations.json"), JSON.stringify(chatgpt));
		const run = spawnSync(process.execPath, [launcher, "import", join(work, "claude", "conversations.json"), join(work, "chatgpt", "conversations.json"), "--vault", join(work, "vault")], {
			env: { ...process.env, KNOWLEDGE_ETL_WRITE_CODE_CACHE: "1" },
			encoding: "utf8",
		});
		if (run.status !== 0) throw new Error(`the warm-up import failed (exit ${run.status}): ${run.stderr}`);
		return existsSync(join(outdir, "cli-worker.cjs.cache"));
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
