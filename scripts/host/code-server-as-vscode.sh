#!/usr/bin/env bash
# Stand-in for the desktop `code` executable, for @vscode/test-cli (.vscode-test.mjs,
# useInstallation.fromPath) and @vscode/test-electron (runTests({ vscodeExecutablePath })) on a
# machine without internet: runs the extension tests in code-server (see test/host/desktop/launcher.ts).
# Needs `bash scripts/host/setup.sh` and `npx tsc -p tsconfig.test.json` first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAUNCHER="$ROOT/out/test/host/desktop/launcher.js"
[ -f "$LAUNCHER" ] || { echo "code-server-as-vscode: $LAUNCHER missing: run \`npx tsc -p tsconfig.test.json\`" >&2; exit 2; }
exec node "$LAUNCHER" "$@"
