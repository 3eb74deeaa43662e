// @vscode/test-cli configuration: runs the in-host mocha tests (out/test/host/inHost/*.test.js)
// inside VS Code's extension host, with this extension and the test consumer extension
// (test/host/consumer) loaded as development extensions.
//
//   npm run compile-tests && npm run build && npx vscode-test
//
// With internet, test-cli downloads desktop VS Code (stable) into .vscode-test/ and runs them there.
// Offline (MSAL_VSCODE_TEST_OFFLINE=1) it uses scripts/host/code-server-as-vscode.sh as the
// "VS Code executable": a launcher that runs the same tests in code-server with the ?payload= recipe (needs `npm run setup:host`).
// test-cli needs Node >= 22: offline, put .vscode-test/node24/.../bin first on PATH.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const launcher = path.join(root, 'scripts', 'host', 'code-server-as-vscode.sh');
const offline = process.env.MSAL_VSCODE_TEST_OFFLINE === '1';

export default defineConfig([
  {
    label: 'inHost',
    files: 'out/test/host/inHost/**/*.test.js',
    extensionDevelopmentPath: [root, path.join(root, 'test', 'host', 'consumer')],
    workspaceFolder: path.join(root, 'test', 'host', 'desktop', 'workspace'),
    version: process.env.MSAL_VSCODE_VERSION || 'stable',
    mocha: { ui: 'bdd', timeout: 60_000, color: false },
    // The in-host tests check which kind of host they run in; the launcher overrides this with
    // MSAL_HOST_KIND=code-server.
    env: { MSAL_HOST_KIND: offline ? 'code-server' : 'desktop' },
    ...(offline ? { useInstallation: { fromPath: launcher } } : {}),
  },
]);

if (offline && !fs.existsSync(path.join(root, 'out', 'test', 'host', 'desktop', 'launcher.js'))) {
  console.warn('.vscode-test.mjs: run `npx tsc -p tsconfig.test.json` first (the offline launcher is compiled TypeScript)');
}
