import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every text the user sees goes through the message table (src/plugin/i18n): this reads the plugin's source with
 * the TypeScript parser and reports a string written inline where Obsidian shows it to the user — a Notice, a
 * Setting's name, description, placeholder or button, a modal's title, an element's text, title, placeholder or
 * aria-label, a ribbon tooltip, a dropdown option, a suggester's empty text, a status bar text — anything with a
 * letter in it. Keys passed to t() are not texts; punctuation between placeholders (" · ", " → ") is allowed.
 */

const SRC = join(import.meta.dirname, "../../src/plugin");

/** Methods whose arguments are shown (index of the shown argument; -1: every argument). */
const SHOWN_ARGS: Readonly<Record<string, number>> = {
	setName: 0,
	setDesc: 0,
	setButtonText: 0,
	setPlaceholder: 0,
	setTooltip: 0,
	setTitle: 0,
	setText: 0,
	appendText: 0,
	addRibbonIcon: 1,
	addOption: 1,
	addOptions: 0,
	setStatusText: 0,
	notify: 0,
	setWarning: 0,
};
/** Properties of createEl / createDiv / createSpan options (and of attr) that are shown. */
const SHOWN_PROPS = new Set(["text", "title", "placeholder", "aria-label", "name", "desc", "heading"]);
const CREATE = new Set(["createEl", "createDiv", "createSpan", "createFragment"]);
/** Properties of any object literal that hold a shown text (a setting row's heading and description, a label). */
const SHOWN_ANYWHERE = new Set(["heading", "desc", "label", "text", "placeholder", "tooltip"]);
/** Assigned properties that are shown. */
const SHOWN_ASSIGN = new Set(["emptyStateText", "textContent", "innerText", "placeholder", "title"]);

const HAS_WORD = /[A-Za-z\u3040-\u30ff\u4e00-\u9faf]/;

export interface InlineString {
	file: string;
	line: number;
	text: string;
}

function propName(name: ts.PropertyName): string | null {
	if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
	return null;
}

/** Literal text in an expression, not looking into calls (t("key"), join(", ")) or keys of objects. */
function literalsIn(node: ts.Node, out: ts.Node[]): void {
	if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
		if (HAS_WORD.test(node.text)) out.push(node);
		return;
	}
	if (ts.isTemplateExpression(node)) {
		const texts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
		if (texts.some((x) => HAS_WORD.test(x))) out.push(node);
		for (const span of node.templateSpans) literalsIn(span.expression, out);
		return;
	}
	if (ts.isCallExpression(node) || ts.isNewExpression(node)) return;
	if (ts.isElementAccessExpression(node) || ts.isPropertyAccessExpression(node)) return;
	if (ts.isBinaryExpression(node) && node.operatorToken.kind !== ts.SyntaxKind.PlusToken) {
		// a === "x" ? … : … compares, it does not show: only the branches of ?: and the operands of + are shown.
		if (node.operatorToken.kind !== ts.SyntaxKind.BarBarToken && node.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken) return;
	}
	if (ts.isConditionalExpression(node)) {
		literalsIn(node.whenTrue, out);
		literalsIn(node.whenFalse, out);
		return;
	}
	if (ts.isPropertyAssignment(node)) {
		literalsIn(node.initializer, out);
		return;
	}
	ts.forEachChild(node, (child) => literalsIn(child, out));
}

/** Shown texts of a createEl options object: text, title, placeholder, and attr's title / aria-label / placeholder. */
function optionTexts(node: ts.Expression, out: ts.Node[]): void {
	if (!ts.isObjectLiteralExpression(node)) return;
	for (const p of node.properties) {
		if (!ts.isPropertyAssignment(p)) continue;
		const name = propName(p.name);
		if (name === "attr") optionTexts(p.initializer, out);
		else if (name !== null && SHOWN_PROPS.has(name)) literalsIn(p.initializer, out);
	}
}

export function findInlineStrings(fileName: string, source: string): InlineString[] {
	const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const found: ts.Node[] = [];
	const visit = (node: ts.Node): void => {
		if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Notice") {
			const first = node.arguments?.[0];
			if (first) literalsIn(first, found);
		}
		if (ts.isCallExpression(node)) {
			const callee = node.expression;
			const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : null;
			if (method !== null && method in SHOWN_ARGS) {
				const index = SHOWN_ARGS[method] ?? 0;
				const args = index < 0 ? [...node.arguments] : [node.arguments[index]];
				for (const arg of args) if (arg) literalsIn(arg, found);
			}
			if (method !== null && CREATE.has(method)) {
				for (const arg of node.arguments) {
					if (ts.isObjectLiteralExpression(arg)) optionTexts(arg, found);
				}
			}
		}
		if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
			const name = propName(node.name);
			if (name !== null && SHOWN_ANYWHERE.has(name)) literalsIn(node.initializer, found);
		}
		if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
			if (SHOWN_ASSIGN.has(node.left.name.text)) literalsIn(node.right, found);
		}
		ts.forEachChild(node, visit);
	};
	visit(sf);
	const unique = [...new Set(found)].sort((a, b) => a.getStart(sf) - b.getStart(sf));
	return unique.map((n) => ({
		file: fileName,
		line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
		text: n.getText(sf),
	}));
}

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const path = join(dir, e.name);
		if (e.isDirectory()) return e.name === "i18n" ? [] : sourceFiles(path);
		return e.name.endsWith(".ts") ? [path] : [];
	});
}

describe("no UI text written inline in src/plugin", () => {
	it("finds the inline texts it looks for (so the check can fail)", () => {
		const sample = [
			"new Notice(`Removed ${n} sessions.`);",
			'new Setting(el).setName("Output folder").setDesc(ok ? "Yes" : t("x"));',
			'el.createDiv({ cls: "a-class", text: "Loading…", attr: { "aria-label": "Progress", role: "progressbar" } });',
			'modal.setTitle("Apply");',
			'this.emptyStateText = "No such folder.";',
			'this.addRibbonIcon("import", "Import AI conversations", () => {});',
			"el.setText(`${a} of ${b}`);",
			'const group = { heading: "LLM", rows: [] };',
		].join("\n");
		const found = findInlineStrings("sample.ts", sample).map((f) => f.text);
		expect(found).toEqual([
			"`Removed ${n} sessions.`",
			'"Output folder"',
			'"Yes"',
			'"Loading…"',
			'"Progress"',
			'"Apply"',
			'"No such folder."',
			'"Import AI conversations"',
			"`${a} of ${b}`",
			'"LLM"',
		]);
	});

	it("lets keys, classes and punctuation between placeholders through", () => {
		const sample = [
			'new Notice(t("notice.cleanNone", { days }));',
			'el.createDiv({ cls: "knowledge-etl-move-path", text: `${move.from} → ${move.to}` });',
			'el.createSpan({ text: ` ${t("panel.updated")}` });',
			'row.setText(parts.join(" · "));',
			'this.addRibbonIcon("import", t("ribbon.import"), () => {});',
		].join("\n");
		expect(findInlineStrings("sample.ts", sample)).toEqual([]);
	});

	it("holds for every file of the plugin", () => {
		const files = sourceFiles(SRC);
		expect(files.length).toBeGreaterThan(20);
		const found = files.flatMap((f) => findInlineStrings(relative(SRC, f), readFileSync(f, "utf8")));
		expect(found.map((f) => `${f.file}:${f.line} ${f.text}`)).toEqual([]);
	});
});
