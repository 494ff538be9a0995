import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Every folder below `root` outside dot-folders, the empty ones included (what Obsidian's file explorer shows), sorted. */
export async function folders(root: string, dir = ""): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
		if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
		const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
		out.push(rel, ...(await folders(root, rel)));
	}
	return out.sort();
}
