export * from "./status";
export * from "./counts";
export * from "./session";
export * from "./phase";
