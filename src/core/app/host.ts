import type { ExportReader, OpenExportOptions } from "../import/extract";
import type { StageProgress } from "../pipeline/stage-types";
import type { ByteSource } from "../ports/byte-source";
import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { NoteVault } from "../ports/note-vault";
import type { Sha256Text } from "../ports/sha256";
import type { StagingStore } from "../ports/staging-store";
import type { HostIdentity } from "../session/vault-lock";

/**
 * What a host (the plugin, the CLI) gives the application service once: its ports and who it is. Everything
 * else (sessions, heartbeats, retention, link rewriting) is decided by the service, the same way for both.
 */
export interface Host {
	/** `plugin` or `cli`: written in the heartbeat of the sessions this host runs. */
	name: string;
	store: StagingStore;
	vault: NoteVault;
	clock: Clock;
	/** A logger for one run (debug mode on or off); flushed by the service when the run ends when it can be. */
	logger(debugMode: boolean): Logger;
	/** Who runs (pid, host, whether a pid is alive), for the vault lock; absent: the lock knows only heartbeats. */
	identity?: HostIdentity;
	/** A faster SHA-256 than the core's own (the CLI's node:crypto). */
	sha256?: Sha256Text;
	/** How exports are opened (the CLI reads large ones in a thread of their own). */
	openExport?: (sources: readonly ByteSource[], options: OpenExportOptions) => Promise<ExportReader>;
}

/** A stage's progress; `total` when the run knows better than extract's count what it goes through (apply, undo). */
export type RunProgress = StageProgress & { total?: number };

/** What every verb of the service reports while it runs, and how it is stopped. */
export interface RunHooks {
	/** Stops the run after the item in hand; what was done stays recorded (resume goes on). */
	signal?: AbortSignal;
	/** The session the run works in, as soon as it is known (a new session: once created). */
	onSession?: (sessionId: string) => void;
	onProgress?: (progress: RunProgress) => void;
}
