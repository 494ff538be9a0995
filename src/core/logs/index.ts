export * from "./jsonl";
export * from "./pipeline-stages";
export * from "./steps-log";
export * from "./item-status-index";
