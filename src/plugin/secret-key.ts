import type { App } from "obsidian";
import type { Settings } from "../core/app/types";

/**
 * The LLM API key in Obsidian's secret storage (`app.secretStorage`, Obsidian 1.11.4+), never in data.json. The
 * plugin's minAppVersion is older, so the storage is looked up on the app (feature detection): without it, the key
 * stays in the plugin's data as before, and the settings say so.
 */
export interface SecretStorageLike {
	setSecret(id: string, secret: string): void;
	getSecret(id: string): string | null;
}

/** The secret this plugin creates (lowercase letters, digits and dashes, as the storage asks). */
export const API_KEY_SECRET_ID = "knowledge-etl-api-key";

export function secretStorage(app: App): SecretStorageLike | null {
	const storage = (app as unknown as { secretStorage?: Partial<SecretStorageLike> }).secretStorage;
	return storage && typeof storage.getSecret === "function" && typeof storage.setSecret === "function"
		? (storage as SecretStorageLike)
		: null;
}

/** The key to send: from the secret storage when the settings name a secret there, else the data file's (old Obsidian). */
export function readApiKey(app: App, settings: Settings): string {
	const storage = secretStorage(app);
	if (storage && settings.llm.apiKeySecret !== "") return storage.getSecret(settings.llm.apiKeySecret) ?? "";
	return settings.llm.apiKey;
}

/** Saves a key typed in the settings: into the secret storage when there is one (data.json keeps only its name). */
export function writeApiKey(app: App, settings: Settings, key: string): void {
	const storage = secretStorage(app);
	if (!storage) {
		settings.llm.apiKey = key;
		return;
	}
	const id = settings.llm.apiKeySecret || API_KEY_SECRET_ID;
	storage.setSecret(id, key);
	settings.llm.apiKeySecret = id;
	settings.llm.apiKey = "";
}

/**
 * A key left in data.json by an earlier version (or typed on an older Obsidian) moves into the secret storage
 * once it exists. True when the settings changed (the caller saves them).
 */
export function migrateApiKey(app: App, settings: Settings): boolean {
	if (!secretStorage(app) || settings.llm.apiKey === "") return false;
	writeApiKey(app, settings, settings.llm.apiKey);
	return true;
}
