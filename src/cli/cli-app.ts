import { createApp, type App } from "../core/app/app";
import { leftoverFolders, recordedImportOptions } from "../core/app/session-files";
import { readStatus } from "../core/app/status";
import type { Host, ImportOptions, StatusRequest, StatusView } from "../core/app/types";
import { createLogger, type DebugLogger, systemClock } from "../core/app/ports";
import { openThreadedExport } from "./extract-thread/threaded-export";
import { cliIdentity } from "./host-identity";
import { NodeNoteVault } from "./node-note-vault";
import { nodeSha256 } from "./node-sha256";
import { NodeStagingStore } from "./node-staging-store";
import { redactUrls, say, withPrefix, type CliIo } from "./output";

/**
 * The application service over a vault folder on disk: Node's filesystem for sessions and notes, node:crypto for
 * hashes, large exports read in a thread of their own, log lines on stderr. One per command run.
 */
/** The service, and the verbs only the CLI has (kept out of createApp, so the plugin's bundle does not carry them). */
export interface CliApp {
	app: App;
	store: NodeStagingStore;
	/** The vault the app works in (the organize command asks it what its listing saw: NodeNoteVault.sweepHint). */
	vault: NodeNoteVault;
	logger: (debugMode: boolean) => DebugLogger;
	status: (request?: StatusRequest) => Promise<StatusView>;
	/** The import options a session recorded (the latest session when none is named); null when none. */
	recordedImportOptions: (sessionId?: string) => Promise<Partial<ImportOptions> | null>;
	/** Vault folders where a killed run of the session may have left temp files (removed after a resume). */
	leftoverFolders: (sessionId: string) => Promise<string[]>;
}

/** `letLoopTurn`: the vault lets the event loop turn now and then (organize: see NodeNoteVault). */
export function cliApp(vaultDir: string, io: CliIo, options: { letLoopTurn?: boolean } = {}): CliApp {
	const store = new NodeStagingStore(vaultDir);
	const clock = io.clock ?? systemClock;
	// One logger per debug mode for the whole command (the command logs with it too, before and after the run).
	const loggers = new Map<boolean, DebugLogger>();
	const logger = (debugMode: boolean): DebugLogger => {
		let made = loggers.get(debugMode);
		if (!made) {
			made = createLogger({
				debugMode,
				store,
				clock,
				console: {
					debug: (l) => say(io, redactUrls(l)),
					info: (l) => say(io, redactUrls(l)),
					warn: (l) => say(io, withPrefix("Warning", redactUrls(l))),
					error: (l) => say(io, withPrefix("Error", redactUrls(l))),
				},
			});
			loggers.set(debugMode, made);
		}
		return made;
	};
	const vault = new NodeNoteVault(vaultDir, options);
	const host: Host = {
		name: "cli",
		store,
		vault,
		clock,
		identity: cliIdentity(),
		sha256: nodeSha256,
		openExport: openThreadedExport,
		logger,
	};
	return {
		app: createApp(host),
		store,
		vault,
		logger,
		status: (request) => readStatus(host, request),
		recordedImportOptions: (sessionId) => recordedImportOptions(host, sessionId),
		leftoverFolders: (sessionId) => leftoverFolders(host, sessionId),
	};
}
