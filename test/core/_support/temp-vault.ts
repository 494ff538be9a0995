import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";

const dirs: string[] = [];

afterEach(async () => {
	await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp directory, removed after the test. */
export async function tempDir(prefix = "ketl-"): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), prefix));
	dirs.push(dir);
	return dir;
}

/** A temp vault with a NodeStagingStore rooted at it. */
export async function tempVault(): Promise<{ dir: string; store: NodeStagingStore }> {
	const dir = await tempDir("ketl-vault-");
	return { dir, store: new NodeStagingStore(dir) };
}
