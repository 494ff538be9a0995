import type { Conversation, Message, Part } from "../../../model/conversation";
import { jsonlLines } from "../jsonl-lines";
import {
	capLines,
	cutOutput,
	jsonInString,
	normalizeOneRecord,
	oneLineJson,
	outputBlock,
	readSession,
	SESSION_LOG_FILES,
	type SessionReader,
} from "./agent-parts";
import type { ProviderModule } from "./registry";
import type { NormalizeResult } from "./result";
import { bump, isoTime, isRecord, str, timeValue, titleFromText, truncate } from "./text-utils";

/**
 * Codex CLI session log (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`) → canonical Conversation, one
 * per file.
 *
 * Format learned from public descriptions (read for understanding; no code or data copied):
 * - kvsankar/agent-history `docs/specs/agents/formats/codex-cli-format.md` (checked there against openai/codex
 *   `codex-rs/protocol`): the `{timestamp, type, payload}` envelope; `session_meta` (`id`, `cwd`, `cli_version`,
 *   `instructions`, `git`), `turn_context` (`model`, `cwd`), `response_item` payloads (`message` with
 *   `input_text`/`output_text` blocks, `function_call` with `arguments` as a JSON string and `call_id`,
 *   `function_call_output`, `custom_tool_call`, `reasoning` with `summary[]` and `encrypted_content`,
 *   `ghost_snapshot`), `event_msg` payloads (`user_message`, `agent_message`, `agent_reasoning`, `token_count`,
 *   `turn_aborted`, `context_compacted`), top-level `compacted`.
 * - jnarowski/agentcmd `.agent/research/codex/format-comparison.md`: a stored session showing the prompt written
 *   twice (`response_item` message and `event_msg` `user_message`) and `<environment_context>` as a user message.
 * - Sinity/polylogue `docs/providers/openai-codex.md`: pairing `function_call` and `function_call_output` by
 *   `call_id`; `<user_instructions>` / `<environment_context>` boilerplate in every file.
 * - Public tests of Codex log readers (found by searching for `{"record_type":"state"}` and `# AGENTS.md
 *   instructions for`): the older format (until about September 2025) with a bare first line
 *   `{id, timestamp, instructions, git}`, bare response items, `{"record_type":"state"}` lines and no per-line
 *   timestamps; AGENTS.md injected as a user message (`# AGENTS.md instructions for <dir>` + `<INSTRUCTIONS>`);
 *   shell `output` as a JSON string `{"output": …, "metadata": {"exit_code": …}}`; `apply_patch` as a
 *   `custom_tool_call` whose `input` is the patch.
 *
 * What becomes the note: the user's prompts (not the injected instructions and environment), the assistant's
 * text, reasoning summaries as thinking, tool calls and their outputs paired by `call_id` (patches as diffs,
 * commands fenced). Content written twice is taken once: from the `response_item`s, or from the `event_msg`s when
 * a file has no response messages at all. The first prompt is the title (Codex has none).
 */

const ENVELOPE_TYPES = new Set(["session_meta", "response_item", "event_msg", "turn_context", "compacted"]);
/** Bare response item types of the older format. */
const ITEM_TYPES = new Set([
	"message",
	"reasoning",
	"function_call",
	"function_call_output",
	"custom_tool_call",
	"custom_tool_call_output",
	"local_shell_call",
	"web_search_call",
	"ghost_snapshot",
]);
/** event_msg types that repeat response items or carry nothing for the note. */
const QUIET_EVENTS = new Set([
	"token_count",
	"task_started",
	"task_complete",
	"turn_started",
	"turn_complete",
	"exec_command_begin",
	"exec_command_end",
	"exec_command_output_delta",
	"patch_apply_begin",
	"patch_apply_end",
	"mcp_tool_call_begin",
	"mcp_tool_call_end",
	"web_search_begin",
	"web_search_end",
	"turn_diff",
	"agent_reasoning_section_break",
	"agent_reasoning_raw_content",
	"entered_review_mode",
	"exited_review_mode",
	"item_completed",
	"item_started",
	"plan_update",
	"background_event",
	"stream_error",
	"error",
	"turn_aborted",
	"context_compacted",
]);

/** Text Codex sends as a user message that the user did not write. */
const INJECTED = [
	/^\s*<environment_context>/,
	/^\s*<user_instructions>/,
	/^\s*# AGENTS\.md instructions for /,
	/^\s*<INSTRUCTIONS>/,
	/^\s*<permissions instructions>/,
	/^\s*<turn_aborted>/,
];

/** True when a parsed line has the shape of a Codex session record (current or older format). */
export function looksLikeCodexRecord(value: unknown): boolean {
	if (!isRecord(value)) return false;
	if (typeof value.type === "string" && ENVELOPE_TYPES.has(value.type) && isRecord(value.payload)) return true;
	if (value.record_type === "state") return true;
	// The older format: a bare meta first line, then bare response items.
	if (
		value.type === undefined &&
		typeof value.id === "string" &&
		typeof value.timestamp === "string" &&
		("instructions" in value || "git" in value)
	)
		return true;
	return typeof value.type === "string" && ITEM_TYPES.has(value.type) && !("sessionId" in value) && !("uuid" in value);
}

interface Tool {
	name: string;
	/** The note fences this call's outputs itself (its input has a fence language): they go in raw. */
	fencedByNote: boolean;
}

function contentText(content: unknown): string[] {
	if (typeof content === "string") return [content];
	if (!Array.isArray(content)) return [];
	const out: string[] = [];
	for (const c of content) if (isRecord(c) && typeof c.text === "string") out.push(c.text);
	return out;
}

/** A shell command from `arguments` (`command` as argv, `["bash","-lc", script]`, or `cmd` as a string). */
function commandOf(args: Record<string, unknown>): string | null {
	if (typeof args.cmd === "string") return args.cmd;
	if (typeof args.command === "string") return args.command;
	const argv: unknown = args.command;
	if (Array.isArray(argv) && argv.every((a): a is string => typeof a === "string")) {
		if (argv.length === 3 && /(^|\/)(ba|z)?sh$/.test(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2]!;
		return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
	}
	return null;
}

type Call = Extract<Part, { kind: "tool_call" }>;

/** The files a patch touches (`*** Update File: x`), for the callout's title. */
function patchFiles(patch: string): string {
	const files = [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => m[1]!.trim());
	return files.length > 0 ? files.join(", ") : "patch";
}

/** A tool call as a part: a one-line summary, and the whole patch (`diff`) or command (`sh`) as its input. */
function callPart(name: string, rawArgs: unknown, callId: string | undefined): Call {
	const make = (n: string, summary: string, input?: string, language?: string): Call => {
		const p: Call = { kind: "tool_call", name: n, summary: summary.replace(/\s+/g, " ").trim() };
		if (input !== undefined && input.trim() !== "") {
			p.input = input;
			if (language !== undefined) p.language = language;
		}
		if (callId) p.callId = callId;
		return p;
	};
	const patch = (text: string): Call => make("apply_patch", patchFiles(text), capLines(text), "diff");
	if (name === "apply_patch" && typeof rawArgs === "string" && !rawArgs.trim().startsWith("{")) return patch(rawArgs);
	const args = jsonInString(rawArgs);
	if (isRecord(args)) {
		// apply_patch run through the shell tool: `command: ["apply_patch", "*** Begin Patch …"]`.
		if (Array.isArray(args.command) && args.command[0] === "apply_patch" && typeof args.command[1] === "string")
			return patch(args.command[1]);
		if (name === "apply_patch" && typeof args.input === "string") return patch(args.input);
		const command = commandOf(args);
		if (command !== null) return make(name, truncate(command.split("\n")[0] ?? "", 120), command, "sh");
	}
	return make(name, oneLineJson(args));
}

/** A tool output as a part: `{output, metadata: {exit_code}}` unwrapped; a non-zero exit code is an error. */
function outputPart(rawOutput: unknown, tool: Tool | undefined, callId: string | undefined): Part {
	const parsed = jsonInString(rawOutput);
	let text: string;
	let failed = false;
	if (isRecord(parsed) && typeof parsed.output === "string") {
		text = parsed.output;
		const meta = isRecord(parsed.metadata) ? parsed.metadata : {};
		if (typeof meta.exit_code === "number" && meta.exit_code !== 0) failed = true;
	} else if (typeof parsed === "string") {
		text = parsed;
		const exit = /^Exit code: (\d+)/m.exec(parsed);
		if (exit && exit[1] !== "0") failed = true;
	} else if (isRecord(parsed) && Array.isArray(parsed.content)) {
		text = contentText(parsed.content).join("\n");
	} else {
		text = oneLineJson(parsed, 1500);
	}
	if (isRecord(rawOutput) && rawOutput.success === false) failed = true;
	// Outputs are not Markdown: fenced here unless the note fences them (a command's, a patch's).
	const part: Extract<Part, { kind: "tool_result" }> = {
		kind: "tool_result",
		summary: tool?.fencedByNote ? cutOutput(text) : outputBlock(text),
	};
	if (tool) part.name = tool.name;
	if (failed) part.isError = true;
	if (callId) part.callId = callId;
	return part;
}

interface Entry {
	role: "user" | "assistant";
	time: string | null;
	parts: Part[];
	/** From an event_msg (used only when the file has no response messages). */
	event?: boolean;
}

// Long on purpose: the reader object; its methods (one per record kind) share the session's entries, and each is
// short.
export function createCodexReader(): SessionReader {
	const entries: Entry[] = [];
	const tools = new Map<string, Tool>();
	const models: string[] = [];
	const unknown: Record<string, number> = {};
	let id: string | undefined;
	let cwd: string | undefined;
	let started: string | null = null;
	let responseMessages = 0;
	let problem: string | null = null;
	let records = 0;
	let seq = 0;
	/** The `<cwd>` of the first injected `<environment_context>`. */
	let contextCwd: string | undefined;

	const push = (role: Entry["role"], time: string | null, parts: Part[], event = false): void => {
		if (parts.length === 0) return;
		entries.push(event ? { role, time, parts, event } : { role, time, parts });
	};

	const userParts = (content: unknown): Part[] => {
		const parts: Part[] = [];
		if (typeof content === "string") content = [{ type: "input_text", text: content }];
		if (!Array.isArray(content)) return parts;
		for (const c of content) {
			if (!isRecord(c)) continue;
			if (typeof c.text === "string") {
				contextCwd ??= /^\s*<environment_context>[\s\S]*?<cwd>([^<]*)<\/cwd>/.exec(c.text)?.[1]?.trim() || undefined;
				if (INJECTED.some((re) => re.test(c.text as string)) || c.text.trim() === "") continue;
				parts.push({ kind: "text", text: c.text });
			} else if (c.type === "input_image") {
				parts.push({ kind: "attachment", name: "image", missing: true });
			} else if (typeof c.type === "string") {
				bump(unknown, `block:${c.type}`);
				parts.push({ kind: "unknown", blockType: c.type });
			}
		}
		return parts;
	};

	const responseItem = (p: Record<string, unknown>, time: string | null, line: number): void => {
		const type = str(p.type);
		switch (type) {
			case "message": {
				const role = str(p.role);
				if (role === "user") {
					responseMessages++;
					push("user", time, userParts(p.content));
				} else if (role === "assistant") {
					responseMessages++;
					const parts: Part[] = contentText(p.content)
						.filter((t) => t.trim() !== "")
						.map((text) => ({ kind: "text", text }));
					push("assistant", time, parts);
				} else if (role !== "developer" && role !== "system") {
					problem ??= `line ${line}: a message with role ${JSON.stringify(p.role)}`;
				}
				return;
			}
			case "reasoning": {
				const texts = [...contentText(p.summary), ...contentText(p.content)].filter((t) => t.trim() !== "");
				push(
					"assistant",
					time,
					texts.map((text) => ({ kind: "thinking", text })),
				);
				return;
			}
			case "function_call":
			case "custom_tool_call": {
				const callId = str(p.call_id);
				const part = callPart(str(p.name) ?? "tool", type === "custom_tool_call" ? p.input : p.arguments, callId);
				// Named as shown: a patch run through the shell tool is apply_patch, for its output too.
				if (callId) tools.set(callId, { name: part.name, fencedByNote: part.language !== undefined && part.input !== undefined });
				push("assistant", time, [part]);
				return;
			}
			case "local_shell_call": {
				const callId = str(p.call_id);
				const action = isRecord(p.action) ? p.action : {};
				const part = callPart("shell", action, callId);
				if (callId) tools.set(callId, { name: "shell", fencedByNote: part.language !== undefined && part.input !== undefined });
				push("assistant", time, [part]);
				return;
			}
			case "function_call_output":
			case "custom_tool_call_output": {
				const callId = str(p.call_id);
				push("assistant", time, [outputPart(p.output, tools.get(callId ?? ""), callId)]);
				return;
			}
			case "web_search_call": {
				const action = isRecord(p.action) ? p.action : {};
				const query = str(action.query) ?? str(action.url) ?? "";
				push("assistant", time, [{ kind: "tool_call", name: "web_search", summary: query }]);
				return;
			}
			case "ghost_snapshot":
				return;
			default:
				bump(unknown, `response_item:${type ?? "?"}`);
		}
	};

	const eventMsg = (p: Record<string, unknown>, time: string | null): void => {
		const type = str(p.type) ?? "?";
		switch (type) {
			case "user_message": {
				const text = str(p.message) ?? "";
				if (text.trim() !== "" && !INJECTED.some((re) => re.test(text))) push("user", time, [{ kind: "text", text }], true);
				return;
			}
			case "agent_message": {
				const text = str(p.message) ?? "";
				if (text.trim() !== "") push("assistant", time, [{ kind: "text", text }], true);
				return;
			}
			case "agent_reasoning": {
				const text = str(p.text) ?? "";
				if (text.trim() !== "") push("assistant", time, [{ kind: "thinking", text }], true);
				return;
			}
			default:
				if (!QUIET_EVENTS.has(type)) bump(unknown, `event_msg:${type}`);
		}
	};

	const meta = (p: Record<string, unknown>): void => {
		// A forked session repeats its parent's meta after its own: the first one names this file.
		if (id !== undefined) return;
		id = str(p.id) ?? str(p.session_id);
		cwd ??= str(p.cwd);
		started = isoTime(p.timestamp);
	};

	const reader: SessionReader = {
		add(value: unknown, line: number): void {
			records++;
			seq++;
			if (!isRecord(value)) {
				problem ??= `line ${line}: a record that is not a JSON object`;
				return;
			}
			if (value.record_type === "state") return;
			const type = str(value.type);
			if (type !== undefined && ENVELOPE_TYPES.has(type) && isRecord(value.payload)) {
				const time = isoTime(value.timestamp);
				const p = value.payload;
				switch (type) {
					case "session_meta":
						meta(p);
						return;
					case "turn_context": {
						const model = str(p.model);
						if (model && !models.includes(model)) models.push(model);
						cwd ??= str(p.cwd);
						return;
					}
					case "response_item":
						responseItem(p, time, line);
						return;
					case "event_msg":
						eventMsg(p, time);
						return;
					case "compacted":
						push("assistant", time, [{ kind: "tool_result", name: "Context compacted", summary: str(p.message)?.trim() ?? "" }]);
						return;
				}
			}
			if (type === undefined && seq === 1 && typeof value.id === "string") {
				// The older format's bare meta line.
				meta(value);
				return;
			}
			if (type !== undefined && ITEM_TYPES.has(type)) {
				responseItem(value, isoTime(value.timestamp), line);
				return;
			}
			if (type === undefined) {
				problem ??= `line ${line}: a record without a "type"`;
				return;
			}
			bump(unknown, `record:${type}`);
		},

		fail(reason: string): NormalizeResult {
			return { ok: false, ...(id ? { itemId: id } : {}), reason };
		},

		finish(): NormalizeResult {
			if (problem !== null) return reader.fail(problem);
			if (id === undefined)
				return reader.fail(
					records === 0
						? "not a Codex session: the file holds no records"
						: "not a Codex session: it has no session_meta record (no session id)",
				);
			// Written twice: the response items are the record; the events stand in only where a file has none.
			const useEvents = responseMessages === 0;
			const messages: Message[] = [];
			let current: Message | null = null;
			let n = 0;
			for (const e of entries) {
				if (e.event === true && !useEvents) continue;
				if (current === null || current.role !== e.role || e.role === "user") {
					current = { id: `${id}#${n++}`, role: e.role, time: e.time, parts: [] };
					messages.push(current);
				}
				current.parts.push(...e.parts);
			}
			const times = entries.map((e) => e.time).filter((t): t is string => t !== null);
			times.sort((a, b) => timeValue(a) - timeValue(b));
			const created = started ?? times[0] ?? null;
			const updated = times[times.length - 1] ?? created;
			const firstPrompt = messages.find((m) => m.role === "user")?.parts.find((p) => p.kind === "text");
			const title = firstPrompt && firstPrompt.kind === "text" ? titleFromText(firstPrompt.text) : "";
			const conversation: Conversation = {
				id,
				provider: "codex",
				title: title === "" ? "Untitled session" : title,
				created,
				updated,
				models: [...models],
				messages,
			};
			// The older format has no cwd in its meta: the injected environment context says it.
			const project = cwd ?? contextCwd;
			if (project) conversation.project = project;
			if (Object.keys(unknown).length > 0) conversation.unknown = unknown;
			return { ok: true, conversation };
		},
	};
	return reader;
}

/** The Codex CLI source (see registry.ts): one JSON Lines rollout log per conversation. */
export const codexSource: ProviderModule & { readonly id: "codex" } = {
	id: "codex",
	label: "Codex",
	shape: 'session log lines {"type": "session_meta" | "response_item" | …, "payload": …}',
	missingFile: "not imported",
	files: SESSION_LOG_FILES,
	split: jsonlLines,
	detect: looksLikeCodexRecord,
	normalize: (raw) => normalizeOneRecord(createCodexReader(), raw),
	group: (items) => readSession(items, createCodexReader()),
};
