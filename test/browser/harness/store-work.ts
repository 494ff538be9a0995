/**
 * The file work an import does, as calls on a store (the shapes of the plugin's calls through Obsidian's adapter):
 * the shard flush's pieces, the logs' lines, new notes, the panel's ranged reads of a log, a whole read. The browser
 * harness runs it against its in-memory stand-in (page.ts `storeWork`) and the benchmark against Node's fs, which
 * Obsidian desktop's adapter uses (bench/plugin-browser-store.ts): the stand-in must cost what Obsidian does.
 */
export interface WorkStore {
	append(path: string, data: string): Promise<void>;
	write(path: string, data: string): Promise<void>;
	read(path: string): Promise<string>;
	/** As the plugin's ranged read on the desktop: open, stat, read, close. */
	readRange(path: string, position: number, length: number): Promise<number>;
	mkdir(path: string): Promise<void>;
}

const PIECE = `${JSON.stringify({
	id: "conv-1",
	name: "Résumé ✓",
	messages: Array.from({ length: 40 }, (_, m) => ({ text: `message ${m} `.repeat(30) })),
})}\n`
	.repeat(40)
	.slice(0, 512 * 1024);
const LINE = `${JSON.stringify({ item: "conv-00001234", stage: "load", status: "done", at: "2026-12-06T22:00:00.000Z", note: "Notes/Résumé.md" })}\n`;
const NOTE = `---\ntitle: Résumé ✓\n---\n${"A line of the note's body.\n".repeat(150)}`;

export const STORE_WORK = {
	"shard flush: 128 appends of 512 K characters (64 MB)": async (s: WorkStore) => {
		for (let i = 0; i < 128; i++) await s.append("work/conversations-0.jsonl", PIECE);
	},
	"log: 10,000 appends of a 150-byte line": async (s: WorkStore) => {
		for (let i = 0; i < 10_000; i++) await s.append("work/pipeline_stages.jsonl", LINE);
	},
	"notes: 5,000 new files of 4 KB": async (s: WorkStore) => {
		for (let i = 0; i < 5_000; i++) await s.write(`work/notes/note-${i}.md`, NOTE);
	},
	"panel: 2,000 ranged reads of 1 KB of the log": async (s: WorkStore) => {
		for (let i = 0; i < 2_000; i++) await s.readRange("work/pipeline_stages.jsonl", i * 700, 1_024);
	},
	"10 whole reads of the 1.5 MB log": async (s: WorkStore) => {
		for (let i = 0; i < 10; i++) await s.read("work/pipeline_stages.jsonl");
	},
} as const;

export type StoreWorkName = keyof typeof STORE_WORK;

/** Sets up the folders the work writes into. */
export async function prepareStoreWork(s: WorkStore): Promise<void> {
	await s.mkdir("work");
	await s.mkdir("work/notes");
}
