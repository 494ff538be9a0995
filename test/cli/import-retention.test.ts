import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeStagingStore } from "../../src/cli/node-staging-store";
import { systemClock } from "../../src/core/ports/clock";
import { SessionManager } from "../../src/core/session/session-manager";
import { FakeClock } from "../core/_support/fake-clock";
import { tempDir } from "../core/_support/temp-vault";
import { claudeConv, importJson, newVault, writeJson } from "./import-support";

/** Retention that happens (issue 16.2) in the CLI: after an import, sessions older than --retention-days go. */
describe("import removes old sessions afterwards", () => {
	it("sessions older than the retention go; new ones stay; --retention-days 0 keeps all", async () => {
		const dir = await tempDir("ketl-retain-");
		const vault = await newVault();
		const store = new NodeStagingStore(vault);
		const old = await new SessionManager(store, new FakeClock(new Date(Date.now() - 45 * 24 * 3600 * 1000))).create({ debugMode: false });
		const recent = await new SessionManager(store, new FakeClock(new Date(Date.now() - 5 * 24 * 3600 * 1000))).create({ debugMode: false });
		const file = await writeJson(join(dir, "c.json"), [claudeConv({ id: "k1", title: "Kept" })]);

		const off = await importJson([file], vault, ["--provider", "claude", "--retention-days", "0"]);
		const ids = async () => (await new SessionManager(store, systemClock).list()).sessions.map((s) => s.session_id);
		expect(await ids()).toContain(old.session_id);

		const r = await importJson([file], vault, ["--provider", "claude"]);
		expect(r.err).toMatch(/removed 1 session\(s\) older than 30 days/);
		const left = await ids();
		expect(left).not.toContain(old.session_id);
		expect(left).toEqual(expect.arrayContaining([recent.session_id, off.json.session_id, r.json.session_id]));
	});
});
