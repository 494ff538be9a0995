/** The models and results the hosts read: types only (erased from the bundle). */
export type { App, ContinueRequest, ContinueResult, NewImportRequest, OrganizeRequest, SessionsView } from "./app";
export type { CleanCandidate, CleanRequest, CleanResult } from "./clean";
export type { Host, RunHooks, RunProgress } from "./host";
export type { PhaseStatusReport, SessionStatusReport, ShownSession, StageStatusReport, StatusRequest, StatusView } from "./status";
export type { LlmProvider, Settings } from "../config/settings";
export type { Conversation } from "../model/conversation";
export type { ConversationFacts } from "../model/conversation-facts";
export type {
	ExportReader,
	ExtractResult,
	InputManifestEntry,
	OpenExportOptions,
	ProviderChoice,
	ReadOptions,
} from "../import/extract/open-export";
export type { ImportLlmOptions, ImportOptions, ImportOptionsInput } from "../import/pipeline/import-options";
export type { ImportRequest, ImportSummary } from "../import/pipeline/import-session";
export type { InputFingerprint } from "../import/pipeline/input-manifest";
export type { ImportPreview, PreviewConversation, PreviewProgress } from "../import/pipeline/preview-import";
export type { PreparedInputs } from "../import/pipeline/preview-reading";
export type { NoteDraft } from "../import/transform/note-draft";
export type { LlmClient } from "../llm/llm-client";
export type { Counts } from "../model/counts";
export type { Phase } from "../model/phase";
export type { Session } from "../model/session";
export type { PhaseType, StageStatus, StageType } from "../model/status";
export type { AppliedRecord, UndoResult } from "../organize/apply-plan";
export type { ContinueOrganizeResult } from "../organize/continue-organize-session";
export type { Genre } from "../organize/genres";
export type { NormalizeRule } from "../organize/normalize-frontmatter";
export type { ApplyOrganizeResult, OrganizeSessionResult, OrganizeState } from "../organize/organize-session";
export type { Plan, PlanCounts } from "../organize/plan";
export type { StageProgress } from "../pipeline/stage-types";
export type { BrokenSession } from "../session/session-manager";
export type { OrganizeView } from "../status/organize-view";
export type { FailureView, PanelModel, PhaseView, SelectedSessionView, SessionRow, StageView } from "../status/panel-model";
export type { PanelFileCache } from "../status/panel-state";
export type * from "./ports";
