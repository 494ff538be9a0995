import { importLlmOptions, llmConfigured, noteChoices, startImport } from "../session-actions";
import { previewSources } from "../../core/app/services";
import { ImportModal } from "../modals/import-modal";
import type { PluginCommand } from "./plugin-command";
import { t } from "../i18n";

export const startImportSession: PluginCommand = {
	id: "start-import-session",
	run: (plugin) => {
		const llm = importLlmOptions(plugin.settings);
		new ImportModal(plugin.app, {
			defaultOutFolder: plugin.settings.outputFolder,
			llmAvailable: llmConfigured(plugin.settings),
			llmLabel: llm ? t("import.llmLabel", { model: llm.model, provider: t(`llmProvider.${llm.provider}`) }) : "",
			// The run's own choices, and the vault's notes: the preview says what the run will do with each note.
			preview: (sources, options, run) =>
				previewSources(
					// Read in the reader's Web Worker, as the import reads: the UI thread only compares with the index and notes.
					{ store: plugin.stagingStore, vault: plugin.noteVault, openExport: (s, o) => plugin.openExport(s, o) },
					sources,
					{ ...options, ...noteChoices(plugin.settings) },
					run,
				),
			start: (request) => {
				const run = startImport(plugin, request);
				if (run) plugin.activateSessionView().catch((e: unknown) => plugin.logDebug("Could not open the session panel", e));
				return run;
			},
		}).open();
	},
};
