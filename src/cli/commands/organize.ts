import { cliApp } from "../cli-app";
import { silentLogger } from "../../core/app/ports";
import { countPlan, planChangeSize, sessionDir } from "../../core/app/views";
import type { Plan, ContinueOrganizeResult } from "../../core/app/types";
import { resolveVaultDir } from "../vault-dir";
import { EXIT_CODES_HELP, ExitCode, exitCodeForFailures } from "../exit-codes";
import { DEFAULT_OUT_FOLDER, NORMALIZE_RULES } from "../../core/app/catalog";
import { RunCancelledError } from "../../core/app/errors";
import { LLM_OPTIONS, llmClientFor, parseLlmFlags, type LlmFlagValues } from "../llm-flags";
import { COMMON_OPTIONS, parseCommandArgs } from "../args";
import { UsageError } from "../errors";
import { reportError, say, type CliIo } from "../output";
import { readdir } from "node:fs/promises";
import type { TempFilesSeen } from "../node-note-vault";
import { removeSeenTempFiles, removeStaleTempFiles, STAGING_FOLDER } from "../stale-temp-files";

export const ORGANIZE_USAGE = `Usage: knowledge-etl organize [FOLDER] --vault DIR [--apply] [--force] [--conflict rename|skip|overwrite] [--json]
       knowledge-etl organize --apply-plan SESSION --vault DIR [--json]
       knowledge-etl organize --resume SESSION --vault DIR [--json]
       knowledge-etl organize --retry SESSION --vault DIR [--json]
       knowledge-etl organize --undo SESSION --vault DIR [--json]

Files the notes of FOLDER (vault-relative; default: the import's "${DEFAULT_OUT_FOLDER}"; "." for the whole vault) into genre folders. Without --apply it only
writes a plan (organize/load/output/plan.json and plan.md in a new session) and changes nothing.
  --apply      apply the plan: edit frontmatter and content, move notes, rewrite links across the vault
  --force      also re-organise notes already marked normalized: true
  --conflict   when the target name exists: rename (default, "Title 1"), skip, or overwrite (the old note is trashed)
  --apply-plan ID  apply the plan a preview wrote in session ID (as reviewed in its plan.md), without planning again
  --resume ID  go on with session ID's interrupted organize run: plan the notes not yet planned, apply what is
               left to apply (a run started with --apply, or a plan whose apply was stopped)
  --retry ID   redo session ID's failed notes: plan again the ones that failed (e.g. fixed YAML) and merge them
               into the plan; when the plan was applied, apply them and the notes that failed to apply
  --undo ID    restore the vault as it was before session ID's organize run
  --json       print a JSON result instead of text
  --exclude PATTERN  leave these notes alone (repeatable): a folder ("Journal") or a pattern ("**/drafts/**",
               "*.excalidraw.md"). Always left alone: .obsidian, .staging, .trash, the templates folder (core
               Templates, Templater), the daily notes folder (Daily notes, Periodic Notes), the attachments folder,
               and notes with "organize: false" in their frontmatter
  --normalize RULES  normalisation of your own notes (not from an import), comma-separated, off by default:
               ${NORMALIZE_RULES.join(", ")} (or all). Imported notes are always normalised
  --genre-parent FOLDER  where genre folders go (default "${DEFAULT_OUT_FOLDER}", the import's folder; "." = vault root)
  --yes        apply a whole-vault plan (".") without stopping at the count of what would change
  --llm ollama|openai --model NAME [--llm-url URL] [--api-key-env VAR]
               classify by a model instead of by keywords (its reply: {genre, topic, confidence}; low confidence → _review)
${EXIT_CODES_HELP}`;

/** Where the import puts notes: what organize works on unless told otherwise. */
export const DEFAULT_ORGANIZE_FOLDER = DEFAULT_OUT_FOLDER;

export interface OrganizeArgs {
	folder: string;
	vault: string;
	apply: boolean;
	force: boolean;
	json: boolean;
	conflict: "rename" | "skip" | "overwrite";
	/** `--help`: print the usage and do nothing else. */
	help: boolean;
	undo?: string;
	applyPlan?: string;
	resume?: string;
	retry?: string;
	/** LLM flags (`--llm`, `--llm-url`, `--model`, `--api-key-env`, `--timeout`, `--retries`): classify by a model. */
	llm: LlmFlagValues;
	/** `--exclude`, repeatable. */
	exclude: string[];
	/** `--normalize a,b`: rules for the user's own notes. */
	normalize: string[];
	/** `--genre-parent` (absent: the import's folder). */
	genreParent?: string;
	/** `--yes`: a whole-vault apply goes ahead without stopping at the count. */
	yes: boolean;
}

/** The options of `organize`, parsed by the same strict parser as every other command (parseCommandArgs). */
const ORGANIZE_OPTIONS = {
	...COMMON_OPTIONS,
	apply: { type: "boolean", default: false },
	force: { type: "boolean", default: false },
	conflict: { type: "string" },
	undo: { type: "string" },
	resume: { type: "string" },
	"apply-plan": { type: "string" },
	retry: { type: "string" },
	exclude: { type: "string", multiple: true },
	normalize: { type: "string", multiple: true },
	"genre-parent": { type: "string" },
	yes: { type: "boolean", default: false },
	...LLM_OPTIONS,
} as const;

export function parseOrganizeArgs(argv: readonly string[]): OrganizeArgs {
	const { values, positionals: positional } = parseCommandArgs(argv, ORGANIZE_OPTIONS, true);
	const llm: LlmFlagValues = {};
	for (const key of Object.keys(LLM_OPTIONS) as (keyof typeof LLM_OPTIONS)[]) if (values[key] !== undefined) llm[key] = values[key];
	const conflict = values.conflict ?? "rename";
	if (conflict !== "rename" && conflict !== "skip" && conflict !== "overwrite")
		throw new UsageError(`--conflict must be rename, skip or overwrite, not "${conflict}"`);
	const args: Partial<OrganizeArgs> & {
		apply: boolean;
		force: boolean;
		json: boolean;
		help: boolean;
		conflict: OrganizeArgs["conflict"];
		llm: LlmFlagValues;
		exclude: string[];
		normalize: string[];
		yes: boolean;
	} = {
		apply: values.apply,
		force: values.force,
		json: values.json,
		help: values.help,
		conflict,
		llm,
		exclude: values.exclude ?? [],
		normalize: (values.normalize ?? []).flatMap((v) => v.split(",")),
		yes: values.yes,
		...(values["genre-parent"] !== undefined ? { genreParent: values["genre-parent"] } : {}),
		...(values.vault !== undefined ? { vault: values.vault } : {}),
		...(values.undo !== undefined ? { undo: values.undo } : {}),
		...(values.resume !== undefined ? { resume: values.resume } : {}),
		...(values["apply-plan"] !== undefined ? { applyPlan: values["apply-plan"] } : {}),
		...(values.retry !== undefined ? { retry: values.retry } : {}),
	};
	if (args.help) return { ...args, vault: args.vault ?? "", folder: "" };
	if (positional.length > 1) throw new UsageError(`One folder at most, got ${positional.join(", ")}`);
	// Required on purpose: organize moves files, so it never runs on whatever folder the shell happens to be in.
	if (!args.vault) throw new UsageError("--vault DIR is required (organize moves notes, so the vault is never guessed)");
	const sessionModes = (["undo", "applyPlan", "resume", "retry"] as const).filter((mode) => args[mode] !== undefined);
	const flag = (mode: string): string => `--${mode === "applyPlan" ? "apply-plan" : mode}`;
	if (sessionModes.length > 1)
		throw new UsageError(`Give one of --undo, --apply-plan, --resume and --retry, not ${sessionModes.map(flag).join(" and ")}`);
	const mode = sessionModes[0];
	if (mode && (args.apply || positional.length > 0)) throw new UsageError(`${flag(mode)} takes no folder and no --apply`);
	if (mode === "applyPlan" && (args.force || argv.includes("--conflict")))
		throw new UsageError("--apply-plan applies the plan as it was written; --force and --conflict are not taken");
	if ((mode === "resume" || mode === "retry") && (args.force || argv.includes("--conflict"))) {
		throw new UsageError(`--${mode} goes on with the session's own options; --force and --conflict are not taken`);
	}
	const given = positional[0] ?? (mode ? "" : DEFAULT_ORGANIZE_FOLDER);
	const folder = (given === "." ? "" : given).replace(/\\/g, "/").replace(/^\.?\/+|\/+$/g, "");
	if (folder.split("/").includes("..")) throw new UsageError(`The folder must be inside the vault: "${positional[0]}"`);
	return { ...args, vault: args.vault, folder };
}

/**
 * Removes the temp files of atomic writes that a killed run left (`<name>.tmp-<hex>`): in the session, and in
 * the vault's folders (a note rewritten in place by organize or undo), dot-folders apart. Called after an undo,
 * a resume or a retry, when this process has no write in flight.
 */
async function removeOrganizeTempFiles(
	root: string,
	sessionId: string | null,
	olderThanMs?: number,
	/** What this run's listing of the whole vault found (NodeNoteVault.sweepHint): the vault's folders are not walked. */
	seen?: TempFilesSeen | null,
): Promise<void> {
	const staging = olderThanMs !== undefined ? [STAGING_FOLDER] : sessionId !== null ? [sessionDir(sessionId)] : [];
	if (seen) {
		await removeStaleTempFiles(root, staging, olderThanMs).catch(() => undefined);
		await removeSeenTempFiles(root, seen, olderThanMs).catch(() => undefined);
		return;
	}
	const top = await readdir(root, { withFileTypes: true }).catch(() => []);
	const folders = top.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => entry.name);
	await removeStaleTempFiles(root, [...staging, ...folders], olderThanMs).catch(() => undefined);
}

/** `knowledge-etl organize ...`; returns the exit code. */
export async function runOrganizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
	const json = argv.includes("--json");
	try {
		const args = parseOrganizeArgs(argv);
		if (args.help) {
			say(io, ORGANIZE_USAGE);
			return ExitCode.OK;
		}
		return await organizeIn(await resolveVaultDir(args.vault, io), args, io);
	} catch (error) {
		if (error instanceof UsageError) say(io, ORGANIZE_USAGE);
		return reportError(io, error, json);
	}
}

/** One organize verb (undo, apply a plan, resume or retry, plan or plan and apply) in the vault at `root`. */
async function organizeIn(root: string, args: OrganizeArgs, io: CliIo): Promise<number> {
	// Organize's I/O is synchronous and one note at a time: the vault lets the event loop turn, so that Ctrl-C is seen
	// between two notes in the launcher's own thread too (one-thread mode, and every preview).
	const { app, vault } = cliApp(root, io, { letLoopTurn: true });
	// Ctrl-C or SIGTERM stops a run between two notes (undo always runs to the end: it is what puts things back).
	const hooks = io.signal ? { signal: io.signal } : {};
	if (args.undo) {
		const result = await app.undo(args.undo);
		await removeOrganizeTempFiles(root, args.undo);
		if (args.json) io.stdout(`${JSON.stringify({ session: args.undo, ...result })}\n`);
		else {
			io.stderr(`Undid session ${args.undo}: ${result.restored} changes reversed.\n`);
			for (const conflict of result.conflicts) io.stderr(`Not restored: ${conflict.path}: ${conflict.message}\n`);
		}
		return result.conflicts.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
	}
	if (args.applyPlan !== undefined) {
		const asked = Date.now();
		const applied = await app.apply(args.applyPlan, hooks);
		// No temp file of a killed earlier run survives this one (only those older than this run's lock request).
		await removeOrganizeTempFiles(root, null, asked);
		const failures = applied.record.failures;
		const cancelled = applied.cancelled ? { cancelled: true } : {};
		if (args.json)
			io.stdout(
				`${JSON.stringify({ session: applied.sessionId, applied: true, ...cancelled, counts: countPlan(applied.plan), failures })}\n`,
			);
		else {
			io.stderr(summary(applied.sessionId, applied.plan, true, root, applied.cancelled));
			for (const failure of failures) io.stderr(`Not applied: ${failure.path}: ${failure.message}\n`);
		}
		if (applied.cancelled) return ExitCode.INTERRUPTED;
		return exitCodeForFailures(failures.length, applied.plan.items.length);
	}
	const llmClient = llmClientFor(parseLlmFlags(args.llm), undefined, args.llm, silentLogger);
	const continued = args.resume ?? args.retry;
	if (continued !== undefined) {
		const request = { sessionId: continued, phase: "organize" as const, ...(llmClient ? { llmClient } : {}) };
		const result = args.resume !== undefined ? await app.resume(request, hooks) : await app.retry(request, hooks);
		if (result.kind !== "organize") throw new Error(`Session ${continued} was continued as ${result.kind}`);
		await removeOrganizeTempFiles(root, continued);
		return reportContinued(result, args.json, root, io);
	}
	// The whole vault is applied only once the user has seen how much changes (or said --yes).
	const confirmFirst = args.apply && args.folder === "" && !args.yes;
	const asked = Date.now();
	// A stop while planning ends without a plan (the core throws RunCancelledError): the session is known from here.
	const started: { session: string | null } = { session: null };
	const result = await app
		.organize(
			{
				...(llmClient ? { llmClient } : {}),
				folder: args.folder,
				force: args.force,
				apply: args.apply && !confirmFirst,
				setup: {
					exclude: args.exclude,
					userNoteRules: args.normalize,
					...(args.genreParent !== undefined ? { genreParent: args.genreParent } : {}),
					outFolder: DEFAULT_OUT_FOLDER,
				},
				conflictPolicy: args.conflict,
			},
			{ ...hooks, onSession: (id) => (started.session = id) },
		)
		.catch((error: unknown) => {
			if (error instanceof RunCancelledError && started.session !== null) return null;
			throw error;
		});
	// The run listed the whole vault after `asked` (the plan's extract stage): what that listing found is swept.
	await removeOrganizeTempFiles(root, null, asked, vault.sweepHint());
	if (result === null) return reportStoppedWhilePlanning(started.session ?? "", args.json, root, io);
	if (confirmFirst) {
		const size = planChangeSize(result.plan);
		const text =
			`Whole vault: ${size.notes} ${size.notes === 1 ? "note" : "notes"} in ${size.folders} ${size.folders === 1 ? "folder" : "folders"} would change. Nothing was applied. ` +
			`Read the plan (the session's organize/load/output/plan.md), then apply it with: knowledge-etl organize --apply-plan ${result.sessionId} --vault ${JSON.stringify(root)} ` +
			`(or run again with --yes).`;
		if (args.json)
			printJsonWithPlan(
				io,
				{ session: result.sessionId, applied: false, confirm: { ...size, message: text }, counts: countPlan(result.plan) },
				result.plan,
				result.planJson,
			);
		else io.stderr(`${summary(result.sessionId, result.plan, false, root)}${text}\n`);
		return ExitCode.OK;
	}
	const failures = result.record?.failures ?? [];
	const cancelled = result.cancelled ? { cancelled: true } : {};
	if (args.json) {
		printJsonWithPlan(
			io,
			{
				session: result.sessionId,
				applied: args.apply,
				...cancelled,
				counts: countPlan(result.plan),
				failures: allFailures(result.plan, failures),
			},
			result.plan,
			result.planJson,
		);
	} else {
		io.stderr(summary(result.sessionId, result.plan, args.apply, root, result.cancelled));
		for (const item of result.plan.items) if (item.status === "failed") io.stderr(`Failed: ${item.error?.message ?? item.reason}\n`);
		for (const failure of failures) io.stderr(`Not applied: ${failure.path}: ${failure.message}\n`);
	}
	if (result.cancelled) return ExitCode.INTERRUPTED;
	const failed = result.plan.items.filter((item) => item.status === "failed").length + failures.length;
	return exitCodeForFailures(failed, result.plan.items.length);
}

/**
 * `{...head, "plan": <plan>}` and a newline, as JSON.stringify({...head, plan}) prints it, with the plan's text as
 * plan.json holds it when the core gives it (`planJson`): a plan of 10,000 notes is serialised once, not twice.
 */
export function jsonWithPlan(head: Record<string, unknown>, plan: Plan, planJson?: string): string {
	return jsonWithPlanParts(head, plan, planJson).join("");
}

/** jsonWithPlan's text in three parts (before the plan, the plan, after it), for writing without joining them. */
function jsonWithPlanParts(head: Record<string, unknown>, plan: Plan, planJson?: string): [string, string, string] {
	const before = JSON.stringify(head);
	return [`${before.slice(0, -1)}${before === "{}" ? "" : ","}"plan":`, planJson ?? JSON.stringify(plan), "}\n"];
}

/**
 * Prints jsonWithPlan's text as its three parts, one write each: the plan's text (~3 MB at 10,000 notes) is written
 * as it is, not copied into one string with the rest first.
 */
function printJsonWithPlan(io: CliIo, head: Record<string, unknown>, plan: Plan, planJson?: string): void {
	for (const part of jsonWithPlanParts(head, plan, planJson)) io.stdout(part);
}

/**
 * Ctrl-C while the notes were being planned: nothing was applied and there is no plan yet. Said like a stop part
 * way through an apply (the session, how to go on, exit 130), not as an error: the session is stopped, not failed.
 */
function reportStoppedWhilePlanning(sessionId: string, json: boolean, vaultDir: string, io: CliIo): number {
	if (json) {
		io.stdout(`${JSON.stringify({ session: sessionId, applied: false, cancelled: true, counts: null, failures: [], plan: null })}\n`);
	} else {
		io.stderr(
			`Session ${sessionId}: stopped while planning (Ctrl-C); nothing was applied. Go on with: knowledge-etl organize --resume ${sessionId} --vault ${JSON.stringify(vaultDir)}\n`,
		);
	}
	return ExitCode.INTERRUPTED;
}

/**
 * Every failure with its reason, for `--json`: the notes that could not be planned (unreadable, bad YAML…) and
 * the ones that could not be applied. Before, the first kind was only counted, and `failures` could be empty
 * while `counts.failed` said 8.
 */
export function allFailures(
	plan: Plan,
	notApplied: readonly { path: string; message: string }[],
): { path: string; message: string; stage: "plan" | "apply" }[] {
	return [
		...plan.items
			.filter((item) => item.status === "failed")
			.map((item) => ({ path: item.from, message: item.error?.message ?? item.reason, stage: "plan" as const })),
		...notApplied.map((f) => ({ path: f.path, message: f.message, stage: "apply" as const })),
	];
}

function summary(sessionId: string, plan: Plan, applied: boolean, vaultDir: string, cancelled = false): string {
	const counts = countPlan(plan);
	const lines = [
		`Session ${sessionId}: ${counts.total} notes; ${counts.planned} to change (${counts.moves} moves, ${counts.edits} edits), ` +
			`${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.failed} failed; ${counts.review} to review, ${counts.dust} dust.`,
	];
	for (const item of plan.items) {
		if (item.status === "planned" && item.from !== item.to) lines.push(`  ${item.from} -> ${item.to}`);
	}
	lines.push(
		cancelled
			? `Stopped part way (Ctrl-C). Go on with: knowledge-etl organize --resume ${sessionId} --vault ${JSON.stringify(vaultDir)}; or put everything back with: knowledge-etl organize --undo ${sessionId} --vault ${JSON.stringify(vaultDir)}`
			: applied
				? `Applied. Undo with: knowledge-etl organize --undo ${sessionId} --vault ${JSON.stringify(vaultDir)}`
				: `Preview only: nothing changed. Apply this plan with: knowledge-etl organize --apply-plan ${sessionId} --vault ${JSON.stringify(vaultDir)} (it is in the session's organize/load/output/plan.md).`,
	);
	return `${lines.join("\n")}\n`;
}

/** Prints the result of `--resume` / `--retry`; the exit code follows the notes that are still failed. */
function reportContinued(result: ContinueOrganizeResult, json: boolean, vaultDir: string, io: CliIo): number {
	const failures = result.record?.failures ?? [];
	const applied = result.record !== undefined;
	if (json) {
		io.stdout(
			`${JSON.stringify({
				session: result.sessionId,
				mode: result.mode,
				applied,
				cancelled: result.cancelled,
				...(result.message ? { message: result.message } : {}),
				counts: result.plan ? countPlan(result.plan) : null,
				failures: result.plan ? allFailures(result.plan, failures) : failures,
				plan: result.plan,
			})}\n`,
		);
	} else if (result.message) {
		io.stderr(`Session ${result.sessionId}: ${result.message}.\n`);
	} else if (result.plan) {
		io.stderr(summary(result.sessionId, result.plan, applied, vaultDir));
	}
	if (!json && result.plan) {
		for (const item of result.plan.items) if (item.status === "failed") io.stderr(`Failed: ${item.error?.message ?? item.reason}\n`);
		for (const failure of failures) io.stderr(`Not applied: ${failure.path}: ${failure.message}\n`);
	}
	if (result.cancelled) return ExitCode.INTERRUPTED;
	return exitCodeForFailures(result.counts.failed, result.counts.total);
}
