import { describe, expect, it } from "vitest";
import { PROVIDER_MODULES, PROVIDERS, providerLabel } from "../../../../src/core/import/extract/normalize/registry";
import { PROVIDER_IDS } from "../../../../src/core/model/providers";
import { ProviderSchema } from "../../../../src/core/model/conversation";

describe("the provider registry", () => {
	it("holds one module per provider id, under its own id", () => {
		expect(Object.keys(PROVIDERS).sort()).toEqual([...PROVIDER_IDS].sort());
		for (const [id, module] of Object.entries(PROVIDERS)) expect(module.id).toBe(id);
		expect(ProviderSchema().options).toEqual([...PROVIDER_IDS]);
	});

	it("gives each provider its own label, which is also a safe folder name", () => {
		const labels = PROVIDER_MODULES.map((m) => m.label);
		expect(new Set(labels.map((l) => l.toLowerCase())).size).toBe(labels.length);
		for (const label of labels) expect(label).toMatch(/^[\p{L}\p{N}][\p{L}\p{N} ()-]*$/u);
		expect(providerLabel("chatgpt")).toBe("ChatGPT");
	});
});
