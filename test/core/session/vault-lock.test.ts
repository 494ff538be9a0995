import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import {
	LOCK_STALE_MS,
	VAULT_LOCK_PATH,
	VaultLock,
	VaultLockedError,
	withVaultLock,
	type HostIdentity,
} from "../../../src/core/session/vault-lock";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";

const me: HostIdentity = { app: "cli", pid: 1000, host: "box", isAlive: (pid) => pid === 1000 || pid === 2000 };
const other = (pid: number): HostIdentity => ({ ...me, pid });

describe("vault lock", () => {
	it("refuses a second run, naming the running session and how to wait or take over; free again once released", async () => {
		const root = await tempDir("ketl-lock-");
		const store = new NodeStagingStore(root);
		const clock = new FakeClock();
		const first = await VaultLock.acquire(store, clock, { operation: "import", identity: other(2000) });
		await first.attach("20260124_164549");
		const held = JSON.parse(await readFile(join(root, VAULT_LOCK_PATH), "utf8")) as Record<string, unknown>;
		expect(held).toMatchObject({ app: "cli", pid: 2000, host: "box", operation: "import", session: "20260124_164549" });
		const refused = await VaultLock.acquire(store, clock, { operation: "import resume", identity: me }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(VaultLockedError);
		expect((refused as Error).message).toMatch(/import of session 20260124_164549 \(cli, pid 2000 on box/);
		expect((refused as Error).message).toMatch(/Wait for it to finish \(status --session 20260124_164549/);
		expect((refused as Error).message).toContain(VAULT_LOCK_PATH);
		await first.release();
		const second = await VaultLock.acquire(store, clock, { operation: "clean", identity: me });
		await second.release();
		await expect(store.exists(VAULT_LOCK_PATH)).resolves.toBe(false);
	});

	it("takes over a lock whose process is gone (same host), or whose heartbeat is old", async () => {
		const root = await tempDir("ketl-lock-");
		const store = new NodeStagingStore(root);
		const clock = new FakeClock();
		await VaultLock.acquire(store, clock, { operation: "import", identity: other(3000) }); // pid 3000: dead
		const taken = await VaultLock.acquire(store, clock, { operation: "import resume", identity: me });
		expect((JSON.parse(await readFile(join(root, VAULT_LOCK_PATH), "utf8")) as { pid: number }).pid).toBe(1000);
		// The old holder's release does not remove the new holder's lock.
		await taken.release();

		// Another host: its pid cannot be checked, only its heartbeat.
		await VaultLock.acquire(store, clock, { operation: "organize apply", identity: { ...other(3000), host: "elsewhere" } });
		await expect(VaultLock.acquire(store, clock, { operation: "clean", identity: me })).rejects.toBeInstanceOf(VaultLockedError);
		clock.advance(LOCK_STALE_MS + 1);
		const late = await VaultLock.acquire(store, clock, { operation: "clean", identity: me });
		await late.release();
	});

	it("releases however the run ends; two runs racing for it: exactly one wins", async () => {
		const root = await tempDir("ketl-lock-");
		const store = new NodeStagingStore(root);
		const clock = new FakeClock();
		await expect(
			withVaultLock(store, clock, { operation: "import", identity: me }, () => Promise.reject(new Error("boom"))),
		).rejects.toThrow("boom");
		await expect(store.exists(VAULT_LOCK_PATH)).resolves.toBe(false);
		const results = await Promise.allSettled([
			VaultLock.acquire(store, clock, { operation: "a", identity: other(2000) }),
			VaultLock.acquire(store, clock, { operation: "b", identity: me }),
		]);
		expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
		for (const r of results) if (r.status === "fulfilled") await r.value.release();
	});
});
