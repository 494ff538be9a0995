import type { App } from "obsidian";
import type { App as EtlApp } from "../core/app/app";
import type { ByteSource, Clock, ExportReader, OpenExportOptions, Session, Settings } from "../core/app/types";
import type { AdapterStagingStore } from "./adapter-staging-store";
import type { ObsidianNoteVault } from "./obsidian-note-vault";
import type { OrganizeTargets } from "./organize-targets";
import type { RunController } from "./run-controller";

/**
 * What the plugin hands its commands, actions and panel handlers: its ports, the core's front door, the settings,
 * the one run at a time, and the few panel calls they make. A small object made by the plugin (main.ts), not the
 * plugin itself: commands and actions never import main.ts, so no type cycle runs through the plugin class.
 */
export interface PluginServices {
	readonly app: App;
	/** Read when used: the plugin replaces its settings object when the engine starts. */
	readonly settings: Settings;
	readonly stagingStore: AdapterStagingStore;
	readonly noteVault: ObsidianNoteVault;
	readonly clock: Clock;
	readonly etl: EtlApp;
	readonly runs: RunController;
	/** What "Apply organize plan" and "Undo organize session" act on. */
	readonly organizeTargets: OrganizeTargets;
	/** The export files of imports started in this window, by session (a resume before extract finished reads them). */
	readonly openedInputs: Map<string, ByteSource[]>;
	/** Sessions last read from disk, by id. */
	readonly knownSessions: Map<string, Session>;
	saveSettings(): Promise<void>;
	logDebug(message: string, detail?: unknown): void;
	refreshSessionViews(): void;
	activateSessionView(): Promise<void>;
	showSession(sessionId: string): Promise<void>;
	/** Opens export files for reading off the UI thread where it can (the import's reader; the preview's too). */
	openExport(sources: readonly ByteSource[], options: OpenExportOptions): Promise<ExportReader>;
}
