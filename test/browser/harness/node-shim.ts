/**
 * What the Node-backed stub (test/stubs/obsidian.ts) imports from Node, for its bundle in the browser page: nothing
 * of it is called there (the in-memory stand-in replaces the vault, the adapter and the app), so every name is a
 * stand-in that says so if it ever is.
 */
function absent(): never {
	throw new Error("browser harness: a Node builtin was called in the page (the in-memory stand-in should have replaced it)");
}

export const promises = new Proxy({}, { get: absent });
export const mkdtempSync = absent;
export default new Proxy({}, { get: absent });
