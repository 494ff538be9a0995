export * from "./errors";
export * from "./with-retry";
