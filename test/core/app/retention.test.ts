import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { createApp } from "../../../src/core/app/app";
import { LlmReplyCache } from "../../../src/core/llm/reply-cache";
import { silentLogger } from "../../../src/core/ports/logger";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { tempVault } from "../_support/temp-vault";

const DAY = 24 * 60 * 60 * 1000;
const key = (conversationId: string) => ({
	provider: "claude",
	conversationId,
	part: 0,
	totalParts: 1,
	promptHash: "p",
	promptVersion: "1",
	model: "m",
	settings: "",
});
const reply = { part: 0, totalParts: 1, promptHash: "p", model: "m", content: "{}" };

/**
 * Retention that happens (issue 16.2), as both hosts call it (App.retain): sessions older than the retention go with
 * the model replies they paid for; a session whose organize run can still be undone stays and is named; nothing
 * runs while the service runs something.
 */
describe("retention", () => {
	it("removes exactly the old finished sessions and their saved replies; keeps new ones, and old ones with undo data (named)", async () => {
		const v = await tempVault();
		await mkdir(join(v.dir, "Inbox"), { recursive: true });
		await writeFile(join(v.dir, "Inbox", "Docker build cache.md"), "# Docker\n\nA Dockerfile and a container image.\n");
		const clock = new FakeClock(new Date("2026-01-01T10:00:00Z"));
		const app = createApp({ name: "test", store: v.store, vault: new NodeNoteVault(v.dir), clock, logger: () => silentLogger });
		const sessions = new SessionManager(v.store, clock);
		const cache = new LlmReplyCache(v.store);
		// Day 0: an old import session with a saved reply, and an organize run that was applied (undo data).
		const old = await sessions.create({ debugMode: false });
		await cache.put(key("old"), reply, { sessionId: old.session_id, savedAt: clock.now().toISOString() });
		clock.advance(2000);
		const organized = await app.organize({ folder: "Inbox", apply: true });
		// Day 40: a new session with its own reply.
		clock.advance(40 * DAY);
		const recent = await sessions.create({ debugMode: false });
		await cache.put(key("new"), reply, { sessionId: recent.session_id, savedAt: clock.now().toISOString() });

		const result = await app.retain(30);
		expect(result?.candidates.map((c) => c.id)).toEqual([old.session_id]);
		expect(result?.undoable).toEqual([organized.sessionId]);
		expect(result?.replies).toMatchObject({ entries: 1 });
		const left = (await sessions.list()).sessions.map((s) => s.session_id).sort();
		expect(left).toEqual([organized.sessionId, recent.session_id].sort());
		expect(await cache.get(key("old"))).toBeNull();
		expect(await cache.get(key("new"))).not.toBeNull();
		// Confirmed: the undo data goes too (the plugin's modal, the CLI's --include-undo).
		expect((await app.clean({ days: 30, includeUndo: true })).candidates.map((c) => c.id)).toEqual([organized.sessionId]);
	});

	it("does not run while the service runs something", async () => {
		const v = await tempVault();
		await mkdir(join(v.dir, "Inbox"), { recursive: true });
		await writeFile(join(v.dir, "Inbox", "A.md"), "# A\n\ncontainer docker\n");
		const clock = new FakeClock(new Date("2026-01-01T10:00:00Z"));
		const app = createApp({ name: "test", store: v.store, vault: new NodeNoteVault(v.dir), clock, logger: () => silentLogger });
		const old = await new SessionManager(v.store, clock).create({ debugMode: false });
		clock.advance(40 * DAY);
		let during: unknown = "not called";
		await app.organize(
			{ folder: "Inbox", apply: false },
			{ onProgress: () => void (during === "not called" ? (during = app.retain(30)) : undefined) },
		);
		expect(await during).toBeNull();
		expect((await new SessionManager(v.store, clock).list()).sessions.map((s) => s.session_id)).toContain(old.session_id);
	});
});
