import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..", "..");

interface L10nCall {
  readonly where: string;
  /** The message when the first argument is a string literal; undefined otherwise. */
  readonly message: string | undefined;
  readonly argument: string;
}

/**
 * Every `l10n.t(...)` / `vscode.l10n.t(...)` call in a source text. `npm run l10n` extracts only
 * string literals: a call with anything else as its message is missing from the bundle.
 */
function l10nCalls(fileName: string, text: string): L10nCall[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const calls: L10nCall[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "t" &&
      /(^|\.)l10n$/.test(node.expression.expression.getText(source))
    ) {
      const first = node.arguments[0];
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      calls.push({
        where: `${path.relative(ROOT, fileName)}:${line + 1}`,
        message: first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined,
        argument: first?.getText(source) ?? "(none)",
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

describe("localization", () => {
  const calls = sourceFiles(path.join(ROOT, "src")).flatMap((file) => l10nCalls(file, fs.readFileSync(file, "utf8")));
  const bundle = readJson("l10n/bundle.l10n.json") as Record<string, string>;

  it("finds a call whose message is not a literal (the check itself works)", () => {
    const found = l10nCalls(path.join(ROOT, "src", "example.ts"), 'vscode.l10n.t("Fine {0}", x); vscode.l10n.t(label); l10n.t(`a${b}`);');
    assert.deepStrictEqual(
      found.map((c) => [c.where, c.message]),
      [
        ["src/example.ts:1", "Fine {0}"],
        ["src/example.ts:1", undefined],
        ["src/example.ts:1", undefined],
      ],
    );
  });

  it("passes every message to vscode.l10n.t as a string literal", () => {
    assert.ok(calls.length > 10, `only ${calls.length} l10n.t calls found in src/: is the search broken?`);
    const dynamic = calls.filter((c) => c.message === undefined).map((c) => `${c.where}: l10n.t(${c.argument}, …)`);
    assert.deepStrictEqual(dynamic, [], "l10n.t needs a literal message, or `npm run l10n` leaves it out of the bundle");
  });

  it("has every message in the English bundle, and nothing else (run `npm run l10n` after changing a message)", () => {
    const messages = new Set(calls.flatMap((c) => (c.message === undefined ? [] : [c.message])));
    assert.deepStrictEqual([...messages].filter((m) => !(m in bundle)), [], "messages missing from l10n/bundle.l10n.json");
    assert.deepStrictEqual(Object.keys(bundle).filter((m) => !messages.has(m)), [], "l10n/bundle.l10n.json holds messages no source uses");
  });

  it("has every %key% of package.json in package.nls.json", () => {
    const nls = readJson("package.nls.json") as Record<string, string>;
    const keys = [...JSON.stringify(readJson("package.json")).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 0, "no %key% found in package.json: is the search broken?");
    assert.deepStrictEqual(keys.filter((k) => !(k in nls)), [], "keys missing from package.nls.json");
  });
});
