// `npm run demo`: imports the project's own sample exports (a Claude zip and a ChatGPT conversations.json)
// into ./demo-vault with the built CLI, installs the built plugin into that vault, and says where to look.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const vault = join(root, "demo-vault");
const cli = join(root, "dist", "cli.js");
if (!existsSync(cli)) {
	console.error("dist/cli.js is missing: run `npm run build` first (npm run demo does).");
	process.exit(1);
}
mkdirSync(vault, { recursive: true });

const inputs = [join(root, "samples", "claude-export.zip"), join(root, "samples", "chatgpt", "conversations.json")];
console.log(`Importing ${inputs.map((p) => relative(root, p)).join(" and ")} into ${relative(root, vault)}/ …\n`);
const run = spawnSync(process.execPath, [cli, "import", ...inputs, "--vault", vault], { stdio: "inherit" });
if (run.status !== 0) {
	console.error(`\nThe import ended with exit code ${run.status}.`);
	process.exit(run.status ?? 1);
}

// The plugin, ready to enable when the folder is opened as a vault.
const pluginDir = join(vault, ".obsidian", "plugins", "knowledge-etl");
mkdirSync(pluginDir, { recursive: true });
for (const file of ["main.js", "manifest.json", "styles.css"]) cpSync(join(root, file), join(pluginDir, file));

const notesRoot = join(vault, "AI Conversations");
console.log("\nNotes:");
for (const provider of readdirSync(notesRoot).sort()) {
	for (const note of readdirSync(join(notesRoot, provider)).sort()) console.log(`  ${relative(root, join(notesRoot, provider, note))}`);
}
console.log(`
Session logs: ${relative(root, join(vault, ".staging", "@session"))}/  (node dist/cli.js status --vault demo-vault)
Run the demo again: nothing is rewritten (every note is "unchanged").

To look at it in Obsidian: "Open folder as vault" → ${vault}
The Knowledge ETL plugin is already copied into it; enable it under Settings → Community plugins.`);
