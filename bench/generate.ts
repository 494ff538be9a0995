import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { seededRandom } from "../test/support/seeded-random";

/**
 * Deterministic synthetic exports for the benchmark: Claude (`chat_messages`) and ChatGPT (`mapping`) shapes
 * with realistic fields (root and hidden system nodes, metadata, attachments, tool blocks) and message sizes
 * (short questions, long answers with fenced code). Same seed → same bytes. Files are written as a stream, one
 * conversation at a time (a 600 MB export is never one string).
 */

/** mulberry32 (test/support/seeded-random.ts): small, fast, good enough for synthetic data; the same bytes for a seed. */
export const rng = seededRandom;

const WORDS = (
	"the a of to and in is it that for on with as this be by are from or an at not can use if when data file " +
	"function value return error type config server request response build test cache index query table user " +
	"model import export module async await promise stream buffer memory thread process system network token " +
	"parse string object array number null undefined schema vault note session stage pipeline retry timeout " +
	"because however therefore instead first then finally example option setting version update install run"
).split(" ");
const TITLE_WORDS = "Fix Debug Explain Compare Build Refactor Optimize Setup Migrate Review Write Design Plan Understand".split(" ");
const TOPICS =
	"Docker networking|React hooks|SQL joins|Rust lifetimes|Python asyncio|TypeScript generics|Kubernetes ingress|Git rebase|CSS grid|Bash loops|Postgres indexes|Nginx config|Go channels|Obsidian plugin|zod schemas|vitest mocks".split(
		"|",
	);
const LANGS = ["typescript", "python", "bash", "json", "sql", "rust", "go", "yaml", ""];

export type Shape = "claude" | "chatgpt";

export interface SizeProfile {
	/** Messages per conversation: min and max (uniform). */
	minMessages: number;
	maxMessages: number;
	/** Scale on assistant answer length (1 = typical). */
	answerScale: number;
}

/** Typical exports: 2–16 messages, answers of a few hundred to ~2,500 characters, code blocks common. */
export const TYPICAL: SizeProfile = { minMessages: 2, maxMessages: 16, answerScale: 1 };

class Gen {
	constructor(readonly r: () => number) {}
	int(min: number, max: number): number {
		return min + Math.floor(this.r() * (max - min + 1));
	}
	pick<T>(xs: readonly T[]): T {
		return xs[Math.floor(this.r() * xs.length)] as T;
	}
	hex(n: number): string {
		let s = "";
		while (s.length < n)
			s += Math.floor(this.r() * 0x100000000)
				.toString(16)
				.padStart(8, "0");
		return s.slice(0, n);
	}
	uuid(): string {
		const h = this.hex(32);
		return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
	}
	sentence(): string {
		const n = this.int(5, 18);
		const ws: string[] = [];
		for (let i = 0; i < n; i++) ws.push(this.pick(WORDS));
		const s = ws.join(" ");
		return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
	}
	paragraph(chars: number): string {
		let p = "";
		while (p.length < chars) p += (p ? " " : "") + this.sentence();
		return p;
	}
	code(lang: string): string {
		const lines: string[] = [];
		const n = this.int(4, 40);
		for (let i = 0; i < n; i++) {
			const indent = "\t".repeat(this.int(0, 2));
			const a = this.pick(WORDS);
			const b = this.pick(WORDS);
			switch (lang) {
				case "python":
					lines.push(`${indent.replace(/\t/g, "    ")}${a}_${b} = ${this.pick(WORDS)}(${this.int(0, 999)})  # ${b}`);
					break;
				case "bash":
					lines.push(`${a} --${b}=${this.int(0, 99)} "$HOME/${a}" | grep -v '${b}'`);
					break;
				case "json":
					lines.push(`${indent}"${a}_${b}": ${this.int(0, 9999)},`);
					break;
				default:
					lines.push(
						`${indent}const ${a}${b.charAt(0).toUpperCase()}${b.slice(1)} = ${this.pick(WORDS)}(${this.int(0, 99)}); // ${b} <T> & "q"`,
					);
			}
		}
		return lines.join("\n");
	}
	/** A user question (40–700 chars) or an assistant answer (200–2,500 × scale chars, often with code). */
	messageText(role: "user" | "assistant", scale: number): string {
		if (role === "user") {
			let t = this.paragraph(this.int(40, 700));
			if (this.r() < 0.15) t += `\n\n\`\`\`${this.pick(LANGS)}\n${this.code("typescript")}\n\`\`\``;
			return t;
		}
		const target = Math.round(this.int(200, 2500) * scale);
		const out: string[] = [];
		let len = 0;
		while (len < target) {
			const part =
				this.r() < 0.2
					? `## ${this.pick(TITLE_WORDS)} ${this.pick(WORDS)}\n\n${this.paragraph(this.int(100, 600))}`
					: this.paragraph(this.int(100, 700));
			out.push(part);
			len += part.length;
			if (this.r() < 0.25) {
				const lang = this.pick(LANGS);
				const block = `\`\`\`${lang}\n${this.code(lang)}\n\`\`\``;
				out.push(block);
				len += block.length;
			}
		}
		return out.join("\n\n");
	}
	title(i: number): string {
		if (this.r() < 0.05) return "New chat"; // duplicate titles, as real exports have
		return `${this.pick(TITLE_WORDS)} ${this.pick(TOPICS)} ${this.pick(WORDS)} #${i}`;
	}
}

const BASE_TIME = Date.UTC(2025, 0, 1) / 1000;

function claudeConversation(g: Gen, i: number, p: SizeProfile): unknown {
	const n = g.int(p.minMessages, p.maxMessages);
	let t = BASE_TIME + i * 3600 + g.int(0, 3000);
	const messages: unknown[] = [];
	let parent = "00000000-0000-4000-8000-000000000000";
	for (let m = 0; m < n; m++) {
		const role = m % 2 === 0 ? "user" : "assistant";
		const uuid = g.uuid();
		const text = g.messageText(role, p.answerScale);
		t += g.int(5, 300);
		const iso = new Date(t * 1000).toISOString();
		const content: unknown[] = [];
		if (role === "assistant" && g.r() < 0.15)
			content.push({
				type: "thinking",
				thinking: g.paragraph(g.int(100, 600)),
				summaries: [],
				cut_off: false,
				start_timestamp: iso,
				stop_timestamp: iso,
			});
		content.push({ type: "text", text, start_timestamp: iso, stop_timestamp: iso, flags: null, citations: [] });
		if (role === "assistant" && g.r() < 0.1) {
			content.push({
				type: "tool_use",
				name: "web_search",
				input: { query: g.sentence() },
				message: "Searching the web",
				start_timestamp: iso,
				stop_timestamp: iso,
			});
			content.push({
				type: "tool_result",
				name: "web_search",
				is_error: false,
				content: [{ type: "knowledge", title: g.sentence(), url: "https://example.org/x", text: g.paragraph(300) }],
			});
		}
		const attachments =
			role === "user" && g.r() < 0.08
				? [{ file_name: `notes-${m}.md`, file_type: "text/markdown", file_size: 900, extracted_content: g.paragraph(g.int(200, 2000)) }]
				: [];
		messages.push({
			uuid,
			text,
			content,
			sender: role === "user" ? "human" : "assistant",
			created_at: iso,
			updated_at: iso,
			attachments,
			files: [],
			parent_message_uuid: parent,
		});
		parent = uuid;
	}
	const created = new Date((BASE_TIME + i * 3600) * 1000).toISOString();
	return {
		uuid: g.uuid(),
		name: g.title(i),
		summary: g.r() < 0.3 ? g.paragraph(150) : "",
		created_at: created,
		updated_at: new Date(t * 1000).toISOString(),
		account: { uuid: "00000000-0000-4000-8000-00000000acc7" },
		chat_messages: messages,
	};
}

function chatgptConversation(g: Gen, i: number, p: SizeProfile): unknown {
	const n = g.int(p.minMessages, p.maxMessages);
	const created = BASE_TIME + i * 3600 + g.int(0, 3000);
	let t = created;
	const mapping: Record<string, unknown> = {};
	const rootId = g.uuid();
	const sysId = g.uuid();
	mapping[rootId] = { id: rootId, message: null, parent: null, children: [sysId] };
	mapping[sysId] = {
		id: sysId,
		message: {
			id: sysId,
			author: { role: "system", name: null, metadata: {} },
			create_time: null,
			update_time: null,
			content: { content_type: "text", parts: [""] },
			status: "finished_successfully",
			end_turn: true,
			weight: 0,
			metadata: { is_visually_hidden_from_conversation: true },
			recipient: "all",
		},
		parent: rootId,
		children: [] as string[],
	};
	let parent = sysId;
	for (let m = 0; m < n; m++) {
		const role = m % 2 === 0 ? "user" : "assistant";
		const id = g.uuid();
		t += g.int(5, 300);
		const text = g.messageText(role, p.answerScale);
		(mapping[parent] as { children: string[] }).children.push(id);
		mapping[id] = {
			id,
			message: {
				id,
				author: { role, name: null, metadata: {} },
				create_time: t + g.r(),
				update_time: null,
				content: { content_type: "text", parts: [text] },
				status: "finished_successfully",
				end_turn: role === "assistant" ? true : null,
				weight: 1,
				metadata:
					role === "assistant"
						? {
								citations: [],
								content_references: [],
								message_type: null,
								model_slug: "gpt-4o",
								default_model_slug: "gpt-4o",
								parent_id: parent,
								request_id: g.hex(16),
								timestamp_: "absolute",
							}
						: {
								serialization_metadata: { custom_symbol_offsets: [] },
								request_id: g.hex(16),
								message_source: null,
								timestamp_: "absolute",
								message_type: null,
							},
				recipient: "all",
				channel: null,
			},
			parent,
			children: [] as string[],
		};
		parent = id;
	}
	const convId = g.uuid();
	return {
		title: g.title(i),
		create_time: created + 0.123,
		update_time: t + 0.456,
		mapping,
		moderation_results: [],
		current_node: parent,
		plugin_ids: null,
		conversation_id: convId,
		conversation_template_id: null,
		gizmo_id: null,
		gizmo_type: null,
		is_archived: false,
		is_starred: null,
		safe_urls: [],
		blocked_urls: [],
		default_model_slug: "gpt-4o",
		conversation_origin: null,
		voice: null,
		async_status: null,
		disabled_tool_ids: [],
		id: convId,
	};
}

async function write(stream: WriteStream, text: string): Promise<void> {
	if (!stream.write(text)) await new Promise<void>((resolve) => stream.once("drain", resolve));
}

export interface WrittenExport {
	path: string;
	shape: Shape;
	conversations: number;
	bytes: number;
}

/**
 * Writes a `conversations.json` of one shape, streamed: `count` conversations, or as many as it takes to pass
 * `minBytes`. Returns what was written.
 */
export async function writeExport(
	path: string,
	shape: Shape,
	seed: number,
	opts: { count?: number; minBytes?: number; profile?: SizeProfile; firstIndex?: number },
): Promise<WrittenExport> {
	await mkdir(dirname(path), { recursive: true });
	const g = new Gen(rng(seed));
	const profile = opts.profile ?? TYPICAL;
	const stream = createWriteStream(path, { highWaterMark: 1 << 20 });
	const done = new Promise<void>((resolve, reject) => {
		stream.on("finish", resolve);
		stream.on("error", reject);
	});
	let bytes = 0;
	let n = 0;
	await write(stream, "[");
	bytes += 1;
	for (;;) {
		if (opts.count !== undefined && n >= opts.count) break;
		if (opts.minBytes !== undefined && bytes >= opts.minBytes) break;
		const i = (opts.firstIndex ?? 0) + n;
		const conv = shape === "claude" ? claudeConversation(g, i, profile) : chatgptConversation(g, i, profile);
		const text = (n > 0 ? "," : "") + JSON.stringify(conv);
		bytes += Buffer.byteLength(text);
		await write(stream, text);
		n++;
	}
	await write(stream, "]\n");
	bytes += 2;
	stream.end();
	await done;
	return { path, shape, conversations: n, bytes };
}

/** A mixed export of `total` conversations: half Claude, half ChatGPT, as two inputs of one import. */
export async function writeMixedExport(dir: string, total: number, seed: number): Promise<WrittenExport[]> {
	const claude = Math.ceil(total / 2);
	return [
		await writeExport(`${dir}/claude/conversations.json`, "claude", seed, { count: claude }),
		await writeExport(`${dir}/chatgpt/conversations.json`, "chatgpt", seed + 1, { count: total - claude, firstIndex: claude }),
	];
}
