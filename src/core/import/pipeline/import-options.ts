import { z } from "zod";

/**
 * What an import run was asked to do. Recorded in the session (`import/extract/input/options.json`) on the
 * first run, so that resume and retry go on with the same settings.
 */
export const ImportOptionsSchema = z.object({
	provider: z.enum(["auto", "claude", "chatgpt"]).default("auto"),
	/** Vault folder for notes; each provider gets a subfolder (`AI Conversations/Claude/`). */
	outFolder: z.string().default("AI Conversations"),
	/** Import at most this many conversations (those extracted first). */
	limit: z.number().int().positive().optional(),
	/** Plan only: decide every note, write nothing into the vault. */
	dryRun: z.boolean().default(false),
	/** Conversations with fewer messages are skipped. */
	minMessages: z.number().int().nonnegative().default(1),
	includeThinking: z.boolean().default(false),
	/** The inputs as the user gave them (absolute paths in the CLI): a resume before extract finished reopens them. */
	inputs: z.array(z.string()).default([]),
});
export type ImportOptions = z.infer<typeof ImportOptionsSchema>;
export type ImportOptionsInput = z.input<typeof ImportOptionsSchema>;

export const PROVIDER_FOLDERS = { claude: "Claude", chatgpt: "ChatGPT" } as const;
