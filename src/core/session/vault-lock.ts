import * as z from "../model/zod";
import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";

/**
 * One lock per vault for the runs that change it (import, resume, retry, organize apply/resume/retry/undo,
 * clean): `.staging/vault.lock` holds who runs what (pid, host, app, the session, start time) and a heartbeat
 * the holder rewrites while it runs. Two runs at once used to duplicate notes, share a session id, or delete a
 * running session's files; now the second is refused, naming the running session.
 *
 * A lock is stale (taken over without asking) when its heartbeat is older than `staleMs`, or when it was taken
 * on this host by a process the host says is gone (the CLI asks the OS about the pid; a SIGKILLed run is thus
 * taken over at once). The file is created with an exclusive create, so two runs starting together cannot both
 * get it.
 */

const STAGING_DIR = ".staging";
export const VAULT_LOCK_PATH = `${STAGING_DIR}/vault.lock`;
export const LOCK_HEARTBEAT_MS = 10_000;
export const LOCK_STALE_MS = 60_000;

/** Who runs: given by the host (the core knows no process). */
export interface HostIdentity {
	/** `cli` or `plugin`. */
	app: string;
	pid: number;
	host: string;
	/** Whether a process of this host is still alive (undefined: cannot tell). */
	isAlive?: (pid: number) => boolean | undefined;
}

export const LockInfoSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		token: z.string(),
		app: z.string(),
		pid: z.number(),
		host: z.string(),
		operation: z.string(),
		session: z.nullable(z.string()),
		started_at: z.string(),
		heartbeat_at: z.string(),
	}),
);
export type LockInfo = z.infer<ReturnType<typeof LockInfoSchema>>;

export class VaultLockedError extends Error {
	override readonly name = "VaultLockedError";
	constructor(readonly holder: LockInfo | null) {
		super(
			holder
				? `Another run is changing this vault: ${holder.operation}${holder.session ? ` of session ${holder.session}` : ""} (${holder.app}, pid ${holder.pid} on ${holder.host}, started ${holder.started_at}, last heartbeat ${holder.heartbeat_at}). ` +
						`Wait for it to finish${holder.session ? ` (status --session ${holder.session} shows its progress)` : ""}; if that process is gone, the lock is taken over by itself once its heartbeat is ${LOCK_STALE_MS / 1000} s old, or delete ${VAULT_LOCK_PATH}.`
				: `Another run is taking the lock of this vault (${VAULT_LOCK_PATH} is being written); try again in a moment.`,
		);
	}
}

const defaultIdentity: HostIdentity = { app: "unknown", pid: 0, host: "unknown" };

function newToken(): string {
	const bytes = new Uint8Array(8);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const startTimer: (callback: () => void, ms: number) => unknown = setInterval;
const stopTimer: (handle: never) => void = clearInterval;

export class VaultLock {
	private timer: unknown = null;
	private released = false;
	private beating: Promise<void> = Promise.resolve();

	private constructor(
		private readonly store: StagingStore,
		private readonly clock: Clock,
		private info: LockInfo,
		/** `.staging` did not exist before this lock made it: release takes it away again when it is still empty. */
		private readonly madeStaging = false,
	) {}

	get token(): string {
		return this.info.token;
	}

	/** Takes the vault's lock, or throws VaultLockedError naming the run that holds it. */
	static async acquire(
		store: StagingStore,
		clock: Clock,
		request: { operation: string; session?: string | null; identity?: HostIdentity; staleMs?: number; heartbeatMs?: number },
	): Promise<VaultLock> {
		const identity = request.identity ?? defaultIdentity;
		const now = clock.now().toISOString();
		const info: LockInfo = {
			token: newToken(),
			app: identity.app,
			pid: identity.pid,
			host: identity.host,
			operation: request.operation,
			session: request.session ?? null,
			started_at: now,
			heartbeat_at: now,
		};
		const text = `${JSON.stringify(info)}\n`;
		// A run refused before it wrote anything (a bad input, the model server down) must leave the vault as it was.
		const hadStaging = await store.exists(STAGING_DIR);
		for (let attempt = 0; attempt < 3; attempt++) {
			if (await store.createExclusive(VAULT_LOCK_PATH, text)) {
				const lock = new VaultLock(store, clock, info, !hadStaging);
				lock.start(request.heartbeatMs ?? LOCK_HEARTBEAT_MS);
				return lock;
			}
			const holder = await readLock(store);
			if (holder === "missing") continue; // released meanwhile: try again
			const staleMs = request.staleMs ?? LOCK_STALE_MS;
			if (holder === "unreadable") {
				// Being written right now, or torn by a crash long ago: its age tells.
				const stat = await store.stat(VAULT_LOCK_PATH);
				if (stat && clock.now().getTime() - stat.mtime > staleMs) {
					await store.remove(VAULT_LOCK_PATH);
					continue;
				}
				throw new VaultLockedError(null);
			}
			if (!isStale(holder, clock.now().getTime(), staleMs, identity)) throw new VaultLockedError(holder);
			// Take it over, unless someone else did since we read it.
			const again = await readLock(store);
			if (typeof again === "object" && again.token === holder.token) await store.remove(VAULT_LOCK_PATH);
		}
		const holder = await readLock(store);
		throw new VaultLockedError(typeof holder === "object" ? holder : null);
	}

	/** Names the session in the lock once it exists (a new import creates it after taking the lock). */
	async attach(session: string): Promise<void> {
		this.info = { ...this.info, session };
		await this.beat();
	}

	private start(heartbeatMs: number): void {
		this.timer = startTimer(() => {
			this.beating = this.beating.then(() => this.beat()).catch(() => undefined);
		}, heartbeatMs);
		// A Node timer must not keep a finished process alive.
		(this.timer as { unref?: () => void }).unref?.();
	}

	private async beat(): Promise<void> {
		if (this.released) return;
		const current = await readLock(this.store);
		if (typeof current !== "object" || current.token !== this.info.token) return; // taken over: not ours any more
		this.info = { ...this.info, heartbeat_at: this.clock.now().toISOString() };
		await this.store.writeAtomic(VAULT_LOCK_PATH, `${JSON.stringify(this.info)}\n`);
	}

	/** Gives the lock back (only if it is still ours). Safe to call twice. */
	async release(): Promise<void> {
		if (this.released) return;
		this.released = true;
		if (this.timer !== null) stopTimer(this.timer as never);
		await this.beating;
		const current = await readLock(this.store);
		if (typeof current === "object" && current.token === this.info.token) await this.store.remove(VAULT_LOCK_PATH);
		if (this.madeStaging) {
			const left = await this.store.list(STAGING_DIR);
			if (left.files.length === 0 && left.folders.length === 0) await this.store.removeFolder(STAGING_DIR);
		}
	}
}

function isStale(holder: LockInfo, nowMs: number, staleMs: number, identity: HostIdentity): boolean {
	const beat = Date.parse(holder.heartbeat_at);
	if (Number.isNaN(beat) || nowMs - beat > staleMs) return true;
	if (holder.host === identity.host && holder.host !== "unknown" && identity.isAlive) {
		if (holder.pid === identity.pid && holder.app === identity.app) return false; // this very process: a run still going
		return identity.isAlive(holder.pid) === false;
	}
	return false;
}

export async function readLock(store: StagingStore): Promise<LockInfo | "missing" | "unreadable"> {
	if (!(await store.exists(VAULT_LOCK_PATH))) return "missing";
	try {
		return LockInfoSchema().parse(JSON.parse(await store.read(VAULT_LOCK_PATH)));
	} catch {
		return (await store.exists(VAULT_LOCK_PATH)) ? "unreadable" : "missing";
	}
}

/** Runs `fn` holding the vault's lock; released however `fn` ends. */
export async function withVaultLock<T>(
	store: StagingStore,
	clock: Clock,
	request: { operation: string; session?: string | null; identity?: HostIdentity | undefined },
	fn: (lock: VaultLock) => Promise<T>,
): Promise<T> {
	const lock = await VaultLock.acquire(store, clock, {
		operation: request.operation,
		session: request.session ?? null,
		...(request.identity ? { identity: request.identity } : {}),
	});
	try {
		return await fn(lock);
	} finally {
		await lock.release();
	}
}

/**
 * For a session that says `running`: true when the vault lock shows its run is gone (the lock names it and its
 * process is dead on this host, or its heartbeat is stale). False when the lock says nothing about it (no lock,
 * another session's, or a live holder): then the heartbeat rule of session-liveness decides.
 */
export async function lockShowsRunGone(store: StagingStore, clock: Clock, sessionId: string, identity?: HostIdentity): Promise<boolean> {
	const holder = await readLock(store);
	if (typeof holder !== "object" || holder.session !== sessionId) return false;
	return isStale(holder, clock.now().getTime(), LOCK_STALE_MS, identity ?? defaultIdentity);
}
