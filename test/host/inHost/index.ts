// Entry point for mocha inside code-server's extension host (the `extensionTestsPath` of the
// ?payload= recipe, see test/host/harness/inHostMocha.ts). Runs every *.test.js next to it.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('msalHostTest');
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: cfg.get<number>('timeout', 60_000),
    grep: cfg.get<string>('grep') || undefined,
  });
  for (const f of fs.readdirSync(__dirname)) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-host test(s) failed`)) : resolve()));
  });
}
