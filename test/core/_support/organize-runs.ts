import { expect } from "vitest";
import { runOrganizeSession, type OrganizeSessionDeps } from "../../../src/core/organize/organize-session";

/**
 * A first organize run of "Inbox" stopped as the Stop command stops it (its signal aborted) once `done` notes are
 * planned: the run rejects as cancelled, leaving its session to resume or retry.
 */
export async function organizeStoppedAt(deps: OrganizeSessionDeps, done: number, now: Date, apply = false): Promise<void> {
	const controller = new AbortController();
	await expect(
		runOrganizeSession(deps, {
			folder: "Inbox",
			apply,
			rewriteLinks: true,
			now,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.done === done) controller.abort();
			},
		}),
	).rejects.toThrow(/cancelled/);
}
