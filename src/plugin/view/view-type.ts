/** The side panel's view type (registered once; leaves are found with getLeavesOfType). */
export const VIEW_TYPE_SESSIONS = "knowledge-etl-sessions";
