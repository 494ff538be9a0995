/**
 * The ids of the sources conversations are imported from: frontmatter `source`, `--provider`, the import index, the
 * session records. Data only (the conversation model validates against it); what each source IS (its detector,
 * normalizer, label and output folder) lives in its module, listed in `core/import/extract/normalize/registry.ts`.
 * Adding a source: its id here, its module in `core/import/extract/normalize/<id>.ts`, one line in the registry (the
 * compiler asks for it).
 */
export const PROVIDER_IDS = ["claude", "chatgpt", "deepseek", "gemini", "lechat", "grok", "perplexity", "claude-code", "codex"] as const;

export type Provider = (typeof PROVIDER_IDS)[number];

export function isProvider(value: string): value is Provider {
	return (PROVIDER_IDS as readonly string[]).includes(value);
}
