/** What the hosts show: plan counts and sizes, organize state, the session panel's model, session labels. */
export { countPlan, PlanSchema } from "../organize/plan";
export { planChangeSize } from "../organize/organize-setup";
export { organizeOutputPaths, readOrganizeState } from "../organize/organize-session";
export { estimateItems, formatBytes, formatDuration, sessionTimeLabel } from "../status/panel-model";
export { loadPanelModel, PanelFileCache } from "../status/panel-state";
export { SESSION_ROOT, sessionDir } from "../session/paths";
