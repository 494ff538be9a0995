import { hostname } from "node:os";
import type { HostIdentity } from "../core/app/types";
import { codeOf } from "./vault-paths";

/**
 * This process, for the vault lock: its pid and host, and whether another pid of this host is alive
 * (signal 0 probes without sending; EPERM means it exists under another user).
 */
export function cliIdentity(): HostIdentity {
	return {
		app: "cli",
		pid: process.pid,
		host: hostname(),
		isAlive: (pid) => {
			if (!Number.isInteger(pid) || pid <= 0) return undefined;
			try {
				process.kill(pid, 0);
				return true;
			} catch (e) {
				return codeOf(e) === "EPERM";
			}
		},
	};
}
