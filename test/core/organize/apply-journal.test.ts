/**
 * The organize apply's write-ahead journal under a full disk: an ENOSPC injected through the ports (the vault and
 * the staging store both refuse to write from the n-th write on, as a full disk does) at every point of an
 * apply; then, with the disk freed, resume finishes the apply and undo gives the original vault back, byte for byte.
 */
import { createHash } from "node:crypto";
import { linkSync, mkdirSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { readApplyJournal } from "../../../src/core/organize/apply-journal";
import { resumeOrganizeSession } from "../../../src/core/organize/continue-organize-session";
import {
	applyOrganizeSession,
	readOrganizeState,
	runOrganizeSession,
	undoOrganizeSession,
} from "../../../src/core/organize/organize-session";
import type { StagingWriteOptions } from "../../../src/core/ports/staging-store";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";

const LONG = "Enough ordinary prose so that this note is clearly not dust, about the matter at hand.";
const TOPICS = [
	"a hotel and a flight for the trip",
	"budget, invoice and revenue of the company",
	"a diary memo of today",
	"kubernetes deploy and docker",
];
const COUNT = 12;

async function writeVault(root: string): Promise<void> {
	await mkdir(join(root, "Inbox"), { recursive: true });
	for (let i = 0; i < COUNT; i++) {
		await writeFile(
			join(root, "Inbox", `Note ${i}.md`),
			`---\ntags: alpha, beta\n---\n# Note ${i}\n\nAbout ${TOPICS[i % TOPICS.length]}. See [[Note ${(i + 1) % COUNT}]]. ${LONG}\n`,
		);
	}
}

async function hashes(root: string, dir = ""): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		if (entry.name.startsWith(".")) continue;
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		if (entry.isDirectory()) {
			out[`${rel}/`] = "folder";
			Object.assign(out, await hashes(root, rel));
		} else
			out[rel] = createHash("sha256")
				.update(await readFile(join(root, rel)))
				.digest("hex");
	}
	return out;
}

/** Counts writes through both ports; from write number `failAt` on, each one fails with ENOSPC (until `full` is reset). */
class Disk {
	writes = 0;
	full = false;
	constructor(readonly failAt: number) {}
	check(what: string): void {
		this.writes++;
		if (this.writes >= this.failAt) this.full = true;
		if (this.full) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${what}'`), { code: "ENOSPC" });
	}
}

class FullVault extends NodeNoteVault {
	constructor(
		root: string,
		private readonly disk: Disk,
	) {
		super(root);
	}
	override async modify(path: string, content: string): Promise<number | void> {
		this.disk.check(path);
		return super.modify(path, content);
	}
	override async rename(from: string, to: string): Promise<void> {
		this.disk.check(to);
		return super.rename(from, to);
	}
	override async ensureFolder(path: string): Promise<string[]> {
		this.disk.check(path);
		return super.ensureFolder(path);
	}
}

/**
 * The CLI vault's move is two steps (a hard link, then the old name removed, so that it never overwrites). This one
 * is killed between them at its `cutAt`-th move: the note is left under both names, and from then on nothing is
 * written (the disk is "full", as after a kill nothing more reaches it).
 */
class CutVault extends FullVault {
	moves = 0;
	constructor(
		private readonly vaultRoot: string,
		private readonly cut: Disk,
		private readonly cutAt: number,
	) {
		super(vaultRoot, cut);
	}
	override async rename(from: string, to: string): Promise<void> {
		if (++this.moves === this.cutAt) {
			mkdirSync(dirname(join(this.vaultRoot, to)), { recursive: true });
			linkSync(join(this.vaultRoot, from), join(this.vaultRoot, to));
			this.cut.full = true;
			throw new Error("killed between the link and the unlink");
		}
		return super.rename(from, to);
	}
}

class FullStore extends NodeStagingStore {
	constructor(
		root: string,
		private readonly disk: Disk,
	) {
		super(root);
	}
	override async append(path: string, data: string, options?: StagingWriteOptions): Promise<void> {
		this.disk.check(path);
		return super.append(path, data, options);
	}
	override async writeAtomic(path: string, data: string, options?: StagingWriteOptions): Promise<void> {
		this.disk.check(path);
		return super.writeAtomic(path, data, options);
	}
}

async function previewed(): Promise<{
	root: string;
	sessionId: string;
	original: Record<string, string>;
	applied: Record<string, string>;
}> {
	const root = await tempDir("ketl-journal-");
	await writeVault(root);
	const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
	const preview = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: true });
	const original = await hashes(root);
	// What an uninterrupted apply makes, in a copy.
	const copy = await tempDir("ketl-journal-ref-");
	await writeVault(copy);
	const refDeps = { store: new NodeStagingStore(copy), vault: new NodeNoteVault(copy), clock: new FakeClock() };
	const ref = await runOrganizeSession(refDeps, { folder: "Inbox", apply: true, rewriteLinks: true });
	expect(ref.record!.complete).toBe(true);
	return { root, sessionId: preview.sessionId, original, applied: await hashes(copy) };
}

describe("organize apply journal: a full disk at any point", () => {
	it("counts the writes of a whole apply (so every point below is inside it)", async () => {
		const { root, sessionId } = await previewed();
		const disk = new Disk(Number.POSITIVE_INFINITY);
		await applyOrganizeSession({ store: new FullStore(root, disk), vault: new FullVault(root, disk), clock: new FakeClock() }, sessionId, {
			rewriteLinks: true,
		});
		expect(disk.writes).toBeGreaterThan(COUNT * 4);
	});

	it.each([1, 2, 3, 5, 8, 13, 21, 34, 40, 55, 70, 89])(
		"ENOSPC from write %i on: resume (disk freed) finishes as an uninterrupted apply; undo restores every byte",
		async (failAt) => {
			const { root, sessionId, original, applied } = await previewed();
			const disk = new Disk(failAt);
			const full = { store: new FullStore(root, disk), vault: new FullVault(root, disk), clock: new FakeClock() };
			const outcome = await applyOrganizeSession(full, sessionId, { rewriteLinks: true }).then(
				(result) => result.record,
				(error: unknown) => error as Error,
			);
			if (outcome instanceof Error) expect(outcome.message).toMatch(/ENOSPC/);
			else expect(outcome.failures.some((f) => /ENOSPC/.test(f.message))).toBe(true);

			// The disk is freed: a resume goes on from the journal.
			const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
			if ((await readApplyJournal(deps.store, sessionId)) === null) {
				// The disk was full before the journal began (the phase's own files): nothing was touched.
				expect(await hashes(root)).toEqual(original);
				await expect(undoOrganizeSession(deps, sessionId)).rejects.toThrow(/no applied organize run/);
				return;
			}
			const resumed = await resumeOrganizeSession(deps, sessionId, { rewriteLinks: true });
			// A note whose apply hit the full disk is a failure of that note; retry would redo it. Undo is what matters.
			if (resumed.record?.complete && resumed.record.failures.length === 0) expect(await hashes(root)).toEqual(applied);
			const undo = await undoOrganizeSession(deps, sessionId);
			expect(undo.conflicts).toEqual([]);
			expect(await hashes(root)).toEqual(original);
			expect(await readOrganizeState(deps.store, sessionId)).toBe("undone");
		},
	);

	it("ENOSPC and straight to undo (no resume): every byte back, the open operation settled from the vault", async () => {
		for (const failAt of [6, 17, 33]) {
			const { root, sessionId, original } = await previewed();
			const disk = new Disk(failAt);
			await applyOrganizeSession(
				{ store: new FullStore(root, disk), vault: new FullVault(root, disk), clock: new FakeClock() },
				sessionId,
				{ rewriteLinks: true },
			).catch(() => undefined);
			const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
			const journal = await readApplyJournal(deps.store, sessionId);
			expect(journal).not.toBeNull();
			const undo = await undoOrganizeSession(deps, sessionId);
			expect(undo.conflicts).toEqual([]);
			expect(await hashes(root), `ENOSPC at write ${failAt}`).toEqual(original);
		}
	});

	it.each([1, 5, COUNT])(
		"killed between the two steps of move %i (the note under both names): undo, or resume then undo, gives every byte back",
		async (cutAt) => {
			for (const resumeFirst of [false, true]) {
				const { root, sessionId, original, applied } = await previewed();
				const disk = new Disk(Number.POSITIVE_INFINITY);
				await applyOrganizeSession(
					{ store: new FullStore(root, disk), vault: new CutVault(root, disk, cutAt), clock: new FakeClock() },
					sessionId,
					{ rewriteLinks: true },
				).catch(() => undefined);
				expect(disk.full, "the cut happened").toBe(true);
				const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
				if (resumeFirst) {
					const resumed = await resumeOrganizeSession(deps, sessionId, { rewriteLinks: true });
					expect(resumed.record?.failures).toEqual([]);
					expect(await hashes(root), `resumed after the cut at move ${cutAt}`).toEqual(applied);
				}
				const undo = await undoOrganizeSession(deps, sessionId);
				expect(undo.conflicts).toEqual([]);
				expect(await hashes(root), `undone after the cut at move ${cutAt}${resumeFirst ? " and a resume" : ""}`).toEqual(original);
			}
		},
	);

	it("killed between the two steps of a trash (overwrite: the note at its path and in .trash): undo, resume, or resume then undo leave no second copy", async () => {
		/** The CLI vault's trash is a hard link into .trash, then the note's name removed; this one is killed between them. */
		class TrashCutVault extends FullVault {
			constructor(
				private readonly vaultRoot: string,
				private readonly cut: Disk,
			) {
				super(vaultRoot, cut);
			}
			override async trash(path: string): Promise<void> {
				mkdirSync(join(this.vaultRoot, ".trash"), { recursive: true });
				linkSync(join(this.vaultRoot, path), join(this.vaultRoot, ".trash", path.slice(path.lastIndexOf("/") + 1)));
				this.cut.full = true;
				throw new Error("killed between the link and the unlink");
			}
		}
		const trashFiles = async (root: string): Promise<string[]> => (await readdir(join(root, ".trash")).catch(() => [] as string[])).sort();
		const make = async (): Promise<string> => {
			const root = await tempDir("ketl-journal-trash-");
			await mkdir(join(root, "Inbox"), { recursive: true });
			await mkdir(join(root, "Travel"), { recursive: true });
			await writeFile(join(root, "Inbox/Trip.md"), `Hotel and flight for the trip. ${LONG}\n`);
			await writeFile(join(root, "Travel/Trip.md"), "the old trip note\n");
			return root;
		};
		const options = { folder: "Inbox", apply: false, rewriteLinks: true, conflictPolicy: "overwrite" as const };
		// What an uninterrupted apply makes.
		const reference = await make();
		const ref = { store: new NodeStagingStore(reference), vault: new NodeNoteVault(reference), clock: new FakeClock() };
		await runOrganizeSession(ref, { ...options, apply: true });
		const applied = await hashes(reference);
		expect(await trashFiles(reference)).toEqual(["Trip.md"]);
		for (const then of ["undo", "resume", "resume+undo"] as const) {
			const root = await make();
			const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
			const preview = await runOrganizeSession(deps, options);
			expect(preview.plan.items[0]).toMatchObject({ to: "Travel/Trip.md", conflict: { resolution: "overwrite" } });
			const original = await hashes(root);
			const disk = new Disk(Number.POSITIVE_INFINITY);
			await applyOrganizeSession(
				{ store: new FullStore(root, disk), vault: new TrashCutVault(root, disk), clock: new FakeClock() },
				preview.sessionId,
				{ rewriteLinks: true },
			).catch(() => undefined);
			expect(disk.full, "the cut happened").toBe(true);
			expect(await trashFiles(root), "cut: the old note at its path and in the trash").toEqual(["Trip.md"]);
			if (then !== "undo") {
				const resumed = await resumeOrganizeSession(deps, preview.sessionId, { rewriteLinks: true });
				expect(resumed.record?.failures).toEqual([]);
				expect(await hashes(root), `${then}: as an uninterrupted apply`).toEqual(applied);
				// One copy in the trash, as an uninterrupted apply leaves (not a second one, "Trip 1.md").
				expect(await trashFiles(root), then).toEqual(["Trip.md"]);
			}
			if (then !== "resume") {
				const undo = await undoOrganizeSession(deps, preview.sessionId);
				expect(undo.conflicts).toEqual([]);
				expect(await hashes(root), `${then}: every byte back`).toEqual(original);
				// Undone from the cut, the trash's name goes too; after a finished trash, its copy stays there as Obsidian keeps it.
				expect(await trashFiles(root), then).toEqual(then === "undo" ? [] : ["Trip.md"]);
			}
		}
	});

	it("undo leaves a note the user edited after the apply as it is (a conflict), and restores the rest", async () => {
		const { root, sessionId, original } = await previewed();
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
		const result = await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		const move = result.record.operations.find((o) => o.type === "move")!;
		if (move.type !== "move") throw new Error("no move");
		await writeFile(join(root, move.to), "my own words since the apply\n");
		const undo = await undoOrganizeSession(deps, sessionId);
		// The note goes back to its folder with the user's words in it: its edit is not reversed, but reported.
		expect(undo.conflicts.map((c) => c.path)).toContain(move.from);
		expect(await readFile(join(root, move.from), "utf8")).toBe("my own words since the apply\n");
		const now = await hashes(root);
		const changed = Object.keys({ ...original, ...now }).filter((path) => now[path] !== original[path]);
		expect(changed).toEqual([move.from]);
	});

	it("keeps the undo data once per text, owner-only, and no note text in the journal or applied.json", async () => {
		const { root, sessionId } = await previewed();
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: new FakeClock() };
		await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		const dir = join(root, ".staging/@session", sessionId, "organize/load/output");
		const journal = await readFile(join(dir, "journal.jsonl"), "utf8");
		const appliedJson = await readFile(join(dir, "applied.json"), "utf8");
		for (const text of [journal, appliedJson]) expect(text).not.toContain("Enough ordinary prose");
		const kept = await readdir(join(dir, "undo-data"));
		expect(kept.length).toBeGreaterThanOrEqual(COUNT);
		for (const name of kept) {
			const text = await readFile(join(dir, "undo-data", name), "utf8");
			expect(createHash("sha256").update(text).digest("hex")).toBe(name);
		}
	});
});
