import type { NodeStagingStore } from "../../../src/cli/node-staging-store";
import type { StagingStore } from "../../../src/core/ports/staging-store";

/**
 * A store that takes only text, as Obsidian's adapter does (no appendLines, no writeAtomicFrom), over a real one;
 * `onAppend` sees each append's path and length.
 */
export function textOnlyStore(store: NodeStagingStore, onAppend?: (path: string, chars: number) => void): StagingStore {
	return {
		exists: (p) => store.exists(p),
		read: (p) => store.read(p),
		write: (p, d) => store.write(p, d),
		writeAtomic: (p, d) => store.writeAtomic(p, d),
		append: (p, d) => {
			onAppend?.(p, d.length);
			return store.append(p, d);
		},
		createExclusive: (p, d) => store.createExclusive(p, d),
		mkdir: (p) => store.mkdir(p),
		list: (p) => store.list(p),
		remove: (p) => store.remove(p),
		removeFolder: (p) => store.removeFolder(p),
		stat: (p) => store.stat(p),
		readRange: (p, o, l) => store.readRange(p, o, l),
	};
}
