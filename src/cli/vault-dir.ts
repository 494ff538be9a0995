import { stat } from "node:fs/promises";
import * as nodePath from "node:path";
import { NotFoundError } from "./errors";
import type { CliIo } from "./output";

/** The vault directory from `--vault` (default: the working directory); exit 2 when it is not a folder. */
export async function resolveVaultDir(vault: string | undefined, io: CliIo): Promise<string> {
	const dir = nodePath.resolve(io.cwd ?? process.cwd(), vault ?? ".");
	const s = await stat(dir).catch(() => null);
	if (!s?.isDirectory()) throw new NotFoundError(`Vault folder not found: ${dir}`);
	return dir;
}
