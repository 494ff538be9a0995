import { applyOrganizePlan } from "./apply-organize-plan";
import { cancelRunningSession } from "./cancel-running-session";
import { cleanOldSessions } from "./clean-old-sessions";
import { openSessionPanel } from "./open-session-panel";
import type { CommandId } from "./palette";
import type { PluginCommand } from "./plugin-command";
import { resumeSession } from "./resume-session";
import { retryFailedItems } from "./retry-failed-items";
import { startImportSession } from "./start-import-session";
import { startOrganizeSession } from "./start-organize-session";
import { undoOrganizeSession } from "./undo-organize-session";

/** What each command of the palette (commands/palette.ts) does, by id. Part of the lazily loaded engine. */
export const COMMANDS: Readonly<Record<CommandId, PluginCommand>> = Object.fromEntries(
	[
		startImportSession,
		startOrganizeSession,
		applyOrganizePlan,
		undoOrganizeSession,
		resumeSession,
		retryFailedItems,
		cancelRunningSession,
		openSessionPanel,
		cleanOldSessions,
	].map((c) => [c.id, c]),
) as Record<CommandId, PluginCommand>;
