import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runChild, type ChildRun } from "./measure";

/**
 * Organize apply at several sizes: a vault of N notes in `Inbox/` (frontmatter to normalise, a genre each, two
 * links each, one in five 0600), previewed by `organize Inbox` (not timed), then `organize --apply-plan <id>`
 * timed. Every change is written ahead to the journal (flushed), so this measures the journal's cost too; the
 * apply must stay linear (the record used to be rewritten whole after every note: quadratic).
 */

const TOPICS = [
	"a hotel and a flight for the trip",
	"budget, invoice and revenue of the company",
	"a diary memo of today",
	"kubernetes deploy and docker",
];
const LONG = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";

export interface OrganizeRow {
	notes: number;
	preview: ChildRun;
	apply: ChildRun;
	undo: ChildRun;
}

async function writeVault(vault: string, notes: number): Promise<void> {
	await mkdir(join(vault, "Inbox"), { recursive: true });
	for (let i = 0; i < notes; i++) {
		const path = join(vault, "Inbox", `Note ${i}.md`);
		await writeFile(
			path,
			`---\ntags: alpha, beta\n---\n# Note ${i}\n\nAbout ${TOPICS[i % TOPICS.length]}. See [[Note ${(i + 1) % notes}]] and [n](Note%20${(i + 7) % notes}.md). ${LONG}\n`,
		);
		if (i % 5 === 0) await chmod(path, 0o600);
	}
}

export async function organizeApplyRow(root: string, cli: string, notes: number): Promise<OrganizeRow> {
	const vault = join(root, `organize-${notes}`);
	await rm(vault, { recursive: true, force: true });
	await writeVault(vault, notes);
	const preview = await runChild(root, [cli, "organize", "Inbox", "--vault", vault, "--json"]);
	if (preview.code !== 0) throw new Error(`organize preview failed (exit ${preview.code}): ${preview.stderr.slice(0, 1000)}`);
	const session = (JSON.parse(preview.stdout) as { session: string }).session;
	const apply = await runChild(root, [cli, "organize", "--apply-plan", session, "--vault", vault, "--json"]);
	if (apply.code !== 0) throw new Error(`organize --apply-plan failed (exit ${apply.code}): ${apply.stderr.slice(0, 1000)}`);
	const undo = await runChild(root, [cli, "organize", "--undo", session, "--vault", vault, "--json"]);
	if (undo.code !== 0) throw new Error(`organize --undo failed (exit ${undo.code}): ${undo.stderr.slice(0, 1000)}`);
	await rm(vault, { recursive: true, force: true });
	return { notes, preview, apply, undo };
}

export interface PreviewRow {
	notes: number;
	readAll: ChildRun[];
	preview: ChildRun[];
	/** The same two on an empty vault: what each costs before its first note (node, loading, the session). */
	emptyReadAll: ChildRun[];
	emptyPreview: ChildRun[];
}

/**
 * Organize preview against its floor, at N notes: `organize Inbox` (the plan, nothing applied) and a process that
 * reads every note of Inbox once (read-all.mjs), alternately, `repeat` times each on the same vault; and both on an
 * empty vault, which splits the ratio into a fixed start and a cost per note.
 */
export async function organizePreviewRow(root: string, cli: string, readAll: string, notes: number, repeat = 2): Promise<PreviewRow> {
	const vault = join(root, `preview-${notes}`);
	await rm(vault, { recursive: true, force: true });
	await writeVault(vault, notes);
	const empty = join(root, "preview-empty");
	await rm(empty, { recursive: true, force: true });
	await mkdir(join(empty, "Inbox"), { recursive: true });
	const row: PreviewRow = { notes, readAll: [], preview: [], emptyReadAll: [], emptyPreview: [] };
	for (let i = 0; i < repeat; i++) {
		row.emptyReadAll.push(await runChild(root, [readAll, join(empty, "Inbox")]));
		row.emptyPreview.push(await runChild(root, [cli, "organize", "Inbox", "--vault", empty, "--json"]));
		await rm(join(empty, ".staging"), { recursive: true, force: true });
		const floor = await runChild(root, [readAll, join(vault, "Inbox")]);
		if (floor.code !== 0) throw new Error(`read-all failed (exit ${floor.code}): ${floor.stderr.slice(0, 1000)}`);
		row.readAll.push(floor);
		const preview = await runChild(root, [cli, "organize", "Inbox", "--vault", vault, "--json"]);
		if (preview.code !== 0) throw new Error(`organize preview failed (exit ${preview.code}): ${preview.stderr.slice(0, 1000)}`);
		row.preview.push(preview);
		await rm(join(vault, ".staging"), { recursive: true, force: true });
	}
	await rm(vault, { recursive: true, force: true });
	await rm(empty, { recursive: true, force: true });
	return row;
}

const s = (ms: number): string => (ms / 1000).toFixed(2);

export function organizeMarkdown(rows: readonly OrganizeRow[]): { md: string[]; ratio: number | null } {
	const md = [
		"## Organize apply (write-ahead journal)",
		"",
		"`knowledge-etl organize --apply-plan <id>` on a vault of N notes (each: frontmatter normalised, moved to a genre folder, two links rewritten), after an untimed preview; then `--undo`. Every change is written to the journal before it is made, flushed (fsync).",
		"",
		"| Notes | Apply wall s | Apply CPU s | Apply peak RSS MB | ms per note | Undo wall s | Preview wall s |",
		"|---:|---:|---:|---:|---:|---:|---:|",
	];
	for (const r of rows) {
		md.push(
			`| ${r.notes.toLocaleString("en-US")} | ${s(r.apply.wallMs)} | ${s(r.apply.userMs + r.apply.sysMs)} | ${(r.apply.peakRssKb / 1024).toFixed(0)} | ${(r.apply.wallMs / r.notes).toFixed(2)} | ${s(r.undo.wallMs)} | ${s(r.preview.wallMs)} |`,
		);
	}
	const a = rows[0];
	const b = rows[rows.length - 1];
	const ratio = a && b && a !== b ? b.apply.wallMs / b.notes / (a.apply.wallMs / a.notes) : null;
	if (ratio !== null && a && b)
		md.push(
			"",
			`ms per note at ${b.notes.toLocaleString("en-US")} ÷ ms per note at ${a.notes.toLocaleString("en-US")}: ${ratio.toFixed(2)} (1.00 is linear).`,
		);
	md.push("");
	return { md, ratio };
}
