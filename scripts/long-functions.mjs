// Lists the functions of src/core longer than a limit (default 80 lines), longest first: `node scripts/long-functions.mjs [limit] [dir]`.
// A function (declaration, method, arrow or function expression) counts its own lines, from its first line to its
// last, nested functions included. Issue 14 asks that none over ~80 lines stays without a comment saying why.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const limit = Number(process.argv[2] ?? 80);
const root = process.argv[3] ?? "src/core";

function files(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
	);
}

function nameOf(node) {
	if (node.name && ts.isIdentifier(node.name)) return node.name.text;
	if (node.name) return node.name.getText();
	const parent = node.parent;
	if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
	if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
	return "(anonymous)";
}

const found = [];
for (const file of files(root)) {
	const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
	const visit = (node) => {
		if (ts.isFunctionLike(node) && "body" in node && node.body) {
			const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
			const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
			if (end - start + 1 > limit) {
				// The comment lines just above it (a `// Long on purpose: …` says why it stays long).
				const above = source.text.slice(0, node.getStart(source)).split("\n").slice(-4).join("\n");
				const why = /Long on purpose/.test(above) ? "  (why given)" : "";
				found.push({ lines: end - start + 1, where: `${relative(".", file)}:${start}`, name: nameOf(node), why });
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
}
found.sort((a, b) => b.lines - a.lines);
for (const f of found) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.where}${f.why}`);
console.log(`${found.length} function(s) over ${limit} lines in ${root}`);
