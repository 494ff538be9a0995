export * from "./paths";
export * from "./session-id";
export * from "./errors";
export * from "./json-file";
export * from "./status";
export * from "./session-manager";
export * from "./phase-manager";
export * from "./step-tracker";
