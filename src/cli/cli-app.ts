import { createApp, type App } from "../core/app/app";
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
export function cliApp(vaultDir: string, io: CliIo): { app: App; store: NodeStagingStore; logger: (debugMode: boolean) => DebugLogger } {
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
	const app = createApp({
		name: "cli",
		store,
		vault: new NodeNoteVault(vaultDir),
		clock,
		identity: cliIdentity(),
		sha256: nodeSha256,
		openExport: openThreadedExport,
		logger,
	});
	return { app, store, logger };
}
