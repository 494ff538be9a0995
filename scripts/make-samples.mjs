// Writes the demo sample exports: samples/claude-export.zip and samples/chatgpt/conversations.json.
// All content is invented for this project. Output is deterministic (fixed ids, times and zip dates),
// so re-running it on an unchanged script gives byte-identical files.
//
//   node scripts/make-samples.mjs

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TextReader, Uint8ArrayWriter, ZipWriter, configure } from "@zip.js/zip.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const samples = join(root, "samples");
configure({ useWebWorkers: false });

/** A fixed, valid-looking UUID v4 from a small number (deterministic). */
const uuid = (prefix, n) => {
	const hex = (prefix + n.toString(16)).padStart(12, "0").slice(-12);
	return `${prefix.padEnd(8, "0").slice(0, 8)}-5e3d-4c1a-9b7e-${hex}`;
};
const iso = (base, minutes) => new Date(Date.parse(base) + minutes * 60_000).toISOString().replace("Z", "000Z");
const fence = "```";

// ---------------------------------------------------------------- Claude ----------------------------------

const ACCOUNT = { uuid: "acc0e5a1-5e3d-4c1a-9b7e-000000000001" };
const UNSUPPORTED = `${fence}\nThis block is not supported on your current device yet.\n${fence}`;

function claudeMessage(conv, n, { sender, at, blocks, parent, attachments = [], files = [] }) {
	const content = blocks.map((block, i) => ({
		start_timestamp: iso(at, i * 0.1),
		stop_timestamp: iso(at, i * 0.1 + 0.05),
		flags: null,
		...block,
		...(block.type === "text" ? { citations: [] } : {}),
	}));
	const text = blocks
		.filter((b) => b.type === "text" || b.type === "tool_use" || b.type === "tool_result")
		.map((b) => (b.type === "text" ? b.text : UNSUPPORTED))
		.join("\n\n");
	return {
		uuid: uuid(conv, n),
		text,
		content,
		sender,
		created_at: iso(at, 0),
		updated_at: iso(at, 0),
		attachments,
		files,
		parent_message_uuid: parent ?? "00000000-0000-4000-8000-000000000000",
	};
}

const text = (t) => ({ type: "text", text: t });

function claudeConversations() {
	const out = [];

	// 1. Code in two languages and an attachment with extracted content.
	{
		const c = "c1a0de01";
		const t0 = "2025-03-02T21:14:05.120Z";
		const m1 = claudeMessage(c, 1, {
			sender: "human",
			at: t0,
			blocks: [
				text(
					"My nightly backup script copies everything every time and the disk is filling up. Can you turn it into daily snapshots with hard links, keep the last 7, and give me a small Python check I can run from monitoring?",
				),
			],
			attachments: [
				{
					file_name: "backup.sh",
					file_size: 171,
					file_type: "text/x-sh",
					extracted_content:
						'#!/bin/sh\n# current nightly backup (copies everything)\nrsync -a --delete "$HOME/projects/" /mnt/backup/current/\necho "backup done at $(date)" >> /var/log/backup.log\n',
				},
			],
			files: [{ file_name: "disk-usage.png" }],
		});
		const m2 = claudeMessage(c, 2, {
			sender: "assistant",
			at: iso(t0, 1),
			parent: m1.uuid,
			blocks: [
				text(
					`Use \`--link-dest\`: each night gets its own folder, and files that did not change are hard links into the previous night's folder, so they take no extra space.\n\n${fence}bash\n#!/usr/bin/env bash\nset -euo pipefail\n\nSRC="$HOME/projects/"\nDEST=/mnt/backup\nTODAY=$(date +%F)\n\nrsync -a --delete --link-dest="$DEST/latest" "$SRC" "$DEST/$TODAY"\nln -sfn "$DEST/$TODAY" "$DEST/latest"\n\n# keep the 7 newest snapshots\nls -1d "$DEST"/20??-??-?? | head -n -7 | xargs -r rm -rf\n${fence}\n\nAnd the freshness check, which exits non-zero when the newest snapshot is older than 26 hours:\n\n${fence}python\nimport os\nimport sys\nimport time\n\nlatest = os.path.realpath("/mnt/backup/latest")\nage_hours = (time.time() - os.path.getmtime(latest)) / 3600\nif age_hours > 26:\n    sys.exit(f"latest backup is {age_hours:.0f} hours old")\nprint("backup is fresh")\n${fence}`,
				),
			],
		});
		const m3 = claudeMessage(c, 3, {
			sender: "human",
			at: iso(t0, 6),
			parent: m2.uuid,
			blocks: [text("Does `ls -1d ... | head -n -7` work on macOS too?")],
		});
		const m4 = claudeMessage(c, 4, {
			sender: "assistant",
			at: iso(t0, 7),
			parent: m3.uuid,
			blocks: [
				text(
					"Not as written: BSD `head` has no negative counts. On macOS, install GNU coreutils and use `ghead`, or sort the list and drop the tail in Python instead.",
				),
			],
		});
		out.push({
			uuid: uuid(c, 0),
			name: "Nightly rsync snapshots with hard links",
			summary:
				"**Conversation Overview**\n\nThe user wanted to turn a full-copy nightly backup into hard-linked daily snapshots. Claude provided an rsync script using --link-dest with 7-day retention and a Python freshness check, and noted a macOS incompatibility of head -n -7.",
			created_at: m1.created_at,
			updated_at: m4.updated_at,
			account: ACCOUNT,
			chat_messages: [m1, m2, m3, m4],
		});
	}

	// 2. A branch: the first answer was retried, so two replies share one parent; the conversation goes on
	//    from the newer one.
	{
		const c = "c1a0de02";
		const t0 = "2025-04-11T08:40:00.000Z";
		const m1 = claudeMessage(c, 1, {
			sender: "human",
			at: t0,
			blocks: [text("My Node image is 1.1 GB. How do I make the Dockerfile smaller?")],
		});
		const old = claudeMessage(c, 2, {
			sender: "assistant",
			at: iso(t0, 1),
			parent: m1.uuid,
			blocks: [text("Switch the base image to `node:20-alpine`. That alone usually saves a few hundred MB.")],
		});
		const retried = claudeMessage(c, 3, {
			sender: "assistant",
			at: iso(t0, 3),
			parent: m1.uuid,
			blocks: [
				text(
					`Use a multi-stage build: install and build in one stage, then copy only what runs into a slim image.\n\n${fence}dockerfile\nFROM node:20 AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build && npm prune --omit=dev\n\nFROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nUSER node\nCMD ["node", "dist/server.js"]\n${fence}`,
				),
			],
		});
		const m4 = claudeMessage(c, 4, {
			sender: "human",
			at: iso(t0, 9),
			parent: retried.uuid,
			blocks: [text("Down to 240 MB. Should I also add a .dockerignore?")],
		});
		const m5 = claudeMessage(c, 5, {
			sender: "assistant",
			at: iso(t0, 10),
			parent: m4.uuid,
			blocks: [
				text(
					`Yes. It keeps \`node_modules\`, build output and secrets out of the build context:\n\n${fence}\nnode_modules\ndist\n.git\n.env\n*.log\n${fence}`,
				),
			],
		});
		out.push({
			uuid: uuid(c, 0),
			name: "Shrinking a Node.js Docker image",
			summary: "",
			created_at: m1.created_at,
			updated_at: m5.updated_at,
			account: ACCOUNT,
			chat_messages: [m1, old, retried, m4, m5],
		});
	}

	// 3. Tool use, tool result and thinking blocks.
	{
		const c = "c1a0de03";
		const t0 = "2025-06-20T17:02:30.000Z";
		const m1 = claudeMessage(c, 1, {
			sender: "human",
			at: t0,
			blocks: [text("Is the path given to `--link-dest` relative to the source or to the destination?")],
		});
		const m2 = claudeMessage(c, 2, {
			sender: "assistant",
			at: iso(t0, 1),
			parent: m1.uuid,
			blocks: [
				{
					type: "thinking",
					thinking:
						"I remember it being relative to the destination, but this is easy to get wrong; check the manual page before answering.",
					summaries: [{ summary: "Checking the rsync manual." }],
					cut_off: false,
				},
				{
					type: "tool_use",
					name: "web_search",
					input: { query: "rsync man page --link-dest relative path" },
					message: "Searching the web",
					integration_name: "Web Search",
				},
				{
					type: "tool_result",
					name: "web_search",
					content: [
						{
							type: "knowledge",
							title: "rsync(1) manual page",
							url: "https://example.org/man/rsync.1",
							text: "--link-dest=DIR: hardlink to files in DIR when unchanged. If DIR is a relative path, it is relative to the destination directory.",
							metadata: { type: "webpage_metadata", site_domain: "example.org" },
						},
					],
					is_error: false,
				},
				text(
					"Relative to the **destination**. With `rsync -a --link-dest=../2025-06-19 src/ /mnt/backup/2025-06-20/`, rsync looks for `/mnt/backup/2025-06-19`. An absolute path avoids the confusion.",
				),
			],
		});
		out.push({
			uuid: uuid(c, 0),
			name: "rsync --link-dest relative paths",
			summary:
				"The user asked whether rsync's --link-dest path is relative to source or destination. Claude searched the manual and confirmed it is relative to the destination directory.",
			created_at: m1.created_at,
			updated_at: m2.updated_at,
			account: ACCOUNT,
			chat_messages: [m1, m2],
		});
	}

	// 4. A Japanese title and content.
	{
		const c = "c1a0de04";
		const t0 = "2025-09-05T01:15:00.000Z";
		const m1 = claudeMessage(c, 1, {
			sender: "human",
			at: t0,
			blocks: [
				text(
					"11月に京都へ2泊3日で行きます。紅葉とお寺、それに食べ歩きを楽しみたいです。混雑を避けるコツも含めて、ざっくりした旅程を作ってください。",
				),
			],
		});
		const m2 = claudeMessage(c, 2, {
			sender: "assistant",
			at: iso(t0, 1),
			parent: m1.uuid,
			blocks: [
				text(
					"## 1日目: 東山\n- 朝8時に清水寺(開門直後は空いています)\n- 二年坂・三年坂で食べ歩き\n- 夕方は高台寺のライトアップ\n\n## 2日目: 嵐山\n- 早朝の竹林の小径\n- 天龍寺の庭園\n- 昼は湯豆腐\n\n## 3日目: 北側\n- 銀閣寺から哲学の道を南へ\n- 錦市場でお土産\n\n**混雑回避のコツ:** 有名な寺は開門直後か閉門前に。移動はバスより電車が確実です。",
				),
			],
		});
		out.push({
			uuid: uuid(c, 0),
			name: "京都2泊3日の紅葉旅行プラン",
			summary: "",
			created_at: m1.created_at,
			updated_at: m2.updated_at,
			account: ACCOUNT,
			chat_messages: [m1, m2],
		});
	}
	return out;
}

// ---------------------------------------------------------------- ChatGPT ---------------------------------

/** Builds a ChatGPT mapping from nodes listed as [id, parentId, message|null]; children are derived. */
function mapping(nodes) {
	const map = {};
	for (const [id, parent, message] of nodes) map[id] = { id, message, parent, children: [] };
	for (const [id, parent] of nodes) if (parent) map[parent].children.push(id);
	return map;
}

function gptMessage(id, role, time, content, { model, hidden, recipient = "all", extra = {} } = {}) {
	return {
		id,
		author: { role, name: role === "tool" ? "python" : null, metadata: {} },
		create_time: time,
		update_time: null,
		content,
		status: "finished_successfully",
		end_turn: role === "assistant" ? true : null,
		weight: 1,
		metadata: {
			...(model ? { model_slug: model, default_model_slug: model } : {}),
			...(hidden ? { is_visually_hidden_from_conversation: true } : {}),
			...extra,
		},
		recipient,
		channel: null,
	};
}

const parts = (...p) => ({ content_type: "text", parts: p });

function chatgptConversations() {
	const out = [];

	// 1. A hidden system node, a code message with its execution output, and a regenerated answer.
	{
		const t = 1738930000.123;
		const id = "67a5b3c0-1d2e-8001-a3b4-5c6d7e8f9001";
		const nodes = [
			["client-created-root", null, null],
			["n-sys", "client-created-root", gptMessage("n-sys", "system", null, parts(""), { hidden: true })],
			[
				"n-u1",
				"n-sys",
				gptMessage(
					"n-u1",
					"user",
					t,
					parts("How many snapshots fit in 500 GB if one full backup is 80 GB and each night changes about 3 GB?"),
				),
			],
			["n-a1-old", "n-u1", gptMessage("n-a1-old", "assistant", t + 8.5, parts("About 6 snapshots (500 / 80)."), { model: "gpt-4o" })],
			[
				"n-a1-code",
				"n-u1",
				gptMessage(
					"n-a1-code",
					"assistant",
					t + 21.2,
					{ content_type: "code", language: "python", text: "full = 80\nnightly = 3\ndisk = 500\nprint((disk - full) // nightly)" },
					{ model: "gpt-4o", recipient: "python" },
				),
			],
			[
				"n-tool",
				"n-a1-code",
				gptMessage(
					"n-tool",
					"tool",
					t + 22.0,
					{ content_type: "execution_output", text: "140" },
					{ extra: { aggregate_result: { status: "success" } } },
				),
			],
			[
				"n-a1",
				"n-tool",
				gptMessage(
					"n-a1",
					"assistant",
					t + 25.4,
					parts(
						"With hard-linked snapshots only the changes take new space: the first snapshot costs 80 GB and each later one about 3 GB, so **about 140 nightly snapshots** fit — far more than a 7-day rotation needs.",
					),
					{ model: "gpt-4o" },
				),
			],
		];
		out.push({
			title: "Snapshot capacity estimate",
			create_time: t - 1.5,
			update_time: t + 25.4,
			mapping: mapping(nodes),
			moderation_results: [],
			current_node: "n-a1",
			plugin_ids: null,
			conversation_id: id,
			conversation_template_id: null,
			gizmo_id: null,
			is_archived: false,
			safe_urls: [],
			default_model_slug: "gpt-4o",
			id,
		});
	}

	// 2. A multimodal message with an image pointer.
	{
		const t = 1741600000.5;
		const id = "67cf0a10-2b3c-8002-b4c5-6d7e8f901002";
		const nodes = [
			["client-created-root", null, null],
			[
				"m-u1",
				"client-created-root",
				gptMessage(
					"m-u1",
					"user",
					t,
					{
						content_type: "multimodal_text",
						parts: [
							{
								content_type: "image_asset_pointer",
								asset_pointer: "file-service://file-7Hq2demoSamplePointer01",
								size_bytes: 48213,
								width: 1024,
								height: 640,
								fovea: null,
								metadata: null,
							},
							"This is the error from `docker build`. What is wrong with my COPY line?",
						],
					},
					{
						extra: { attachments: [{ id: "file-7Hq2demoSamplePointer01", name: "build-error.png", mime_type: "image/png", size: 48213 }] },
					},
				),
			],
			[
				"m-a1",
				"m-u1",
				gptMessage(
					"m-a1",
					"assistant",
					t + 12,
					parts(
						"The screenshot shows `COPY failed: file not found in build context`. The path in `COPY` is relative to the build context, not to the Dockerfile. Run the build from the project root:\n\n```sh\ndocker build -f docker/Dockerfile .\n```",
					),
					{ model: "gpt-4o" },
				),
			],
		];
		out.push({
			title: "Docker COPY fails: file not found",
			create_time: t - 2,
			update_time: t + 12,
			mapping: mapping(nodes),
			current_node: "m-a1",
			conversation_id: id,
			gizmo_id: null,
			is_archived: false,
			default_model_slug: "gpt-4o",
			id,
		});
	}

	// 3. No title, and reasoning (thoughts) before the answer.
	{
		const t = 1750000000;
		const id = "684f4a00-3c4d-8003-c5d6-7e8f90a1b003";
		const nodes = [
			["client-created-root", null, null],
			[
				"r-u1",
				"client-created-root",
				gptMessage(
					"r-u1",
					"user",
					t,
					parts("rsync: how do I exclude every node_modules folder, at any depth, but still copy the rest of the tree?"),
				),
			],
			[
				"r-think",
				"r-u1",
				gptMessage(
					"r-think",
					"assistant",
					t + 3,
					{
						content_type: "thoughts",
						thoughts: [
							{
								summary: "Exclude patterns",
								content: "A pattern without a slash matches at any depth, so --exclude=node_modules is enough.",
							},
						],
						source_analysis_msg_id: "r-u1",
					},
					{ model: "o3" },
				),
			],
			[
				"r-recap",
				"r-think",
				gptMessage("r-recap", "assistant", t + 4, { content_type: "reasoning_recap", content: "Thought for 4 seconds" }, { model: "o3" }),
			],
			[
				"r-a1",
				"r-recap",
				gptMessage(
					"r-a1",
					"assistant",
					t + 6,
					parts(
						"A pattern without a slash matches at any depth:\n\n```sh\nrsync -a --exclude='node_modules/' ~/projects/ /mnt/backup/projects/\n```\n\nThe trailing slash limits it to directories, so a file named `node_modules` would still be copied.",
					),
					{ model: "o3" },
				),
			],
		];
		out.push({
			title: null,
			create_time: t,
			update_time: t + 6,
			mapping: mapping(nodes),
			current_node: "r-a1",
			conversation_id: id,
			is_archived: false,
			default_model_slug: "o3",
			id,
		});
	}
	return out;
}

// ---------------------------------------------------------------- write -----------------------------------

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const ZIP_DATE = new Date(Date.UTC(2025, 8, 30, 12, 0, 0));

async function writeClaudeZip(path) {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { lastModDate: ZIP_DATE, extendedTimestamp: false, level: 6 });
	await writer.add("conversations.json", new TextReader(json(claudeConversations())));
	await writer.add(
		"users.json",
		new TextReader(
			json([{ uuid: ACCOUNT.uuid, full_name: "Sample User", email_address: "sample.user@example.com", verified_phone_number: null }]),
		),
	);
	await writeFile(path, await writer.close());
}

await mkdir(join(samples, "chatgpt"), { recursive: true });
await writeClaudeZip(join(samples, "claude-export.zip"));
await writeFile(join(samples, "chatgpt", "conversations.json"), json(chatgptConversations()));
console.error("wrote samples/claude-export.zip and samples/chatgpt/conversations.json");
