import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { createApp } from "../../../src/core/app/app";
import { systemClock } from "../../../src/core/ports/clock";
import { silentLogger } from "../../../src/core/ports/logger";
import { OrganizeSessionError } from "../../../src/core/organize/organize-session";
import { SESSION_ROOT } from "../../../src/core/session/paths";
import { SessionManager } from "../../../src/core/session/session-manager";
import { VaultLock, VaultLockedError } from "../../../src/core/session/vault-lock";
import { heartbeatFile } from "../../../src/core/status/session-liveness";
import { tempVault } from "../_support/temp-vault";

async function vaultWithNotes() {
	const v = await tempVault();
	await mkdir(join(v.dir, "Inbox"), { recursive: true });
	await writeFile(
		join(v.dir, "Inbox", "Docker build cache.md"),
		"# Docker\n\nA Dockerfile and a container image; see [[Kubernetes pods]].\n",
	);
	await writeFile(
		join(v.dir, "Inbox", "Kubernetes pods.md"),
		"# Pods\n\nkubectl and a container cluster; back to [[Docker build cache]].\n",
	);
	return v;
}

describe("the application service", () => {
	it("tells the new session before any progress, beats its heartbeat and counts it live while it runs, then clears both", async () => {
		const v = await vaultWithNotes();
		const app = createApp({
			name: "test",
			store: v.store,
			vault: new NodeNoteVault(v.dir),
			clock: systemClock,
			logger: () => silentLogger,
		});
		const seen: string[] = [];
		const during: { live: boolean; beat: boolean }[] = [];
		const result = await app.organize(
			{ folder: "Inbox", apply: false },
			{
				onSession: (id) => seen.push(id),
				onProgress: () => {
					const id = seen[0]!;
					during.push({ live: app.liveIds().has(id), beat: true });
				},
			},
		);
		expect(seen).toEqual([result.sessionId]);
		expect(during.length).toBeGreaterThan(0);
		expect(during.every((d) => d.live)).toBe(true);
		// The heartbeat was written when the session became known (read back while it ran) and is gone afterwards.
		expect(app.liveIds().size).toBe(0);
		expect(await v.store.exists(heartbeatFile(result.sessionId))).toBe(false);
	});

	it("beats the session's heartbeat, with the host's name, while the run goes", async () => {
		const v = await vaultWithNotes();
		const app = createApp({
			name: "test-host",
			store: v.store,
			vault: new NodeNoteVault(v.dir),
			clock: systemClock,
			logger: () => silentLogger,
		});
		let id = "";
		const beats: unknown[] = [];
		await app.organize(
			{ folder: "Inbox", apply: false },
			{
				onSession: (s) => (id = s),
				onProgress: () => {
					const file = join(v.dir, heartbeatFile(id));
					if (existsSync(file)) beats.push(JSON.parse(readFileSync(file, "utf8")));
				},
			},
		);
		expect(beats.length).toBeGreaterThan(0);
		expect(beats[0]).toMatchObject({ owner: "test-host" });
	});

	const appFor = (v: { dir: string; store: import("../../../src/cli/node-staging-store").NodeStagingStore }) =>
		createApp({
			name: "test",
			store: v.store,
			vault: new NodeNoteVault(v.dir),
			clock: systemClock,
			logger: () => silentLogger,
			identity: { app: "test", pid: process.pid, host: "here" },
		});

	it("passes the organize setup through: excluded notes are planned as skipped, genre folders go under the parent", async () => {
		const v = await vaultWithNotes();
		await mkdir(join(v.dir, "Inbox", "Journal"), { recursive: true });
		await writeFile(join(v.dir, "Inbox", "Journal", "Docker again.md"), "# Docker\n\nA Dockerfile and a container image.\n");
		const result = await appFor(v).organize({
			folder: "Inbox",
			apply: false,
			setup: { exclude: ["Inbox/Journal"], genreParent: "Filed", outFolder: "AI Conversations" },
		});
		const journal = result.plan.items.find((i) => i.from === "Inbox/Journal/Docker again.md");
		expect(journal?.status).toBe("skipped");
		const moved = result.plan.items.filter((i) => i.status === "planned" && i.from !== i.to);
		expect(moved.length).toBeGreaterThan(0);
		expect(moved.every((i) => i.to.startsWith("Filed/"))).toBe(true);
	});

	it("refuses an organize setup it cannot use before any session exists", async () => {
		const v = await vaultWithNotes();
		await expect(
			appFor(v).organize({ folder: "Inbox", apply: false, setup: { genreParent: "../outside", outFolder: "AI Conversations" } }),
		).rejects.toBeInstanceOf(OrganizeSessionError);
		expect(existsSync(join(v.dir, SESSION_ROOT))).toBe(false);
	});

	it("an apply refused by the vault lock leaves no session behind and tells none", async () => {
		const v = await vaultWithNotes();
		const held = await VaultLock.acquire(v.store, systemClock, {
			operation: "import",
			identity: { app: "other", pid: 1, host: "elsewhere" },
		});
		try {
			const told: string[] = [];
			await expect(appFor(v).organize({ folder: "Inbox", apply: true }, { onSession: (id) => told.push(id) })).rejects.toBeInstanceOf(
				VaultLockedError,
			);
			expect(told).toEqual([]);
			expect((await new SessionManager(v.store, systemClock).list()).sessions).toEqual([]);
		} finally {
			await held.release();
		}
	});

	it("clean keeps a session whose organize run can still be undone, unless includeUndo; it waits for no lock in a dry run", async () => {
		const v = await vaultWithNotes();
		const app = appFor(v);
		const applied = await app.organize({ folder: "Inbox", apply: true });
		expect(applied.record).toBeDefined();
		const kept = await app.clean({ days: -1 });
		expect(kept.candidates).toEqual([]);
		expect(kept.undoable).toEqual([applied.sessionId]);
		const held = await VaultLock.acquire(v.store, systemClock, {
			operation: "import",
			identity: { app: "other", pid: 1, host: "elsewhere" },
		});
		try {
			expect((await app.clean({ days: -1, includeUndo: true, dryRun: true })).candidates.map((c) => c.id)).toEqual([applied.sessionId]);
			await expect(app.clean({ days: -1, includeUndo: true })).rejects.toBeInstanceOf(VaultLockedError);
		} finally {
			await held.release();
		}
		expect((await app.clean({ days: -1, includeUndo: true })).candidates.map((c) => c.id)).toEqual([applied.sessionId]);
		expect((await new SessionManager(v.store, systemClock).list()).sessions).toEqual([]);
	});

	it("a bare resume means the newest session with the phase asked for", async () => {
		const v = await vaultWithNotes();
		const app = appFor(v);
		const planned = await app.organize({ folder: "Inbox", apply: false });
		const resumed = await app.resume({ phase: "organize" });
		expect(resumed.kind).toBe("organize");
		if (resumed.kind === "organize") expect(resumed.session_id).toBe(planned.sessionId);
		// No import session exists: a bare import resume says so.
		await expect(app.resume({ phase: "import" })).rejects.toThrow(/no session to resume|has no import phase/i);
	});
});
